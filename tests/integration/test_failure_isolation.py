"""Guarantee: one report that fails leaves every other report intact and the record true.

One board pack is run through ``sendready run`` in a fresh interpreter, so that its
terminal output is exactly what a user would see (its logging included), for a profile
whose weaknesses fail in every way a batch meets:

========  ===================================================================
W1        a bespoke notebook that customises the suite's badge colours, then fails:
          nothing it changed may reach a report run after it on the same worker
W2        the generic report: must succeed
W3        a bespoke notebook whose kernel is killed (SIGKILL) mid-cell
W4        a bespoke notebook whose cell sleeps past the per-cell time limit
W5        the generic report, but the disk is full when its HTML is written
W6        the generic report, but the disk is full when its executed notebook is written
========  ===================================================================

The board summary and the data-quality report must succeed too.

A full disk is simulated with ``/dev/full``, where every write fails with ``ENOSPC``,
exactly as on a full disk, in whichever process writes. Before the run, the path of an
executed notebook is made a symbolic link to it. A page is built in a fresh folder that
the run itself creates (``.<period>.building``, swapped in when complete), so no link can
be placed there beforehand: instead a ``sitecustomize`` module, put first on the run's
``PYTHONPATH`` and so loaded by every process of it, sends any opening of a file named
``W5.html.tmp`` (the file the batch writes W5's page through, see
``batch._write_atomic``) to ``/dev/full``. Nothing in the library knows about the test (a
test-only hook in library code would prove nothing), and a monkeypatch could not reach
the worker processes and kernels anyway.

The bespoke notebooks are named in the profile by absolute path (``weaknesses[].notebook``)
because ``sendready run`` has no option for another notebooks folder; the generic reports
come from the project's ``notebooks/``. An environment variable carrying a random token
marks the run's processes, so that the test can find any worker or kernel left running.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers import REPO_ROOT
from sendready.metadata.profile import builtin_profiles
from sendready.publish.export import check_board_html
from sendready.sample import generate_sample

pytestmark = pytest.mark.skipif(
    not os.path.exists("/dev/full") or not hasattr(os, "symlink"),
    reason="needs /dev/full to simulate a full disk",
)

ROOT = REPO_ROOT
PERIOD_END = "2019-03-31"
SCALE = 0.2
WEAKNESSES = ("W1", "W2", "W3", "W4", "W5", "W6")
CELL_TIMEOUT = 25  # the generic reports' slowest cell takes a few seconds
POISON = "#f00ba7"  # the colour the failing bespoke notebook paints every badge

BESPOKE = {
    "customise_then_fail": [
        # Shows the test that kernels carry the run's token (see _processes_with).
        "import os, pathlib\npathlib.Path(outputs_dir, 'kernel-token.txt').write_text("
        "os.environ.get('SENDREADY_TEST_TOKEN', ''))",
        # An area customising the suite's look in its own notebook is ordinary; a
        # failure after it must not leave the customisation behind for other reports.
        "from sendready.reports import common\n"
        f"common.BADGE_COLOURS.update(dict.fromkeys(common.BADGE_COLOURS, {POISON!r}))\n"
        f"common.DEFAULT_BADGE = {POISON!r}",
        "raise RuntimeError('the bespoke analysis found no data')",
    ],
    "kill_kernel": ["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"],
    "hang": ["import time\ntime.sleep(600)"],
}
NOTEBOOKS = {"W1": "customise_then_fail", "W3": "kill_kernel", "W4": "hang"}
OK = ("board_summary", "W2", "data_quality")
# Each failed report and words its recorded error must contain.
FAILED = {
    "W1": "RuntimeError: the bespoke analysis found no data",
    "W3": "DeadKernelError",
    "W4": f"a cell ran for more than {CELL_TIMEOUT} s (per-cell time limit)",
    "W5": "[Errno 28] No space left on device",
    "W6": "[Errno 28] No space left on device",
}


def _bespoke_notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "sendready",
        "display_name": "sendready",
        "language": "python",
    }
    params = 'profile = ""\ndata_dir = ""\nperiod_end = ""\noutputs_dir = ""\nweakness_id = ""'
    nb.cells = [
        nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("# A bespoke report"),
        *(nbformat.v4.new_code_cell(source) for source in cells),
    ]
    nbformat.write(nb, path)
    return path


def _processes_with(token: str) -> list[int]:
    """Live processes whose environment holds ``token`` (this run's workers and kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if token.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                if "\nState:\tZ" not in status:  # a zombie holds no resources
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


# Loaded first by every process of the run (see the module docstring): writing W5's page
# meets a full disk, whichever folder the page is built in.
_FULL_DISK_AT_W5_PAGE = """
import io

_open = io.open


def _open_full_at_w5_page(file, *args, **kwargs):
    if str(file).endswith("W5.html.tmp"):
        file = "/dev/full"
    return _open(file, *args, **kwargs)


io.open = _open_full_at_w5_page
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("isolation")
    data = root / "data"
    generate_sample(data, scale=SCALE, seed=2017)
    notebooks = root / "bespoke"
    notebooks.mkdir()
    profile = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    profile["weaknesses"] = [w for w in profile["weaknesses"] if w["id"] in WEAKNESSES]
    for weakness in profile["weaknesses"]:
        if weakness["id"] in NOTEBOOKS:
            name = NOTEBOOKS[weakness["id"]]
            path = _bespoke_notebook(notebooks / f"{name}.ipynb", BESPOKE[name])
            weakness["notebook"] = str(path)  # absolute, so `sendready run` takes it as given
    profile_path = root / "profile.yaml"
    profile_path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")

    outputs = root / "outputs"
    folder = outputs / profile["id"] / "board-pack" / PERIOD_END
    restricted = outputs / profile["id"] / "restricted" / PERIOD_END
    folder.mkdir(parents=True)
    (restricted / "notebooks").mkdir(parents=True)
    full_disk = root / "full_disk"
    full_disk.mkdir()
    (full_disk / "sitecustomize.py").write_text(_FULL_DISK_AT_W5_PAGE, encoding="utf-8")
    (restricted / "notebooks" / "W6.ipynb").symlink_to("/dev/full")

    # Marks this run's workers and kernels, so the test can look for any left running.
    token = f"isolation-{uuid.uuid4().hex}"
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sendready.cli",
            "run",
            "--profile",
            str(profile_path),
            "--data",
            str(data),
            "--out",
            str(outputs),
            "--period-end",
            PERIOD_END,
            "--jobs",
            "2",
            "--force",
            "--cell-timeout",
            str(CELL_TIMEOUT),
            "--notebook-timeout",
            "600",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "SENDREADY_TEST_TOKEN": token,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(full_disk), os.environ.get("PYTHONPATH", "")) if p
            ),
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return {
        "done": done,
        "folder": folder,
        "restricted": restricted,
        "outputs": outputs,
        "token": token,
        "seconds": time.perf_counter() - started,
    }


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_the_command_fails_and_says_which_reports_failed_and_why(run):
    done = run["done"]
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert f"{run['folder'] / 'index.html'} ({len(FAILED)} failed)" in done.stdout
    failed_lines = [line for line in done.stderr.splitlines() if "FAILED" in line]
    assert len(failed_lines) == len(FAILED), failed_lines
    for key, words in FAILED.items():
        (line,) = [f for f in failed_lines if f.strip().startswith(f"FAILED {key}:")]
        assert words in line


def test_the_manifest_records_each_outcome_truthfully(run):
    folder = run["folder"]
    manifest = _manifest(run["restricted"])
    assert manifest["status"] == "failed"
    assert sorted(manifest["failed"]) == sorted(FAILED)
    records = {r["key"]: r for r in manifest["notebooks"]}
    assert set(records) == set(OK) | set(FAILED)
    for key in OK:
        rec = records[key]
        assert (rec["status"], rec["error"]) == ("ok", ""), rec
        assert (folder / rec["html"]).is_file()
        assert rec["html"] == f"{key}.html"
    for key, words in FAILED.items():
        rec = records[key]
        assert rec["status"] == "failed"
        assert words in rec["error"], rec["error"]
        assert rec["summary"] and rec["html"] == ""
        assert not (folder / f"{key}.html").exists()
    # The time limit was really applied: the hanging cell was stopped, not waited for.
    assert CELL_TIMEOUT <= records["W4"]["seconds"] < CELL_TIMEOUT + 60
    assert run["seconds"] < 600


def test_the_other_reports_are_complete_and_untouched(run):
    folder = run["folder"]
    for key in OK:
        html = (folder / f"{key}.html").read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>"), key
        check_board_html(html, key)  # a real board page: headings, alt text, no URLs
        # Nothing the failing bespoke notebook changed reached a later report.
        assert POISON not in html, f"{key} shows the colours of a failed notebook"
    w2 = (folder / "W2.html").read_text(encoding="utf-8")
    assert "W2: " in w2 and "Provenance" in w2


def test_the_index_shows_the_failures_and_links_only_what_exists(run):
    index = (run["folder"] / "index.html").read_text(encoding="utf-8")
    assert POISON not in index
    links = set(re.findall(r'href="([^"#:/]+\.html)"', index))
    assert links == {f"{key}.html" for key in OK}
    failures = index.split('<h2 id="failed-reports">Reports that failed to run</h2>')[1]
    failures = failures.split("</div>")[0]
    assert re.findall(r"<strong>(W\d): ", failures) == sorted(FAILED)
    for key in FAILED:
        assert re.search(
            rf'<th scope="row">{key}: [^<]*<span class="sr-failed">'
            r"\(report failed to run\)</span></th>",
            index,
        ), key
    assert '<a href="W2.html">W2: ' in index


def test_no_half_written_file_is_left_behind(run):
    leftovers = [
        p
        for p in run["outputs"].rglob("*")
        if p.suffix in (".tmp", ".part") or p.name.startswith(".ingest-")
    ]
    assert leftovers == []
    for page in run["folder"].glob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page.name
    _manifest(run["folder"])  # whole, valid JSON


def test_no_worker_or_kernel_is_left_running(run):
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to find this run's processes")
    # Kernels inherit the token, so a kernel left running would be found.
    assert (run["outputs"] / "kernel-token.txt").read_text() == run["token"]
    deadline = time.monotonic() + 20
    while (left := _processes_with(run["token"])) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], "processes of the run still alive (a hung or orphaned kernel)"
