"""The notebooks' entry point: :func:`open_report` gives a notebook everything it shows.

Notebooks stay thin: they pass their papermill parameters (JSON primitives; dates as ISO
text) to :func:`open_report` and get back a :class:`~sendready.reports.context.ReportContext`
with the profile, the staged data and the period's evidence. As ``cli.py`` is the entry
point for the shell, this module is the one for notebooks, and may use every stage.

For an analyst at the keyboard, :func:`open_report` also

- says which code it runs (version, the folder the ``sendready`` package was imported
  from, its git commit) and which profile, data and outputs folders it uses, because a
  kernel can import an editable install from another checkout without any sign of it;
- shows a progress bar while it generates the sample, checks the extracts and builds the
  evidence (the first "Run All" on a new checkout takes about a minute);
- makes a :class:`~sendready.core.errors.SendreadyError` raised in any later cell show as
  its message only, as the command line does, rather than under a traceback.

All three write to the notebook's stderr (or the kernel's error display), which the board
HTML never carries (:mod:`sendready.publish.export` drops stderr): paths must not reach
the board pack. Under ``sendready run`` (``staged_fingerprint`` set) there is no progress
bar, as nothing slow happens there.
"""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sendready
from sendready.core.errors import SendreadyError
from sendready.ingest.plan import pinned_staged
from sendready.ingest.run import run_ingest
from sendready.metadata.profile import load_profile
from sendready.publish.evidence_cache import evidence_key, load_or_build_evidence
from sendready.publish.parameters import check_report_parameters
from sendready.publish.paths import (
    default_data_dir,
    ensure_restricted,
    ensure_sample,
    project_root,
    restricted_period_dir,
    staged_dir,
)
from sendready.reports.context import ReportContext, shared_narrator
from sendready.reports.drilldown import list_providers, list_schools

__all__ = [
    "ReportContext",
    "code_version",
    "interactive_tables",
    "list_providers",
    "list_schools",
    "open_report",
    "project_root",
    "shared_narrator",
]

log = logging.getLogger("sendready.notebook")

GIT_TIMEOUT_SECONDS = 5  # a hung git (network file system) must not hold up a notebook


# --- which code, which folders ---------------------------------------------------------------


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_version() -> dict[str, str]:
    """The sendready code this kernel runs: version, the package's folder, git commit.

    The folder is where ``import sendready`` actually found the package, which is the
    question when two checkouts exist: an editable install points at one of them whatever
    the notebook's own folder is. The commit is the checkout's ``HEAD`` (with
    "uncommitted changes" when the package's files differ from it), or says why there is
    none (an installed copy, or no git).
    """
    package = Path(sendready.__file__).resolve().parent
    commit = _git(package, "rev-parse", "--short=12", "HEAD")
    if commit is None:
        commit = "none (not a git checkout, or git is not installed)"
    elif _git(package, "status", "--porcelain", "--untracked-files=no", "--", "."):
        commit += " (with uncommitted changes)"
    return {"version": sendready.__version__, "package": str(package), "commit": commit}


def _uses(profile, data: Path, outputs: Path, root: Path) -> dict[str, str]:
    code = code_version()
    uses = {
        "sendready": f"{code['version']}, commit {code['commit']}",
        "code from": code["package"],
        "profile": f"{profile.id} ({profile.area.name})",
        "data folder": str(data.resolve()),
        "outputs folder": str(outputs.resolve()),
    }
    package = Path(code["package"])
    if (root / "pyproject.toml").exists() and not package.is_relative_to(root.resolve()):
        uses["note"] = (
            f"this is not the code of the project at {root.resolve()}: the kernel imports "
            "sendready from elsewhere (an editable install of another checkout?)"
        )
    return uses


def uses_text(uses: dict[str, str]) -> str:
    """The lines :func:`open_report` prints about the code and folders it uses."""
    width = max(len(k) for k in uses)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in uses.items())


# --- progress --------------------------------------------------------------------------------


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (not a terminal IPython, not plain Python)."""
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    ip = get() if get else None
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def progress_class():
    """tqdm's notebook widget in a kernel with ipywidgets installed, else its text bar.

    ``tqdm.auto`` would do the same but warns ("IProgress not found") in a kernel without
    ipywidgets, which is not a dependency: the text bar on stderr serves as well.
    """
    if _in_kernel() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


class _Steps:
    """A progress bar over named steps; each step's words show while it runs."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def start(self, words: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(words)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(1)


@contextmanager
def _progress(steps: int, enabled: bool) -> Iterator[_Steps]:
    if not enabled:
        yield _Steps(None)
        return
    bar = progress_class()(
        total=steps,
        desc="Starting",
        file=sys.stderr,
        bar_format="{desc}: {n_fmt}/{total_fmt} steps |{bar}| {elapsed}",
        leave=True,
    )
    try:
        yield _Steps(bar)
        bar.set_description_str("Ready")
    finally:
        bar.close()


# --- errors as one line ----------------------------------------------------------------------


def _one_line_error(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for :class:`SendreadyError`: its message, no traceback.

    IPython ignores what a custom handler returns, so the message goes through the
    shell's own error display: the cell still fails (``Run All`` and papermill stop at
    it), but reads as the command line does, "sendready: <message>".
    """
    stb = [f"sendready: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def install_error_handler(shell=None) -> bool:
    """Show every :class:`SendreadyError` in this IPython session as its message only.

    Returns:
        Whether a handler was installed (False outside IPython).
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    shell.set_custom_exc((SendreadyError,), _one_line_error)
    return True


# --- interactive tables ----------------------------------------------------------------------


TABLE_BYTES = 8 * 2**20  # itables' default (64 kB) would show a sample of a long table


def interactive_tables(max_bytes: int = TABLE_BYTES) -> None:
    """Show every DataFrame in this notebook as a sortable, filterable table (itables).

    Offline: the DataTables library comes from the itables package itself (about 1 MB,
    written once into this cell's output), never from the internet. For analysts'
    notebooks only: a board notebook must not call it, as its tables are exported as
    plain HTML.

    Args:
        max_bytes: Tables larger than this are shown as a sample of their rows (itables
            says so above the table). The default holds the whole indicator table, so
            that sorting and filtering see every row.
    """
    import itables.options
    from itables import init_notebook_mode

    itables.options.maxBytes = max_bytes
    init_notebook_mode(all_interactive=True, connected=False)


# --- the entry point -------------------------------------------------------------------------


def _sample_words(data_dir: str, data: Path) -> str:
    if data_dir:
        return "Using the area's own extracts"
    if (data / "extract.json").exists():
        return "Using the sample area"
    return "Generating the sample area (once)"


def open_report(
    profile: str,
    data_dir: str,
    period_end: str,
    outputs_dir: str = "",
    staged_fingerprint: str = "",
    *,
    progress: bool | None = None,
) -> ReportContext:
    """Load the profile, ingest (cached) and the period's evidence (cached).

    Args:
        profile: Built-in profile id or path to a YAML file.
        data_dir: Folder of raw extracts; empty for the built-in sample area, which is
            generated on first use.
        period_end: Last day of the reporting quarter, ISO text.
        outputs_dir: Where runs write; empty for ``outputs/`` in the project.
        staged_fingerprint: Set by ``sendready run``: use the staged data the batch
            ingested, read-only, instead of checking the extracts again (see
            :func:`sendready.ingest.plan.pinned_staged`). Empty when an analyst runs the
            notebook.
        progress: Show a progress bar; by default, unless ``staged_fingerprint`` is set.
    """
    install_error_handler()
    check_report_parameters(profile, data_dir, period_end, outputs_dir, staged_fingerprint)
    root = project_root()
    prof = load_profile(profile)
    data = Path(data_dir) if data_dir else default_data_dir(root)
    outputs = Path(outputs_dir) if outputs_dir else root / "outputs"
    uses = _uses(prof, data, outputs, root)
    print(uses_text(uses), file=sys.stderr, flush=True)
    show = not staged_fingerprint if progress is None else progress
    with _progress(3, show) as steps:
        steps.start(_sample_words(data_dir, data))
        if not data_dir:
            ensure_sample(data)
        steps.done()
        staged = staged_dir(outputs, prof)
        steps.start("Checking the extracts")
        if staged_fingerprint:
            ingest = pinned_staged(staged, staged_fingerprint)
        else:
            ensure_restricted(outputs, prof)  # an analyst's own run may be the first
            ingest = run_ingest(prof, data_dir=data, out_dir=staged)
        steps.done()
        # Evidence (unsuppressed) lives in the restricted area, never in the board pack.
        steps.start("Building the evidence")
        folder = restricted_period_dir(outputs, prof, period_end)
        evidence = load_or_build_evidence(prof, ingest, period_end, folder)
        steps.done()
    return ReportContext(
        profile=prof,
        evidence=evidence,
        ingest=ingest,
        data_dir=data,
        outputs=outputs,
        folder=folder,
        evidence_key=evidence_key(prof, ingest, period_end),
        uses=uses,
    )
