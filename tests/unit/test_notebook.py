"""The notebooks' entry point, apart from the data: which code and folders it reports,
which progress bar it picks, and SendreadyError shown as one line in IPython."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import sendready
from helpers import REPO_ROOT
from sendready import notebook
from sendready.core.errors import SendreadyError
from sendready.metadata.profile import load_profile


def test_code_version_names_the_imported_package_and_its_commit():
    code = notebook.code_version()
    package = Path(sendready.__file__).resolve().parent
    assert code["version"] == sendready.__version__
    assert code["package"] == str(package)
    if shutil.which("git") is None:
        assert code["commit"].startswith("none")
        return
    head = subprocess.run(
        ["git", "-C", str(package), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if head.returncode != 0:  # an installed copy, not a checkout
        assert code["commit"].startswith("none")
    else:
        assert code["commit"].split()[0] == head.stdout.strip()[:12]


def test_uses_says_when_the_code_is_not_the_projects_own(tmp_path):
    profile = load_profile("bury-2017-wsoa")
    other = tmp_path / "other-checkout"
    (other / "notebooks").mkdir(parents=True)
    (other / "pyproject.toml").write_text("[project]\nname = 'sendready'\n")
    uses = notebook._uses(profile, other / "data", other / "outputs", other)
    assert uses["profile"] == "bury-2017-wsoa (Bury)"
    assert uses["data folder"] == str((other / "data").resolve())
    assert uses["outputs folder"] == str((other / "outputs").resolve())
    assert f"not the code of the project at {other.resolve()}" in uses["note"]
    text = notebook.uses_text(uses)
    assert text.splitlines()[1] == f"code from:      {Path(sendready.__file__).resolve().parent}"
    # This checkout's own code (the tests import lib/ from it): no note.
    package = Path(sendready.__file__).resolve()
    if package.is_relative_to(REPO_ROOT.resolve()):
        assert "note" not in notebook._uses(profile, REPO_ROOT, REPO_ROOT, REPO_ROOT)


def test_progress_bar_is_the_widget_only_in_a_kernel_with_ipywidgets(monkeypatch):
    from tqdm.notebook import tqdm as widget
    from tqdm.std import tqdm as text

    assert notebook.progress_class() is text  # no kernel here
    monkeypatch.setattr(notebook, "_in_kernel", lambda: True)
    monkeypatch.setattr(notebook.importlib.util, "find_spec", lambda name: None)
    assert notebook.progress_class() is text  # a kernel, but no ipywidgets
    monkeypatch.setattr(notebook.importlib.util, "find_spec", lambda name: object())
    assert notebook.progress_class() is widget


def test_progress_steps_write_each_step_to_stderr(capsys):
    with notebook._progress(2, enabled=True) as steps:
        steps.start("Checking the extracts")
        steps.done()
        steps.start("Building the evidence")
        steps.done()
    err = capsys.readouterr().err
    # Each step shows its words while it runs, with the steps done before it.
    assert "Checking the extracts: 0/2 steps" in err
    assert "Building the evidence: 1/2 steps" in err
    assert "Ready: 2/2 steps" in err
    with notebook._progress(2, enabled=False) as steps:
        steps.start("Checking the extracts")
        steps.done()
    assert capsys.readouterr().err == ""


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    yield ip
    ip.set_custom_exc((), None)
    InteractiveShell.clear_instance()


def test_a_sendready_error_in_ipython_shows_one_line_not_a_traceback(shell, capsys):
    assert notebook.install_error_handler(shell)
    shell.user_ns["SendreadyError"] = SendreadyError
    result = shell.run_cell(
        "def deep():\n    raise SendreadyError('No file W1.csv', hint='Add it to the folder.')\n"
        "deep()"
    )
    out = capsys.readouterr()
    assert isinstance(result.error_in_exec, SendreadyError)  # the cell still fails
    shown = (out.out + out.err).strip()
    assert shown == "sendready: No file W1.csv\nWhat to do: Add it to the folder."
    # Any other exception is a bug, and keeps its traceback.
    shell.run_cell("def bug():\n    return 1 / 0\nbug()")
    bug = capsys.readouterr()
    assert "Traceback" in bug.out + bug.err and "ZeroDivisionError" in bug.out + bug.err


def test_no_handler_outside_ipython(monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert notebook.install_error_handler() is False
