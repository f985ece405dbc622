"""The notebook runner: process pool, time limits, retry, kernel transport, quiet kernels.

These run tiny notebooks (no suite imports), so each costs about a kernel start. The pool
run is repeated over both kernel transports (``ipc``, what Linux and macOS use, and
``tcp``, what Windows uses), always with the ``spawn`` start method, and with time limits
enforced without signals: what runs here is what runs on a Windows laptop.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sendready.publish import batch
from sendready.publish.batch import NotebookJob, run_job, run_jobs, today_label

KERNEL_META = {
    "kernelspec": {
        "name": "sendready",
        "display_name": "Python 3 (sendready)",
        "language": "python",
    },
    "language_info": {"name": "python"},
}
STDERR_MARK = "KERNEL-STDERR-MARK-7d1f"

OK_SOURCE = f"""\
import json, os
from ipykernel import get_connection_info
os.write(2, b"{STDERR_MARK}\\n")  # straight to the kernel's stderr, as kernel warnings go
info = json.loads(get_connection_info())
try:  # how the worker (this kernel's parent) was started, where /proc says (Linux)
    with open(f"/proc/{{os.getppid()}}/cmdline", "rb") as fh:
        worker = fh.read().decode(errors="replace").split("\\0")
except OSError:
    worker = None
print(json.dumps({{
    "transport": info["transport"], "ip": info["ip"], "answer": answer * 2, "worker": worker
}}))
"""
# A cell that ignores the interrupt: the whole-notebook limit must kill its kernel.
DEAF_SOURCE = """\
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(0.2)
"""


def _notebook(path: Path, source: str) -> Path:
    nb = new_notebook(
        cells=[
            new_code_cell("answer = 0", metadata={"tags": ["parameters"]}),
            new_markdown_cell("# A tiny report\n\n## First part\n\nText.\n\n## Second part"),
            new_code_cell(source),
        ],
        metadata=KERNEL_META,
    )
    nbformat.write(nb, path)
    return path


def _job(tmp: Path, key: str, source: str, **limits) -> NotebookJob:
    notebook = _notebook(tmp / f"{key}_source.ipynb", source)
    return NotebookJob(
        key=key,
        notebook=str(notebook),
        title=f"Report {key}",
        parameters={"answer": 21},
        executed_path=str(tmp / "out" / "notebooks" / f"{key}.ipynb"),
        html_path=str(tmp / "out" / f"{key}.html"),
        period_label="Quarter to 31 March 2019",
        area="Testarea",
        provenance=[("Area profile", "test-profile")],
        **limits,
    )


KEYS = ["ok", "boom", "slow_cell", "slow_notebook", "deaf", "after"]


@pytest.fixture(scope="module", params=["ipc", "tcp"])
def pool_run(request, tmp_path_factory):
    transport = request.param
    tmp = tmp_path_factory.mktemp(f"batch-{transport}")
    jobs = [
        _job(tmp, "ok", OK_SOURCE),
        _job(tmp, "boom", "raise ValueError('planted error')"),
        _job(tmp, "slow_cell", "import time\ntime.sleep(60)", cell_timeout=2),
        # Interrupted at the limit, in a kernel of its own (started by the notebook client).
        _job(
            tmp,
            "slow_notebook",
            "import time\nfor _ in range(120): time.sleep(0.5)",
            notebook_timeout=3,
            shared_kernel=False,
        ),
        # Ignores the interrupt, in a worker's warm kernel: killed after the grace period.
        _job(tmp, "deaf", DEAF_SOURCE, notebook_timeout=3, interrupt_grace=2),
        # Runs after the others in whichever worker is free: the batch goes on.
        _job(tmp, "after", OK_SOURCE),
    ]
    pickle.dumps(jobs)  # everything a spawned worker receives must pickle
    lines: list[str] = []
    log = tmp / "run.log"
    results = run_jobs(jobs, 2, progress=lines.append, log_path=log, transport=transport)
    return {
        "transport": transport,
        "tmp": tmp,
        "results": {r.key: r for r in results},
        "order": results,
        "lines": lines,
        "log": log,
    }


def _printed(pool_run, key: str) -> dict:
    executed = nbformat.read(pool_run["tmp"] / "out" / "notebooks" / f"{key}.ipynb", as_version=4)
    return json.loads(executed.cells[-1].outputs[0]["text"])


def test_pool_keeps_going_past_failures_and_exports_only_successes(pool_run):
    results = pool_run["results"]
    assert [r.key for r in pool_run["order"]] == KEYS
    assert {k: r.status for k, r in results.items()} == {
        "ok": "ok",
        "boom": "failed",
        "slow_cell": "failed",
        "slow_notebook": "failed",
        "deaf": "failed",
        "after": "ok",
    }
    out = pool_run["tmp"] / "out"
    assert {p.name for p in out.glob("*.html")} == {"ok.html", "after.html"}

    html = (out / "ok.html").read_text(encoding="utf-8")
    assert "<h1" in html and "A tiny report" in html and "os.write" not in html
    executed = nbformat.read(out / "notebooks" / "ok.ipynb", as_version=4)
    printed = json.loads(executed.cells[-1].outputs[0]["text"])
    assert printed["answer"] == 42  # the injected parameter (21), doubled in the kernel

    boom = results["boom"]
    assert "planted error" in boom.error and boom.summary == "a cell raised an error (ValueError)"
    assert "planted error" in (out / "notebooks" / "boom.ipynb").read_text()
    assert "per-cell time limit" in results["slow_cell"].error
    slow = results["slow_notebook"]
    assert "whole-notebook time limit" in slow.error and slow.seconds < 15
    assert slow.summary == "stopped at the time limit (3 s)"
    deaf = results["deaf"]  # interrupted at 3 s, ignored it, killed 2 s later
    assert "whole-notebook time limit" in deaf.error and 4 < deaf.seconds < 20
    assert _printed(pool_run, "after")["answer"] == 42
    assert len(pool_run["lines"]) == 6 and all("/6]" in line for line in pool_run["lines"])


def test_kernels_use_the_transport_asked_for(pool_run):
    printed = _printed(pool_run, "ok")
    assert printed["transport"] == pool_run["transport"]
    if pool_run["transport"] == "tcp":  # what Windows uses: loopback only
        assert printed["ip"] == "127.0.0.1"
        return
    socket_dir = Path(printed["ip"]).parent
    assert socket_dir.is_absolute() and socket_dir.name.startswith("sr-k-")
    assert len(printed["ip"]) + len("-5") < 107  # the Unix socket path limit
    assert not socket_dir.exists()  # cleaned up when the kernel stopped


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_are_spawned_not_forked(pool_run):
    # A spawned worker is a new interpreter started by multiprocessing's spawn_main; a
    # forked one would still show the test runner's command line.
    worker = _printed(pool_run, "ok")["worker"]
    assert any("spawn_main" in part for part in worker), worker


def test_kernel_and_worker_output_goes_to_the_log_not_the_terminal(pool_run, capfd):
    log = pool_run["log"].read_text(encoding="utf-8")
    assert STDERR_MARK in log
    assert "ok: done in" in log and "boom: failed after" in log
    terminal = capfd.readouterr()
    assert STDERR_MARK not in terminal.out + terminal.err


def test_a_kernel_that_fails_to_start_is_retried_once(monkeypatch, tmp_path):
    import papermill

    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs["kernel_name"])
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    monkeypatch.delenv(batch.TRANSPORT_ENV, raising=False)
    job = _job(tmp_path, "retry", "pass")
    assert batch._execute(job) == 2 and calls == ["sendready", "sendready"]

    calls.clear()

    def always_down(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(papermill, "execute_notebook", always_down)
    with pytest.raises(RuntimeError):
        batch._execute(job)
    assert len(calls) == 2  # one retry, not more

    calls.clear()

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(papermill, "execute_notebook", broken)
    with pytest.raises(OSError):
        batch._execute(job)
    assert len(calls) == 1  # not a kernel start failure: no retry


def test_a_missing_kernel_fails_the_job_with_a_clear_message(tmp_path):
    job = _job(tmp_path, "nokernel", "pass")
    job.kernel_name = "no-such-kernel-for-sendready-tests"
    result = run_job(job)
    assert result.status == "failed" and "make setup" in result.error
    assert not Path(job.html_path).exists()


def test_run_date_label_is_british_and_portable():
    assert today_label(dt.datetime(2019, 3, 5, 9, 7)) == "5 March 2019 at 09:07"


MARK_SOURCE = """\
import json, os, sys
seen = getattr(sys, "_sendready_test_mark", None)
sys._sendready_test_mark = "{key}"  # state a reset keeps: it lives in an imported module
print(json.dumps({{"pid": os.getpid(), "seen": seen}}))
"""


def test_a_bespoke_notebook_gets_a_kernel_of_its_own(tmp_path):
    jobs = [
        _job(tmp_path, "first", MARK_SOURCE.format(key="first")),
        _job(tmp_path, "bespoke", MARK_SOURCE.format(key="bespoke"), shared_kernel=False),
        _job(tmp_path, "third", MARK_SOURCE.format(key="third")),
    ]
    results = run_jobs(jobs, 1, progress=lambda line: None)
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    printed = {}
    for key in ("first", "bespoke", "third"):
        executed = nbformat.read(tmp_path / "out" / "notebooks" / f"{key}.ipynb", as_version=4)
        printed[key] = json.loads(executed.cells[-1].outputs[0]["text"])
    # The suite's notebooks share the worker's warm kernel, and module state survives the
    # reset (which is why an area's own notebook must not share it) ...
    assert printed["third"]["pid"] == printed["first"]["pid"]
    assert printed["third"]["seen"] == "first"
    # ... while the bespoke notebook ran in a fresh kernel and left nothing behind.
    assert printed["bespoke"]["pid"] != printed["first"]["pid"]
    assert printed["bespoke"]["seen"] is None


def test_the_pool_spawns_its_workers_on_every_platform():
    assert batch.pool_context().get_start_method() == "spawn"


def test_the_transport_is_chosen_by_capability_and_can_be_forced(monkeypatch):
    from sendready.core.errors import SendreadyError

    monkeypatch.delenv(batch.TRANSPORT_ENV, raising=False)
    expected = "ipc" if batch.ipc_available() else "tcp"
    assert batch.choose_transport() == expected == batch.choose_transport("auto")
    assert batch.choose_transport("tcp") == "tcp"
    monkeypatch.setenv(batch.TRANSPORT_ENV, "TCP")
    assert batch.choose_transport() == "tcp"
    assert batch.choose_transport("ipc" if batch.ipc_available() else "tcp") in ("ipc", "tcp")
    with pytest.raises(SendreadyError, match="Unknown kernel transport"):
        batch.choose_transport("udp")
    monkeypatch.setattr(batch, "ipc_available", lambda: False)  # as on Windows
    monkeypatch.delenv(batch.TRANSPORT_ENV)
    assert batch.choose_transport() == "tcp"
    with pytest.raises(SendreadyError, match="not available"):
        batch.choose_transport("ipc")


def test_a_tcp_kernel_listens_on_loopback_only():
    sockets, config = batch._kernel_setup("tcp")
    assert sockets is None
    assert config.KernelManager.transport == "tcp" and config.KernelManager.ip == "127.0.0.1"


def test_a_kernel_is_ready_once_it_answers_and_runs_code_at_once():
    from functools import partial

    from sendready.publish import kernelpool

    setup = partial(batch._kernel_setup, batch.choose_transport())
    manager, sockets = kernelpool.start(batch.KERNEL_NAME, str(Path.cwd()), setup)
    try:
        client = manager.client()
        assert type(client).wait_for_ready is kernelpool._wait_for_ready
        client.start_channels()
        try:
            kernelpool._run(client.wait_for_ready, timeout=60)
            # Straight after: nothing was lost by not draining IOPub; the output arrives.
            seen = []
            reply = kernelpool._run(
                client.execute_interactive,
                "print(6 * 7)",
                timeout=60,
                output_hook=lambda msg: seen.append(msg["content"].get("text", "")),
            )
            assert reply["content"]["status"] == "ok"
            assert "".join(seen).strip() == "42"
        finally:
            client.stop_channels()
    finally:
        kernelpool.stop(manager, sockets)


def test_waiting_for_a_dead_kernel_fails_rather_than_hangs():
    from functools import partial

    from sendready.publish import kernelpool

    setup = partial(batch._kernel_setup, batch.choose_transport())
    manager, sockets = kernelpool.start(batch.KERNEL_NAME, str(Path.cwd()), setup)
    client = manager.client()
    kernelpool._run(manager.shutdown_kernel, now=True)
    try:
        client.start_channels()
        with pytest.raises(RuntimeError, match="died|respond"):
            kernelpool._run(client.wait_for_ready, timeout=5)
    finally:
        client.stop_channels()
        kernelpool.stop(manager, sockets)


HISTORY_SOURCE = """\
import json
print(json.dumps({"history": get_ipython().history_manager.hist_file}))
"""


def test_every_report_kernel_keeps_its_history_in_memory(tmp_path):
    # Kernels sharing one history file on disk locked it against each other, and the
    # history thread's complaint ended up in a report: warm and own kernels alike.
    jobs = [
        _job(tmp_path, "warm", HISTORY_SOURCE),
        _job(tmp_path, "warm_again", HISTORY_SOURCE),
        _job(tmp_path, "own", HISTORY_SOURCE, shared_kernel=False),
    ]
    results = run_jobs(jobs, 1, progress=lambda line: None)
    assert [r.status for r in results] == ["ok", "ok", "ok"]
    for key in ("warm", "warm_again", "own"):
        executed = nbformat.read(tmp_path / "out" / "notebooks" / f"{key}.ipynb", as_version=4)
        assert json.loads(executed.cells[-1].outputs[0]["text"]) == {"history": ":memory:"}
