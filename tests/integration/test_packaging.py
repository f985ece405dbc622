"""Packaging stays consistent: conda and pip environments, README, Makefile, CI, kernel.

These files describe the same thing in different places (the dependency list, the two
quick-start commands, the make targets), so each test compares two of them rather than
checking one against a copy of itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers import REPO_ROOT
from sendready.cli import build_parser
from sendready.cli import main as cli_main
from sendready.core.errors import SendreadyError
from sendready.publish.kernel import (
    DISPLAY_NAME,
    KERNEL_NAME,
    check_kernelspec,
    ensure_kernelspec,
    kernelspec_path,
)

ROOT = REPO_ROOT

# conda-forge names that differ from PyPI. The "-base"/"-core" packages are what pip
# installs; the conda packages without the suffix add Qt, statsmodels or pandoc.
CONDA_TO_PYPI = {
    "matplotlib-base": "matplotlib",
    "seaborn-base": "seaborn",
    "nbconvert-core": "nbconvert",
    "playwright-python": "playwright",
}
# The environment's pip: section installs sendready itself and what conda-forge lacks.
EDITABLE = "-e ."

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _specs(requirements: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Requirement strings as {normalised PyPI name: normalised version specifier}."""
    specs: dict[str, str] = {}
    for text in requirements:
        req = Requirement(text)
        name = canonicalize_name(mapping.get(req.name, req.name))
        assert name not in specs, f"{name} is listed twice"
        specs[name] = ",".join(sorted(str(s) for s in req.specifier))
    return specs


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _conda_lists(env: dict) -> tuple[list[str], list[list[str]]]:
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    return conda, pip


# --- environment.yml against pyproject.toml -------------------------------------------


def test_environment_yml_lists_the_same_packages_and_floors_as_pyproject():
    project = _pyproject()["project"]
    wanted = _specs(project["dependencies"] + project["optional-dependencies"]["test"], {})
    conda, pip = _conda_lists(_environment())
    packages = [d for d in conda if Requirement(d).name not in ("python", "pip")]
    packages += [d for section in pip for d in section if d != EDITABLE]
    assert _specs(packages, CONDA_TO_PYPI) == wanted


def _imported_top_level_modules() -> set[str]:
    """Top-level modules the suite's own code imports (read with ast, not run)."""
    import ast

    names: set[str] = set()
    for path in (ROOT / "lib" / "sendready").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_third_party_module_the_suite_imports_is_a_declared_dependency():
    # A package that only arrives through another's dependencies can vanish when that
    # package changes its own; what the code imports, pyproject must name.
    from importlib.metadata import packages_distributions

    declared = {
        canonicalize_name(Requirement(t).name) for t in _pyproject()["project"]["dependencies"]
    }
    providers = packages_distributions()
    undeclared = {}
    for module in sorted(
        _imported_top_level_modules() - set(sys.stdlib_module_names) - {"sendready", "__future__"}
    ):
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        assert dists, f"{module} is imported but no installed distribution provides it"
        if not dists & declared:
            undeclared[module] = sorted(dists)
    assert undeclared == {}


def test_every_dependency_has_a_lower_bound():
    # The conda file can only mirror floors that exist; a bare name would let the two
    # environments resolve to very different versions.
    project = _pyproject()["project"]
    for text in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert any(s.operator == ">=" for s in Requirement(text).specifier), text


def test_environment_yml_python_channel_and_editable_install():
    env = _environment()
    assert env["name"] == "sendready"
    assert env["channels"] == ["conda-forge"]
    conda, pip = _conda_lists(env)
    python = [Requirement(d) for d in conda if Requirement(d).name == "python"]
    assert [str(r.specifier) for r in python] == [_pyproject()["project"]["requires-python"]]
    assert "pip" in conda, "a pip: section needs pip itself in the environment"
    assert len(pip) == 1 and pip[0][-1] == EDITABLE  # sendready last, after what it needs
    assert pip[0].count(EDITABLE) == 1


# --- README, .ci/run and the Makefile ---------------------------------------------------


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start_commands() -> list[str]:
    section = re.search(r"^## Quick start\n(.*?)(?=^## )", _readme(), re.M | re.S)
    assert section, "README has no '## Quick start' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section.group(1), re.M | re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def _ci_commands() -> list[str]:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_readme_quick_start_is_exactly_the_two_commands():
    assert _quick_start_commands() == ["make reports", "make test"]


def test_ci_runs_exactly_the_readme_test_command():
    readme_test = _quick_start_commands()[1]
    commands = _ci_commands()
    assert commands.count(readme_test) == 1
    # No second, different way of running the tests that could pass where the README's fails.
    assert [c for c in commands if "pytest" in c or c.startswith("make test")] == [readme_test]


def test_ci_script_is_strict_and_executable():
    run = ROOT / ".ci" / "run"
    text = run.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in _ci_commands()
    assert os.access(run, os.X_OK)
    # A fresh environment every run: the old one is removed before `make setup`.
    commands = _ci_commands()
    assert commands.index("rm -rf .venv") < commands.index("make setup")


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    # Targets a person types; file targets start with $( and assignments contain '='.
    return {m.group(1) for m in re.finditer(r"^([a-z][a-z0-9_-]*):(?!=)", text, re.M)}


def test_readme_mentions_only_real_make_targets_and_commands():
    readme = _readme()
    assert set(re.findall(r"`make ([a-z-]+)", readme)) <= _makefile_targets()
    subcommands = next(a.choices for a in build_parser()._actions if a.dest == "command")
    assert set(re.findall(r"`sendready ([a-z]+)", readme)) <= set(subcommands)


def test_makefile_has_the_agreed_targets():
    assert {
        "help",
        "setup",
        "reports",
        "sample",
        "test",
        "lab",
        "lint",
        "clean",
        "distclean",
    } <= _makefile_targets()


@needs_make
def test_make_help_lists_every_target_with_a_description():
    result = _make(ROOT, "-s", "help")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    described = {}
    for line in out.splitlines():
        m = re.match(r"^  ([a-z][a-z0-9_-]*)\s+(\S.*)$", line)
        if m:
            described[m.group(1)] = m.group(2)
    assert set(described) == _makefile_targets()


def _scratch_project(tmp_path: Path) -> Path:
    """A folder with the Makefile and a pyproject.toml, to drive make without side effects."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def _make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Under `make test` the tests run inside make: without this, the inner make would
    # inherit the outer one's flags and announce "make[1]: Entering directory".
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    }
    return subprocess.run(
        ["make", *args], cwd=project, capture_output=True, text=True, timeout=60, env=env
    )


def _age(path: Path, seconds_ago: int) -> None:
    then = path.stat().st_mtime - seconds_ago if path.exists() else 0
    os.utime(path, (then, then))


def _installed_venv(project: Path) -> None:
    """Fake a finished `make setup`: the stamps are newer than pyproject.toml."""
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("bin/python", ".sendready-installed", ".sendready-kernel"):
        (venv / name).touch()
    _age(project / "pyproject.toml", 3600)


@needs_make
def test_make_refuses_a_python_older_than_3_11(tmp_path):
    project = _scratch_project(tmp_path)
    old_python = tmp_path / "python3.10"
    # Answers like Python 3.10: reports its version, fails the version check.
    old_python.write_text(
        '#!/bin/sh\n[ "$1" = "--version" ] && echo "Python 3.10.12" && exit 0\nexit 1\n'
    )
    old_python.chmod(0o755)
    result = _make(project, "setup", f"PYTHON={old_python}")
    assert result.returncode != 0
    assert "needs Python 3.11 or later" in result.stderr
    assert "Python 3.10.12" in result.stderr
    assert not (project / ".venv").exists()


@needs_make
def test_make_names_a_missing_python(tmp_path):
    project = _scratch_project(tmp_path)
    result = _make(project, "setup", "PYTHON=no-such-python3")
    assert result.returncode != 0
    assert "cannot find 'no-such-python3'" in result.stderr
    assert not (project / ".venv").exists()


@needs_make
def test_make_reports_generates_the_sample_only_when_missing(tmp_path):
    project = _scratch_project(tmp_path)
    _installed_venv(project)
    # The first story is judged before its re-visit; another profile at the latest quarter.
    ingest = ".venv/bin/sendready run --profile bury-2017-wsoa --period-end 2019-03-31"
    sample = ".venv/bin/sendready sample --out data/sample"

    first = _make(project, "-n", "reports")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [sample, ingest]

    (project / "data" / "sample").mkdir(parents=True)
    (project / "data" / "sample" / "extract.json").write_text("{}")
    again = _make(project, "-n", "reports", "PROFILE=bury-2024-priority-actions")
    assert again.stdout.splitlines() == [
        ".venv/bin/sendready run --profile bury-2024-priority-actions"
    ]


@needs_make
def test_make_reinstalls_only_when_pyproject_changes(tmp_path):
    project = _scratch_project(tmp_path)
    _installed_venv(project)
    assert "pip install" not in _make(project, "-n", "setup").stdout

    (project / "pyproject.toml").touch()  # now newer than the install stamp
    out = _make(project, "-n", "setup").stdout
    assert '.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"' in out
    assert ".venv/bin/sendready kernel" in out
    assert "python3 -m venv" not in out  # the environment itself is kept


@needs_make
def test_make_clean_keeps_the_venv_and_distclean_removes_it(tmp_path):
    project = _scratch_project(tmp_path)
    _installed_venv(project)
    for folder in ("outputs/bury-2017-wsoa/restricted/staged", "data/sample", "data/templates"):
        (project / folder).mkdir(parents=True)

    assert _make(project, "clean").returncode == 0
    assert not (project / "outputs").exists()
    assert not (project / "data" / "sample").exists()
    assert (project / "data" / "templates").exists()
    assert (project / ".venv").exists()

    assert _make(project, "distclean").returncode == 0
    assert not (project / ".venv").exists()


@needs_make
def test_make_clean_keeps_the_committed_outputs_readme(tmp_path):
    project = _scratch_project(tmp_path)
    (project / "outputs" / "bury-2017-wsoa" / "restricted" / "staged").mkdir(parents=True)
    (project / "outputs" / "bench").mkdir()
    (project / "outputs" / "README.md").write_text("what a run writes\n")

    assert _make(project, "clean").returncode == 0
    assert [p.name for p in (project / "outputs").iterdir()] == ["README.md"]


# --- the Jupyter kernel -----------------------------------------------------------------


def _spec(path: Path) -> dict:
    return json.loads((path / "kernel.json").read_text(encoding="utf-8"))


def test_ensure_kernelspec_installs_a_kernel_running_this_interpreter(tmp_path):
    path = ensure_kernelspec(prefix=tmp_path)
    assert path == tmp_path / "share" / "jupyter" / "kernels" / "sendready"
    assert path == kernelspec_path(tmp_path)
    spec = _spec(path)
    assert spec["argv"][0] == sys.executable
    assert spec["language"] == "python"
    assert spec["display_name"] == "Python 3 (sendready)" == DISPLAY_NAME
    # Jupyter substitutes the connection file; without it the kernel cannot start.
    assert "{connection_file}" in spec["argv"]


def test_kernelspec_path_defaults_to_this_environment():
    assert kernelspec_path() == Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME


def test_ensure_kernelspec_is_idempotent(tmp_path):
    kernel_json = ensure_kernelspec(prefix=tmp_path) / "kernel.json"
    _age(kernel_json, 3600)
    before = kernel_json.stat().st_mtime_ns
    assert ensure_kernelspec(prefix=tmp_path) == kernel_json.parent
    assert kernel_json.stat().st_mtime_ns == before


def test_ensure_kernelspec_replaces_a_stale_kernel(tmp_path):
    path = kernelspec_path(tmp_path)
    path.mkdir(parents=True)
    stale = {
        "argv": ["/opt/old-env/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
    }
    (path / "kernel.json").write_text(json.dumps(stale))
    ensure_kernelspec(prefix=tmp_path)
    assert _spec(path)["argv"][0] == sys.executable


def _stale_kernel(folder: Path) -> Path:
    kernel = folder / KERNEL_NAME
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    "/nonexistent/bin/python",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": DISPLAY_NAME,
                "language": "python",
            }
        )
    )
    return kernel


def test_check_kernelspec_accepts_the_installed_kernel(tmp_path):
    installed = ensure_kernelspec(prefix=tmp_path)
    assert check_kernelspec([installed.parent]) == installed


def test_check_kernelspec_rejects_a_kernel_shadowing_this_one(tmp_path):
    installed = ensure_kernelspec(prefix=tmp_path / "env")
    shadow = _stale_kernel(tmp_path / "home-kernels")
    # Jupyter searches the user's folder first, so the stale copy wins.
    with pytest.raises(SendreadyError, match="/nonexistent/bin/python") as excinfo:
        check_kernelspec([shadow.parent, installed.parent])
    assert str(shadow) in excinfo.value.hint


def test_check_kernelspec_reports_a_missing_kernel(tmp_path):
    with pytest.raises(SendreadyError, match="no kernel named 'sendready'"):
        check_kernelspec([tmp_path])


def test_kernel_check_command_finds_a_shadowing_kernel_on_jupyters_own_path(
    tmp_path, monkeypatch, capsys
):
    # JUPYTER_PATH comes first in Jupyter's search, ahead of the environment's own kernels:
    # the way a stray kernel hijacks notebook runs (docs/architecture.md, "Pitfalls").
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    _stale_kernel(tmp_path / "kernels")
    assert cli_main(["kernel", "--check"]) == 2
    assert "/nonexistent/bin/python" in capsys.readouterr().err
