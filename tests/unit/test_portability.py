"""A grep-able guarantee: the suite uses no POSIX-only call without a portable alternative.

Council and NHS analysts mostly run sendready on managed Windows laptops, and CI runs the
unit tests on Windows and macOS as well as Linux (.github/workflows/tests.yml). This test
reads every module of ``lib/sendready`` (with ``ast``, not by running it) and finds:

* imports of modules that exist on one platform only (``signal`` too: the batch's time
  limits need no signals, see ``sendready.publish.batch``);
* ``os`` functions and constants that Windows lacks (``os.fork``, ``os.getuid``,
  ``os.getloadavg``, ...);
* the ``fork`` and ``forkserver`` start methods, and process pools made without an
  explicit (spawn) context;
* hard-coded POSIX paths (``/proc``, ``/tmp``, ``/usr/...``).

Each occurrence must sit inside a branch (``if``, a conditional expression or a ``try``
with a handler) in its own function, or be a module-level constant used only inside such
branches, *and* be listed in ``ALLOWED`` with the reason and the portable alternative.
An entry that no longer matches anything fails too, so the list stays true.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import sendready

PACKAGE = Path(sendready.__file__).resolve().parent

ONE_PLATFORM_MODULES = {
    # POSIX only
    "signal",  # exists on Windows, but with few signals: the suite needs none
    "fcntl",
    "pwd",
    "grp",
    "resource",
    "termios",
    "tty",
    "pty",
    "posix",
    "crypt",
    "spwd",
    "syslog",
    "nis",
    "readline",
    "curses",
    # Windows only
    "msvcrt",
    "winreg",
    "_winapi",
    "winsound",
}
POSIX_ONLY_OS = {
    "fork",
    "forkpty",
    "register_at_fork",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getgroups",
    "setuid",
    "setgid",
    "setsid",
    "setpgrp",
    "getpgid",
    "killpg",
    "nice",
    "getpriority",
    "setpriority",
    "chown",
    "lchown",
    "fchown",
    "mkfifo",
    "mknod",
    "statvfs",
    "fstatvfs",
    "uname",
    "sync",
    "wait3",
    "wait4",
    "WNOHANG",
    "getloadavg",
    "sched_getaffinity",
    "sched_setaffinity",
    "pathconf",
    "sysconf",
    "openpty",
    "ttyname",
    "ctermid",
    "posix_spawn",
    "O_NOFOLLOW",
}
START_METHODS = {"fork", "forkserver"}
POSIX_PATHS = ("/proc", "/dev/", "/tmp", "/usr/", "/etc/", "/bin/")

# (module, what) -> why it is safe: the branch it sits in and the portable alternative,
# with the test that exercises that alternative.
ALLOWED: dict[tuple[str, str], str] = {
    ("dev/bench.py", "import resource"): (
        "_usage(): CPU and peak memory for make bench; ImportError (Windows) gives 0, as "
        "the /proc readers do (test_bench_usage_without_the_resource_module)"
    ),
    ("dev/bench.py", "os.getloadavg"): (
        "guarded by hasattr(os, 'getloadavg'); None or NaN elsewhere "
        "(test_bench_machine_info_without_posix_extras)"
    ),
    ("dev/bench.py", "os.sched_getaffinity"): (
        "guarded by hasattr(os, 'sched_getaffinity'); None elsewhere "
        "(test_bench_machine_info_without_posix_extras)"
    ),
    ("dev/bench.py", "'/proc'"): (
        "bench's memory sampler and machine description read /proc inside try/except "
        "OSError or after checking it exists; 0 or 'unknown' elsewhere "
        "(test_bench_machine_info_without_posix_extras)"
    ),
    ("dev/bench.py", "'/usr/'"): (
        "TIME_BINARY (/usr/bin/time) is used only if os.access says it can be run; "
        "otherwise bench measures through its own _rusage runner"
    ),
    ("publish/batch.py", "'/tmp'"): (
        "_socket_dir(), ipc kernels only (never on Windows): a shorter base for Unix socket "
        "paths if the temporary folder's is too long, used only if os.path.isdir('/tmp'); "
        "otherwise the kernel uses tcp (test_batch.py runs both transports)"
    ),
}


def _findings(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node, f"import {a.name}")
                for a in node.names
                if a.name.split(".")[0] in ONE_PLATFORM_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in ONE_PLATFORM_MODULES:
                found.append((node, f"import {node.module}"))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in POSIX_ONLY_OS
        ):
            found.append((node, f"os.{node.attr}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in START_METHODS:
                found.append((node, f"start method {node.value!r}"))
            for prefix in POSIX_PATHS:
                if node.value.startswith(prefix):
                    found.append((node, repr(prefix)))
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            keywords = {k.arg for k in node.keywords}
            if name == "ProcessPoolExecutor" and "mp_context" not in keywords:
                found.append((node, "ProcessPoolExecutor without mp_context"))
            if name in ("Pool", "Process") and getattr(node.func, "value", None) is not None:
                base = node.func.value
                if isinstance(base, ast.Name) and base.id == "multiprocessing":
                    found.append((node, f"multiprocessing.{name} (default start method)"))
    return found


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST], checks: bool = False) -> bool:
    """Inside an if, a conditional expression or a try with handlers, in its own function.

    With ``checks``, the condition itself counts too: a path tested for existence there
    (``if os.access(TIME_BINARY, os.X_OK)``) is the check, safe on any platform.
    """
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.If | ast.IfExp) and (checks or node is not parent.test):
            return True
        if isinstance(parent, ast.Try) and parent.handlers and node in parent.body:
            return True
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return False
        node = parent
    return False


def _module_constant(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    parent = parents.get(node)
    if isinstance(parent, ast.Assign) and isinstance(parents.get(parent), ast.Module):
        targets = [t.id for t in parent.targets if isinstance(t, ast.Name)]
        return targets[0] if len(targets) == 1 else None
    return None


def _scan() -> tuple[dict[tuple[str, str], list[int]], list[str]]:
    seen: dict[tuple[str, str], list[int]] = {}
    unguarded: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        for node, what in _findings(tree):
            seen.setdefault((module, what), []).append(node.lineno)
            constant = _module_constant(node, parents)
            if constant is not None:
                uses = [
                    n
                    for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and n.id == constant and isinstance(n.ctx, ast.Load)
                ]
                if uses and all(_guarded(n, parents, checks=True) for n in uses):
                    continue
            if not _guarded(node, parents, checks=what.startswith("'")):
                unguarded.append(f"{module}:{node.lineno}: {what}")
    return seen, unguarded


def test_no_posix_only_call_outside_a_branch_with_a_portable_alternative():
    seen, unguarded = _scan()
    unlisted = sorted(f"{m}: {w} (lines {seen[(m, w)]})" for m, w in seen if (m, w) not in ALLOWED)
    assert unlisted == [], "add a portable alternative (and an ALLOWED entry) for these"
    assert unguarded == [], "these run unconditionally: put them behind a tested branch"


def test_every_allowed_entry_still_matches_something():
    seen, _ = _scan()
    assert sorted(set(ALLOWED) - set(seen)) == []


def test_the_scanner_catches_what_it_is_meant_to_catch():
    source = """
import fcntl, signal
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

def f():
    signal.alarm(3)
    multiprocessing.get_context("fork")
    os.getuid()
    ProcessPoolExecutor(2)
    open("/proc/self/status")

def g():
    try:
        import resource
    except ImportError:
        resource = None
    return os.getloadavg() if hasattr(os, "getloadavg") else None
"""
    tree = ast.parse(source)
    parents = _parents(tree)
    found = {(what, _guarded(node, parents)) for node, what in _findings(tree)}
    assert found == {
        ("import fcntl", False),
        ("import signal", False),
        ("start method 'fork'", False),
        ("os.getuid", False),
        ("ProcessPoolExecutor without mp_context", False),
        ("'/proc'", False),
        ("import resource", True),
        ("os.getloadavg", True),
    }


# --- the portable alternatives named above ------------------------------------------------


def test_bench_usage_without_the_resource_module(monkeypatch):
    from sendready.dev import bench

    monkeypatch.setitem(sys.modules, "resource", None)  # as on Windows: ImportError
    assert bench._usage() == (0.0, 0.0) and bench._usage(children=True) == (0.0, 0.0)


def test_bench_machine_info_without_posix_extras(monkeypatch):
    import os

    from sendready.dev import bench

    for name in ("getloadavg", "sched_getaffinity"):
        monkeypatch.delattr(os, name, raising=False)
    monkeypatch.setattr(bench, "Path", _NoProc)
    info = bench.machine_info()
    assert info["load_average"] is None
    monkeypatch.setattr(bench.os, "scandir", _no_proc_scandir)
    monkeypatch.setattr(bench, "open", _no_proc_open, raising=False)  # shadows the builtin
    assert bench._children(os.getpid()) == [] and bench._pss_kb(os.getpid()) == 0


class _NoProc(type(Path())):
    """A Path under which /proc does not exist (as on Windows and macOS)."""

    def read_text(self, *args, **kwargs):
        if str(self).startswith("/proc"):
            raise FileNotFoundError(str(self))
        return super().read_text(*args, **kwargs)

    def exists(self, *args, **kwargs):
        return False if str(self).startswith("/proc") else super().exists(*args, **kwargs)


def _no_proc_scandir(path="."):
    raise FileNotFoundError(path)


def _no_proc_open(path, *args, **kwargs):
    raise FileNotFoundError(path)


@pytest.mark.parametrize("start_method", ["spawn"])
def test_the_batch_pool_start_method_is_spawn(start_method):
    from sendready.publish import batch

    assert batch.START_METHOD == start_method
    assert batch.pool_context().get_start_method() == start_method
