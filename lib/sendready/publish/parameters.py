"""The report notebooks' parameters, checked before any heavy work.

A notebook run with plain ``papermill`` (or "Run All" after editing the parameters cell)
used to fail deep inside the analysis with a raw ``ValueError`` about a date. The first
thing :func:`sendready.notebook.open_report` does is :func:`check_report_parameters`,
which names the parameter that is wrong and what to give instead, in one line, before
the extracts or the evidence are touched. ``sendready run`` sets every parameter itself
and passes the same checks.

Standard library only (and the profile loader), so the check costs nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from sendready.core.errors import SendreadyError
from sendready.metadata.profile import load_profile
from sendready.publish.periods import check_period_end

_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
EXTRACT_FILE = "extract.json"


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise SendreadyError(
            f"Notebook parameter {name} is {value!r} ({type(value).__name__}), not text: "
            f"with papermill give it with -r (e.g. -r {name} VALUE), or in quotes in the "
            "parameters cell."
        )
    return value


def _extract_date(data_dir: str) -> str | None:
    path = Path(data_dir) / EXTRACT_FILE
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["extract_date"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # the ingest says what is wrong with it, if anything


def check_report_parameters(
    profile: object,
    data_dir: object,
    period_end: object,
    outputs_dir: object = "",
    staged_fingerprint: object = "",
) -> None:
    """Check the parameters :func:`~sendready.notebook.open_report` receives.

    Raises:
        SendreadyError: on one line, naming the parameter, its value and what to give.
    """
    load_profile(_text("profile", profile))  # an unknown profile lists the built-in ones
    data = _text("data_dir", data_dir)
    if data and not Path(data).is_dir():
        raise SendreadyError(
            f"Notebook parameter data_dir {data!r} is not a folder: give the folder of the "
            "extracts, or leave it empty for the built-in sample area."
        )
    if isinstance(period_end, dt.date):
        period_end = period_end.isoformat()
    period = _text("period_end", period_end)
    extract = _extract_date(data) if data else None
    check_period_end(period, extract, what="Notebook parameter period_end")
    _text("outputs_dir", outputs_dir)
    pin = _text("staged_fingerprint", staged_fingerprint)
    if pin and not _FINGERPRINT.fullmatch(pin):
        raise SendreadyError(
            "Notebook parameter staged_fingerprint is not one `sendready run` wrote: leave "
            "it empty."
        )
