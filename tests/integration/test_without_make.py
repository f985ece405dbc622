"""The README's route without make works: Windows, conda and plain pip say the same thing,
and the Linux/macOS commands, read from the README itself, build a working environment
from a clean copy of the repository.

The fresh environment installs from pip's configured sources (on this machine a local
wheel folder, so about a minute); ``sendready run`` runs on a small generated sample so
the whole test takes two or three minutes. It breaks when the README drifts from what works.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import REPO_ROOT

SECTION = "## Without make: Windows, conda or plain pip"
VENV_PYTHON = ".venv/bin/python"
# Small enough to be quick, large enough for every report to have data (as sample_pack).
SAMPLE_SCALE = "0.25"
# A tiny subset of the suite: the point is that the documented command runs it.
PYTEST_SUBSET = ["tests/unit/core/test_excel.py", "tests/unit/test_portability.py"]


def _blocks() -> list[tuple[str, list[str]]]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^{re.escape(SECTION)}\n(.*?)(?=^## )", readme, re.M | re.S)
    assert section, f"README has no '{SECTION}' section"
    found = re.findall(r"^```([a-z]*)\n(.*?)^```", section.group(1), re.M | re.S)
    return [
        (lang, [line.strip() for line in body.splitlines() if line.strip()]) for lang, body in found
    ]


def _documented() -> dict[str, list[str]]:
    by_kind = {}
    for lang, lines in _blocks():
        if lines[0].startswith("py -3.11"):
            assert lang == "powershell"
            by_kind["windows"] = lines
        elif lines[0].startswith("conda "):
            by_kind["conda"] = lines
        elif lines[0].startswith("python3 -m venv"):
            assert lang == "sh"
            by_kind["posix"] = lines
        else:
            pytest.fail(f"unexpected block in {SECTION}: {lines}")
    assert set(by_kind) == {"windows", "conda", "posix"}
    return by_kind


def test_the_three_routes_run_the_same_commands():
    docs = _documented()
    windows = [
        line.replace("py -3.11", "python3").replace(".venv\\Scripts\\python", VENV_PYTHON)
        for line in docs["windows"]
    ]
    assert windows == docs["posix"]
    assert docs["conda"][:2] == ["conda env create -f environment.yml", "conda activate sendready"]
    conda = [line.replace("python -m", f"{VENV_PYTHON} -m", 1) for line in docs["conda"][2:]]
    assert conda == docs["posix"][2:]
    assert docs["posix"] == [
        "python3 -m venv .venv",
        f'{VENV_PYTHON} -m pip install -e ".[test]"',
        f"{VENV_PYTHON} -m sendready kernel",
        f"{VENV_PYTHON} -m sendready run --profile bury-2017-wsoa --period-end 2019-03-31",
        f"{VENV_PYTHON} -m pytest",
    ]


def _clean_copy(target: Path) -> Path:
    """The repository's tracked files as they are in the working tree (no .venv, no data)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _environment() -> dict[str, str]:
    """This process's environment minus what would leak the test's own sendready into it."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH", "CONDA_PREFIX"}
    drop |= {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"}
    return {k: v for k, v in os.environ.items() if k not in drop}


@pytest.mark.skipif(sys.platform == "win32", reason="runs the Linux/macOS block")
@pytest.mark.skipif(shutil.which("python3") is None, reason="python3 is not on PATH")
@pytest.mark.skipif(shutil.which("git") is None, reason="git lists the tracked files")
def test_the_documented_commands_work_in_a_fresh_environment_without_make(tmp_path):
    project = _clean_copy(tmp_path / "sendready")
    assert not (project / ".venv").exists() and not (project / "data" / "sample").exists()
    env = _environment()
    timings: dict[str, float] = {}

    def run(argv: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
        start = time.perf_counter()
        done = subprocess.run(
            argv, cwd=project, env=env, capture_output=True, text=True, timeout=timeout
        )
        timings[" ".join(argv[:4])] = round(time.perf_counter() - start, 1)
        assert done.returncode == 0, f"{argv} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    for line in _documented()["posix"]:
        argv = shlex.split(line)
        if argv[3:4] == ["run"]:
            # Not a README step: a smaller sample than the one `run` would generate, so
            # that the documented command itself takes seconds rather than a minute.
            run([VENV_PYTHON, "-m", "sendready", "sample", "--scale", SAMPLE_SCALE], 120)
            done = run(argv, 600)
            assert "(all ok)" in done.stdout
            assert (
                project / "outputs" / "bury-2017-wsoa" / "board-pack" / "2019-03-31" / "index.html"
            ).is_file()
        elif argv[-1] == "pytest":
            done = run([*argv, "-q", "-p", "no:cacheprovider", *PYTEST_SUBSET], 300)
            assert " passed" in done.stdout and "failed" not in done.stdout
        else:
            run(argv, 600)
        if argv[-1] == "kernel":
            where = project / ".venv" / "share" / "jupyter" / "kernels" / "sendready"
            assert (where / "kernel.json").is_file()
            # The editable install is the copy's own code, not the tests' checkout.
            probe = run([VENV_PYTHON, "-c", "import sendready; print(sendready.__file__)"], 60)
            assert Path(probe.stdout.strip()).is_relative_to(project)
    print("timings (s):", timings)


def test_ci_runs_the_unit_tests_on_windows_macos_and_linux_the_readme_way():
    import yaml

    workflow = yaml.safe_load(
        (REPO_ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    )
    (job,) = workflow["jobs"].values()
    matrix = job["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "windows-latest", "macos-latest"}
    assert matrix["python-version"] == ["3.11"]
    commands = [step["run"] for step in job["steps"] if "run" in step]
    # The conda block's commands (plain `python`), the tests narrowed to the unit tests.
    conda = _documented()["conda"]
    assert commands[0] == 'python -m pip install -e ".[test]"'
    assert commands[1] == "python -m sendready kernel" == conda[2]
    assert commands[2].startswith(conda[-1] + " -m unit")
