"""The history page of a profile: every quarter's pack with its verdicts, on one page.

``<outputs>/<profile id>/board-pack/index.html`` lists every pack in the board-pack folder,
latest first, with each weakness's (or priority area's) verdict and, where it differs from
the quarter before, what it was. It is built only from each pack's own ``manifest.json``
(verdict codes and report statuses: nothing restricted, no figures), links only to the
packs beside it, and is rewritten at the end of every ``sendready run``, so it is as
shareable as the packs themselves.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import jinja2

from sendready.core.dates import iso_date, long_date
from sendready.evidence.verdicts import VERDICT_LABELS
from sendready.metadata.profile import Profile
from sendready.publish.batch import today_label
from sendready.publish.boardview import SHORT_VERDICTS
from sendready.publish.export import check_board_html, report_css, templates_dir
from sendready.publish.paths import BOARD_PACK_DIR, INDEX_FILE, MANIFEST, profile_dir
from sendready.publish.periods import previous_quarter_end
from sendready.reports.common import VERDICT_SYMBOLS

log = logging.getLogger("sendready.publish.history")

HISTORY_FILE = INDEX_FILE  # the board-pack folder's own front page


def pack_manifests(outputs: Path, profile: Profile) -> dict[str, dict]:
    """Period end -> the board pack's manifest, for every pack of the profile on disk."""
    root = profile_dir(outputs, profile) / BOARD_PACK_DIR
    found = {}
    for manifest in sorted(root.glob(f"*/{MANIFEST}")):
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
            period = iso_date(content["period_end"]).isoformat()
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("%s is not a pack manifest: left out of the history page", manifest)
            continue
        if period == manifest.parent.name:
            found[period] = content
    return found


def _cells(profile: Profile, verdicts: dict, before: dict | None) -> list[dict]:
    cells = []
    for weakness in profile.weaknesses:
        code = verdicts.get(weakness.id)
        cell = {"code": code, "icon": "", "label": "", "changed": ""}
        if code in VERDICT_LABELS:
            # The short words of the board view: ten columns of full labels, whose longest
            # words cannot wrap, would not fit a screen (the legend below gives them in full).
            cell["icon"], cell["label"] = VERDICT_SYMBOLS[code], SHORT_VERDICTS[code]
            was = (before or {}).get(weakness.id)
            if was in VERDICT_LABELS and was != code:
                cell["changed"] = f"was: {SHORT_VERDICTS[was]}"
        else:
            cell["code"] = None
        cells.append(cell)
    return cells


def history_rows(profile: Profile, manifests: dict[str, dict]) -> list[dict]:
    """One row per pack, latest first; a verdict is compared with the quarter before only."""
    rows = []
    for period in sorted(manifests, reverse=True):
        content = manifests[period]
        before = manifests.get(previous_quarter_end(period).isoformat())
        reports = content.get("reports") or []
        failed = sum(1 for r in reports if r.get("status") != "ok")
        rows.append(
            {
                "period": period,
                "label": long_date(period),
                "href": f"{period}/{INDEX_FILE}",
                "cells": _cells(
                    profile, content.get("verdicts") or {}, (before or {}).get("verdicts")
                ),
                "ok": failed == 0,
                "failed": failed,
            }
        )
    return rows


def render_history(profile: Profile, manifests: dict[str, dict], run_date: str) -> str:
    """The history page's HTML (see module docstring)."""
    wsoa = profile.framework.kind == "wsoa-2016"
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    items_word = "weakness" if wsoa else "priority area"
    html = environment.get_template("history.html.j2").render(
        title=f"SEND improvement evidence: {profile.area.name}, every quarter's pack",
        heading=f"Every board pack for {profile.area.name}",
        area=profile.area.name,
        intro=(
            f"Each quarter's verdict for every {items_word}, latest first. Open a quarter "
            "for its board pack; where a verdict differs from the quarter before, the "
            "earlier one is shown beneath it."
        ),
        caption=f"Verdict for each {items_word} by quarter",
        rows=history_rows(profile, manifests),
        items=[{"id": w.id, "title": w.title} for w in profile.weaknesses],
        items_heading="Weaknesses" if wsoa else "Areas for priority action",
        verdict_help=[
            (VERDICT_SYMBOLS[c], f"{SHORT_VERDICTS[c]}: {VERDICT_LABELS[c].lower()}")
            for c in VERDICT_LABELS
        ],
        run_date=run_date,
        css=report_css(),
    )
    check_board_html(html, HISTORY_FILE)
    return html


def write_history(outputs: Path, profile: Profile) -> Path:
    """Write (or rewrite) the profile's history page; returns its path."""
    path = profile_dir(outputs, profile) / BOARD_PACK_DIR / HISTORY_FILE
    html = render_history(profile, pack_manifests(outputs, profile), today_label())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
