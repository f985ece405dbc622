"""DfE's "Education, health and care plans" release: every file, what the suite uses of it.

The June 2025 release publishes ten underlying data files (2019-2024, national, regional
and local authority rows, split by age, sex, ethnicity, need or placement from 2023). The
suite maps every measure that has a catalogue counterpart (:data:`sendready.comparators.
mapping.MAPPINGS`); :func:`coverage` lists every column of every file as used (by which
indicator) or not used (and why), so a file the suite cannot use says so rather than
giving an empty result.

The package ships a trimmed, derived copy of what it uses (``data/ehcp_release/``: the
whole-area rows of the used columns, every local authority, England and the regions), so
benchmarks and the public packs work with no download. :func:`refresh_release` rebuilds
that copy from the files a user downloads from explore-education-statistics (a newer
release keeps the same layout); :mod:`sendready.comparators.online` downloads them
itself. The figures are DfE's, published under the Open Government Licence v3.0,
unchanged except for the rows and columns left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd

from sendready.comparators.ees import read_ees_csv
from sendready.comparators.mapping import MAPPINGS, MeasureMapping, indicator_values
from sendready.core.errors import SendreadyError

SOURCE_URL = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "education-health-and-care-plans"
)
LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
RELEASE_TITLE = 'DfE, "Education, health and care plans" (explore-education-statistics)'
IDENTITY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
)
PROVENANCE = "provenance.json"


@dataclass(frozen=True)
class ReleaseFile:
    """One file of the release: what it holds and why the rest of it is not used.

    Attributes:
        name: File name without ``.csv``.
        holds: What the file counts, in plain words.
        not_used: Column (or ``*`` for every column not mapped) -> why the suite does not
            use it.
    """

    name: str
    holds: str
    not_used: dict[str, str]


_NO_INDICATOR = "no catalogue indicator counts this"
_COMPLEMENT = "the complement of a rate that is used"
_BREAKDOWNS = (
    "rows split by age, sex, ethnicity, need or placement (2023 onwards): the catalogue "
    "compares whole areas"
)

RELEASE_FILES: tuple[ReleaseFile, ...] = (
    ReleaseFile(
        "timeliness_20_week",
        "new EHC plans issued in the year and how long they took",
        {
            "plans_issued_gt20weeks_ltYear": "plans issued after 20 weeks but within a year: "
            + _NO_INDICATOR,
            "plans_issued_gt20weeks_ltYear_ex": _NO_INDICATOR,
            "pc_plans_issued_gt20weeks_ltYear": _NO_INDICATOR,
            "PC_plans_issued_gt20weeks_ltYear_ex": _NO_INDICATOR,
            "plans_issued_gt_1_year_ex": "EHC02 counts all plans, exceptions included",
            "PC_plans_issued_gt_1_year_ex": "EHC02 counts all plans, exceptions included",
        },
    ),
    ReleaseFile(
        "requests",
        "initial requests for an EHC needs assessment and the decisions on them",
        {
            "requests_rya": "not defined in the file; " + _NO_INDICATOR,
            "requests_decided_to_assess": "shown within EHC04's counts by DfE only from "
            "2023; the catalogue's refusal rate uses refusals and requests received",
            "requests_decision_not_made": _NO_INDICATOR,
            "requests_withdrawn": _NO_INDICATOR,
            "request_assess_pc": _COMPLEMENT + " (EHC04)",
            "request_outstanding_pc": _NO_INDICATOR,
            "request_withdrawn_pc": _NO_INDICATOR,
            "request_outcome_over_6_weeks_pc": _COMPLEMENT + " (EHC03)",
            "mediation_related_request": "mediation and tribunal: " + _NO_INDICATOR,
            "tribunal_related_request": "mediation and tribunal: " + _NO_INDICATOR,
            "tribunal_after_mediation_request": "mediation and tribunal: " + _NO_INDICATOR,
        },
    ),
    ReleaseFile(
        "assessments",
        "EHC needs assessments completed and their outcomes",
        {
            "assess_in_year": "all assessments in the year, 2022 onwards only; the outcome "
            "counts are used instead",
            "assess_issued_pc": _COMPLEMENT,
            "assess_not_issued_pc": "share of assessments not leading to a plan: " + _NO_INDICATOR,
            "assess_not_made": _NO_INDICATOR,
            "assess_not_made_pc": _NO_INDICATOR,
            "assess_withdrawn": _NO_INDICATOR,
            "assess_withdrawn_pc": _NO_INDICATOR,
            "outcome_decision_over_time_pc": _COMPLEMENT + " (EHC05)",
            "number_assess_mediation": "mediation and tribunal: " + _NO_INDICATOR,
            "number_assess_tribunal": "mediation and tribunal: " + _NO_INDICATOR,
            "number_asssess_mediation_tribunal": "mediation and tribunal: " + _NO_INDICATOR,
            "number_other_mediation": "mediation and tribunal: " + _NO_INDICATOR,
            "number_other_tribunal": "mediation and tribunal: " + _NO_INDICATOR,
            "number_other_mediation_tribunal": "mediation and tribunal: " + _NO_INDICATOR,
        },
    ),
    ReleaseFile(
        "annual_reviews",
        "annual reviews of EHC plans due, held and decided in the year (2024 only)",
        {
            "total_ehc_plans": "plans maintained: taken from sen_needs_all_plans (EHC09)",
            "review_not_expected": _NO_INDICATOR,
            "review_meeting_25": "meetings by year held: the total is used (EHC06)",
            "review_meeting_24": "meetings by year held: the total is used (EHC06)",
            "review_meeting_prior_24": "meetings by year held: the total is used (EHC06)",
            "no_review_meeting": _COMPLEMENT + " (EHC06)",
            "review_decision25": "decisions by year: " + _NO_INDICATOR,
            "review_decision24": "decisions by year: " + _NO_INDICATOR,
            "review_decision_prior24": "decisions by year: " + _NO_INDICATOR,
            "review_decision_not_due": _NO_INDICATOR,
            "review_decision_outstanding": _NO_INDICATOR,
            "outcome_amend": "decisions to amend: EHC08 needs the date the amended plan "
            "was finalised, which is not published",
            "outcome_cease": _NO_INDICATOR,
            "outcome_maintan": _NO_INDICATOR,
            "no_outcome": _NO_INDICATOR,
            "pc_decision_gt_4weeks": _COMPLEMENT + " (EHC07)",
        },
    ),
    ReleaseFile(
        "sen_needs_all_plans",
        "EHC plans maintained in January, by primary need",
        {},
    ),
    ReleaseFile(
        "sen_need_newplans",
        "new EHC plans started in the year, by primary need",
        {
            "*": "the need mix of new plans: ID04 compares the mix of all plans maintained "
            "(sen_needs_all_plans); this file has no whole-area total row either, and "
            "splits London into Inner and Outer London",
        },
    ),
    ReleaseFile(
        "ceased_plans",
        "EHC plans that ceased in the year, by reason",
        {
            "*": "reasons a plan ceased: " + _NO_INDICATOR + " (the total is used as context)",
        },
    ),
    ReleaseFile(
        "personal_budgets",
        "personal budgets recorded in the SEN2 return, by type",
        {
            "*": "personal budgets by type and organised arrangements: " + _NO_INDICATOR,
        },
    ),
    ReleaseFile(
        "residential_settings",
        "children and young people with a plan in residential settings",
        {"*": "residential placements: " + _NO_INDICATOR},
    ),
    ReleaseFile(
        "work_based_placements",
        "young people with a plan in supported internships, apprenticeships, traineeships",
        {"*": "work-based placements: " + _NO_INDICATOR},
    ),
)


def release_file(name: str) -> ReleaseFile | None:
    """The description of a release file, by name with or without ``.csv``."""
    stem = name.removesuffix(".csv")
    return next((f for f in RELEASE_FILES if f.name == stem), None)


def used_columns(name: str) -> dict[str, list[str]]:
    """Columns of release file ``name`` the mappings read -> the ids that read them."""
    stem = name.removesuffix(".csv")
    used: dict[str, list[str]] = {}
    for mapping in MAPPINGS:
        for column in _columns_of(mapping):
            file, _, col = column.rpartition(":")
            if (file or mapping.file) == stem:
                ids = used.setdefault(col, [])
                if mapping.indicator_id not in ids:
                    ids.append(mapping.indicator_id)
    return used


def _columns_of(mapping: MeasureMapping) -> list[str]:
    columns = [mapping.measure, mapping.numerator]
    columns += (mapping.denominator or "").split("+")
    return [c for c in columns if c]


# --- reading a release -----------------------------------------------------------------


def release_paths(folder: str | Path) -> dict[str, Path]:
    """The release's CSV files in ``folder`` (by name without ``.csv``).

    Raises:
        SendreadyError: The folder is missing or holds none of the release's files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SendreadyError(
            f"Cannot find the folder {folder}.",
            hint="Download the release's underlying data files from "
            f"{SOURCE_URL} and point --from at the folder that holds them.",
        )
    found = {}
    for path in sorted(folder.glob("*.csv")):
        spec = release_file(path.name.lower())
        if spec is not None:
            found[spec.name] = path
    if not found:
        names = ", ".join(f"{f.name}.csv" for f in RELEASE_FILES)
        raise SendreadyError(
            f"{folder} holds none of the release's data files.",
            hint=f'Expected some of: {names} (from {RELEASE_TITLE}, "Download all data").',
        )
    return found


def read_release(folder: str | Path) -> pd.DataFrame:
    """Every release file in ``folder`` as one long frame, with a ``source_file`` column.

    Only the files with a used column are read (the others would only be dropped).
    """
    parts = []
    for name, path in release_paths(folder).items():
        if not used_columns(name):
            continue
        frame = read_ees_csv(path)
        parts.append(frame.assign(source_file=name))
    if not parts:
        raise SendreadyError(f"No file in {folder} holds a measure the suite uses.")
    return pd.concat(parts, ignore_index=True)


# --- what was used -----------------------------------------------------------------------


def coverage(folder: str | Path) -> pd.DataFrame:
    """Every column of every release file in ``folder``: used (by which ids) or not, why.

    Returns:
        One row per file and column: ``file``, ``column``, ``used`` (bool), ``ids``
        (the indicator and context ids that read it, comma-separated), ``why`` (for a
        column not used), ``rows_total`` (whole-area rows) and ``rows_breakdown``
        (rows split by age, need and so on, never used). A file the suite does not
        know (not part of the release) is one row saying so.
    """
    rows = []
    folder = Path(folder)
    paths = release_paths(folder)
    known = set(paths.values())
    for path in sorted(folder.glob("*.csv")):
        if path not in known:
            rows.append(_row(path.name, "*", False, "", "not a file of the release", 0, 0))
    for name, path in paths.items():
        rows.extend(_file_coverage(name, path))
    return pd.DataFrame(rows)


def _row(file, column, used, ids, why, total, split) -> dict:
    return {
        "file": file,
        "column": column,
        "used": used,
        "ids": ids,
        "why": why,
        "rows_total": total,
        "rows_breakdown": split,
    }


def _file_coverage(name: str, path: Path) -> list[dict]:
    header = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    header.columns = [c.replace("\ufeff", "").strip() for c in header.columns]
    topic = header.get("breakdown_topic", pd.Series("", index=header.index))
    total = int(topic.str.lower().str.startswith("all").sum()) if len(topic) else 0
    split = len(header) - total
    spec = release_file(name)
    used = {k.lower(): v for k, v in used_columns(name).items()}
    reasons = {k.lower(): v for k, v in spec.not_used.items()}
    rows = []
    for column in header.columns:
        if column in IDENTITY_COLUMNS:
            continue
        ids = used.get(column.lower())
        if ids:
            rows.append(_row(f"{name}.csv", column, True, ", ".join(ids), "", total, split))
            continue
        why = reasons.get(column.lower()) or reasons.get("*") or _NO_INDICATOR
        rows.append(_row(f"{name}.csv", column, False, "", why, total, split))
    if not any(r["used"] for r in rows):
        rows.append(_row(f"{name}.csv", "(rows)", False, "", "no column used", total, split))
    elif split:
        rows.append(_row(f"{name}.csv", "(rows)", False, "", _BREAKDOWNS, total, split))
    return rows


def coverage_markdown(table: pd.DataFrame) -> str:
    """The coverage table as Markdown: per file, the columns used and those not used."""
    lines = ["# What the suite uses of each release file", ""]
    for file, rows in table.groupby("file", sort=False):
        spec = release_file(str(file))
        lines += [f"## {file}", ""]
        if spec is not None:
            lines += [f"{spec.holds[0].upper()}{spec.holds[1:]}.", ""]
        used = rows[rows["used"]]
        if used.empty:
            lines.append("**Used**: nothing.")
        else:
            listed = "; ".join(f"`{r.column}` ({r.ids})" for r in used.itertuples())
            lines.append(f"**Used**: {listed}.")
        lines.append("")
        unused = rows[~rows["used"]]
        if not unused.empty:
            lines.append("**Not used**:")
            lines.append("")
            for reason, group in unused.groupby("why", sort=False):
                names = ", ".join(f"`{c}`" for c in group["column"])
                lines.append(f"- {names}: {reason}")
            lines.append("")
    return "\n".join(lines)


# --- the shipped, trimmed copy ------------------------------------------------------------


def shipped_release_dir() -> Path:
    """Where the trimmed copy of the release lives inside the installed package."""
    return Path(str(files("sendready.comparators") / "data" / "ehcp_release"))


def trim_release(
    source: str | Path, target: str | Path, fetched: dict[str, str] | None = None
) -> list[Path]:
    """Write the trimmed copy of the release files in ``source`` into ``target``.

    Keeps, for each file with a used column, the whole-area rows (``breakdown_topic``
    starting "All") of England, the regions and every local authority, and the identity
    columns and the used columns, with every cell exactly as published. Writes
    ``provenance.json`` (file names, SHA-256 of each source file, rows kept, licence)
    and ``README.md`` (source and licence) beside them.

    Args:
        source: Folder of the release's CSV files.
        target: Folder to write the copy to.
        fetched: Where and when the files were downloaded (``url``, ``at`` and, when
            known, the release's ``release`` title), for a copy refreshed online; it is
            recorded in ``provenance.json`` so a reader can tell which release it is.

    Returns:
        The files written.
    """
    paths = release_paths(source)
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written, provenance = [], {}
    for name, path in paths.items():
        keep = list(used_columns(name))
        if not keep:
            continue
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        raw.columns = [c.replace("\ufeff", "").strip() for c in raw.columns]
        lookup = {c.lower(): c for c in raw.columns}
        columns = [lookup[c.lower()] for c in (*IDENTITY_COLUMNS, *keep) if c.lower() in lookup]
        topic = raw[lookup["breakdown_topic"]] if "breakdown_topic" in lookup else None
        rows = raw if topic is None else raw[topic.str.lower().str.startswith("all")]
        rows = rows[rows[lookup["geographic_level"]].isin(_LEVELS)]
        out = target / f"{name}.csv"
        rows[columns].to_csv(out, index=False, encoding="utf-8", lineterminator="\n")
        written.append(out)
        provenance[f"{name}.csv"] = {
            "sha256_of_source": hashlib.sha256(path.read_bytes()).hexdigest(),
            "rows_kept": len(rows),
            "rows_in_source": len(raw),
            "columns_kept": columns,
        }
    meta = {
        "source": RELEASE_TITLE,
        "url": SOURCE_URL,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "periods": sorted(
            {p for f in written for p in pd.read_csv(f, dtype=str)["time_period"].unique()}
        ),
        "refreshed": dt.date.today().isoformat(),
        "files": provenance,
    }
    if fetched:
        meta["fetched"] = dict(fetched)
    (target / PROVENANCE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (target / "README.md").write_text(_readme(meta), encoding="utf-8")
    return [*written, target / PROVENANCE, target / "README.md"]


_LEVELS = ("National", "Regional", "Local authority")


def _readme(meta: dict) -> str:
    periods = meta["periods"]
    return (
        "# Education, health and care plans: the figures the suite ships\n\n"
        f"Source: {meta['source']}, {meta['url']}\n\n"
        f"Contains public sector information licensed under the {meta['licence']} "
        f"({meta['licence_url']}).\n\n"
        "A trimmed, derived copy: only the whole-area rows (England, the regions and every "
        "local authority) and only the columns the suite uses, every cell as published. "
        f"Periods {periods[0]} to {periods[-1]}. Refreshed {meta['refreshed']} with "
        f"{_how_refreshed(meta)}; `provenance.json` records the "
        "SHA-256 of each source file and the rows and columns kept.\n"
    )


def _how_refreshed(meta: dict) -> str:
    fetched = meta.get("fetched")
    if not fetched:
        return "`sendready published refresh --from FOLDER`"
    return f"`sendready published refresh --online`, from {fetched['url']} at {fetched['at']}"


def refresh_release(
    source: str | Path,
    target: str | Path | None = None,
    fetched: dict[str, str] | None = None,
) -> list[Path]:
    """Rebuild the shipped copy (or ``target``) from downloaded release files.

    The copy is written to a temporary folder first and checked (every file readable,
    the EHC01 series present for England) before it replaces the old one, so a bad
    download never leaves the suite without benchmarks. ``fetched`` (see
    :func:`trim_release`) records where an online refresh downloaded the files.

    Raises:
        SendreadyError: The folder holds no release file, or the result has no England
            figures.
    """
    target = Path(target) if target else shipped_release_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        staging = Path(work) / "new"
        trim_release(source, staging, fetched)
        values = indicator_values(read_release(staging))
        if values[values["geographic_level"] == "National"].empty:
            raise SendreadyError(
                f"The files in {source} give no figure for England.",
                hint="Download the release's underlying data files again.",
            )
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(staging, target)
    load_shipped_values.cache_clear()
    return sorted(target.iterdir())


@functools.cache
def load_shipped_values() -> pd.DataFrame:
    """Every mapped figure of the shipped copy (:func:`indicator_values` of it), cached.

    Raises:
        SendreadyError: The copy is missing (an incomplete installation).
    """
    folder = shipped_release_dir()
    if not folder.is_dir():
        raise SendreadyError(
            "The published figures shipped with the suite are missing.",
            hint="Reinstall sendready, or rebuild them with "
            "`sendready published refresh --from FOLDER`.",
        )
    return indicator_values(read_release(folder))
