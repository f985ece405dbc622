"""``sendready export``: an executed notebook (say, one run with plain ``papermill``) as the
board HTML ``sendready run`` would have exported for it.

The page's title, area and period come from the parameters papermill recorded in the
notebook (``metadata.papermill.parameters``), read against the profile they name, so an
analyst who ran one report by hand gets the same page as the batch, checked by the same
board-report rules (:func:`sendready.publish.export.export_html`). A notebook that did
not run to the end is refused: a board page is never made from a failed report.
"""

from __future__ import annotations

from pathlib import Path

from sendready import __version__
from sendready.core.dates import long_date
from sendready.core.errors import SendreadyError
from sendready.metadata.profile import load_profile
from sendready.publish.batch import skip_unused_iri_checks, today_label


def _read(notebook: Path):
    import nbformat

    if not notebook.is_file():
        raise SendreadyError(f"{notebook} does not exist: give the path of an executed notebook.")
    try:
        return nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a file that is not JSON
        raise SendreadyError(
            f"{notebook} is not a notebook Jupyter can read ({type(exc).__name__}): give "
            "the .ipynb file papermill wrote."
        ) from None


def _check_executed(nb, notebook: Path) -> dict:
    """The papermill parameters, if the notebook ran to the end without an error."""
    papermill = nb.metadata.get("papermill") or {}
    if not papermill:
        raise SendreadyError(
            f"{notebook} was not run with papermill (it records no parameters): run it "
            "with papermill or `sendready run` first, then export the executed copy."
        )
    if papermill.get("exception"):
        raise SendreadyError(
            f"{notebook} stopped with an error when it ran, so it is not exported: fix "
            "the error shown in the notebook and run it again."
        )
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if any(c.get("execution_count") is None for c in code):
        raise SendreadyError(
            f"{notebook} has cells that never ran: run the whole notebook, then export it."
        )
    return dict(papermill.get("parameters") or {})


def export_executed(notebook: Path, out: Path | None = None, title: str | None = None) -> Path:
    """Write the board HTML for an executed notebook; returns the HTML file's path.

    Raises:
        SendreadyError: the file is missing, not a notebook, not run with papermill, or
            did not run to the end.
    """
    skip_unused_iri_checks()
    notebook = Path(notebook)
    nb = _read(notebook)
    parameters = _check_executed(nb, notebook)
    profile = load_profile(parameters.get("profile") or "bury-2017-wsoa")
    period = str(parameters.get("period_end") or "")
    weakness = next((w for w in profile.weaknesses if w.id == parameters.get("weakness_id")), None)
    if title is None:
        item = f"{weakness.id}: {weakness.title}" if weakness else notebook.stem
        title = f"{item} ({profile.area.name})"
    period_label = f"Quarter to {long_date(period)}" if period else ""
    provenance = [
        ("Area profile", profile.id),
        ("Period", period_label or "not recorded"),
        ("sendready version", __version__),
        ("Exported", today_label()),
    ]
    from sendready.publish.export import build_exporter, export_html

    html = export_html(
        nb,
        build_exporter(),
        title=title,
        area=profile.area.name,
        period_label=period_label,
        provenance=provenance,
        index_href=None,
    )
    out = Path(out) if out is not None else notebook.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
