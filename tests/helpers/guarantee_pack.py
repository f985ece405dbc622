"""One hostile board pack, built once per test session, for the guarantee tests.

The privacy, hostile-input and accessibility tests all need the same thing: a real batch
run (``sendready.publish.pipeline.run_pack``) over a small generated sample. One run is shared,
because a run costs most of a minute. The sample is made hostile before the run: markup,
script and spreadsheet formulas go into consented quotes, school names, provider names,
survey question texts, extra column headers and the area's name, and a few quote rows
carrying formulas are made to fail validation so that they reach a quarantine file.
Identifiers (names, UPNs, NHS numbers, dates of birth, postcodes) are left as generated:
the privacy canaries are read from the raw files after injection.

The profile is the Bury 2017 profile with a hostile area name, cut to three weaknesses
whose reports between them show every kind of injected text that reports display
(quotes, school names in the funnel table, survey questions in chart descriptions) and
every kind of chart, which keeps the run short. Provider names and the extra headers are
not shown on any page; they are injected all the same, so that the checks for raw markup
would catch them if a later report started to show them.
"""

from __future__ import annotations

import atexit
import csv
import functools
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sendready.metadata.profile import builtin_profiles, load_profile
from sendready.publish.paths import staged_dir

ROOT = Path(__file__).resolve().parents[2]
SEED = 4242
SCALE = 0.15
PERIOD_END = "2019-03-31"
# W2: a survey chart (COP05, with its question text); W6: the funnel plot of schools;
# W8: waits by service and a comparison with published figures. All three show quotes.
# SENDREADY_GUARANTEES_ALL=1 runs all eight weaknesses instead (about twice as long).
KEPT_WEAKNESSES = None if os.environ.get("SENDREADY_GUARANTEES_ALL") else ("W2", "W6", "W8")

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example/x","Open me")'
# Every character that starts a formula in Excel, LibreOffice or Google Sheets.
FORMULA_CELLS = (FORMULA, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd")
MARKUP = (SCRIPT, IMG)
FORMULA_WEAKNESS = "W2"  # its report shows a consented quote that starts with a formula
HOSTILE_AREA = f"Bury {IMG} & Ramsbottom"
EXTRA_HEADERS = (f"Notes {SCRIPT}", FORMULA)


@dataclass
class HostilePack:
    """Where the hostile run put things, and what was injected where."""

    root: Path
    data_dir: Path
    profile_path: Path
    outputs: Path
    folder: Path  # the shareable board pack
    restricted: Path  # the period's restricted folder
    staged: Path
    seconds: float
    outcomes: list = field(default_factory=list)
    # place -> the hostile texts written there (each expected as plain text if shown)
    injected: dict[str, list[str]] = field(default_factory=dict)

    @property
    def html_files(self) -> list[Path]:
        """Every exported page: the index, each report and the single-file pack."""
        return sorted(self.folder.glob("*.html"))


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, headers: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)


def _hostile_quotes(data_dir: Path, injected: dict[str, list[str]]) -> None:
    path = data_dir / "quotes.csv"
    headers, rows = _read_csv(path)
    shown = []
    for number, weakness in enumerate(sorted({r["weakness_id"] for r in rows})):
        hostile = MARKUP[number % len(MARKUP)]
        consented = [
            r
            for r in rows
            if r["weakness_id"] == weakness and r["consent"] == "true" and r["date"] <= PERIOD_END
        ]
        if not consented:
            continue
        # The most recent consented quote is certain to be among those a report shows.
        latest = max(consented, key=lambda r: r["date"])
        latest["text"] = f"{hostile} {latest['text']}"
        shown.append(latest["quote_id"])
    # A consented quote that starts with a formula is shown as text too.
    second = sorted(
        (
            r
            for r in rows
            if r["weakness_id"] == FORMULA_WEAKNESS
            and r["consent"] == "true"
            and r["date"] <= PERIOD_END
        ),
        key=lambda r: r["date"],
    )[-2]
    second["text"] = f"{FORMULA} {second['text']}"
    shown.append(second["quote_id"])
    injected["quote_ids"] = shown
    # Rows that fail validation (consent is not a yes/no value), so each formula reaches
    # the quarantine file, in the text column and in the extra columns.
    for number, cell in enumerate(FORMULA_CELLS, start=1):
        rows.append(
            {
                "quote_id": f"QX{number:02d}",
                "weakness_id": FORMULA_WEAKNESS,
                "date": "2018-01-15",
                "source": "parent",
                "text": f"{cell} said at review {number}",
                "consent": "maybe",
            }
        )
    injected["quarantined_formula"] = list(FORMULA_CELLS)
    for row in rows:
        row[EXTRA_HEADERS[0]] = SCRIPT
        row[EXTRA_HEADERS[1]] = "@evil"
    injected["extra_header"] = list(EXTRA_HEADERS)
    _write_csv(path, headers + list(EXTRA_HEADERS), rows)


def _rename(
    path: Path, column: str, names: tuple[str, ...], key: str, injected: dict[str, list[str]]
) -> None:
    """Prefix each distinct value of ``column`` with one of ``names`` in turn."""
    headers, rows = _read_csv(path)
    distinct = sorted({r[column] for r in rows if r[column]})
    mapping = {old: f"{names[i % len(names)]} {old}" for i, old in enumerate(distinct)}
    for row in rows:
        if row[column]:
            row[column] = mapping[row[column]]
    injected.setdefault(key, []).extend(mapping.values())
    _write_csv(path, headers, rows)


def make_hostile(data_dir: Path) -> dict[str, list[str]]:
    """Inject markup and formulas into a generated sample (see module docstring)."""
    injected: dict[str, list[str]] = {}
    _hostile_quotes(data_dir, injected)
    hostile_names = (*MARKUP, *FORMULA_CELLS)
    _rename(data_dir / "school_census.csv", "school_name", hostile_names, "school", injected)
    for source in ("health_referrals", "ehc_advice"):
        _rename(data_dir / f"{source}.csv", "provider", hostile_names, "provider", injected)
    _rename(data_dir / "survey_questions.csv", "text", MARKUP, "survey_question", injected)
    return injected


def hostile_profile(folder: Path) -> Path:
    """The Bury 2017 profile with a hostile area name, cut to ``KEPT_WEAKNESSES``."""
    source = Path(builtin_profiles()["bury-2017-wsoa"])
    profile = yaml.safe_load(source.read_text(encoding="utf-8"))
    profile["id"] = "hostile-guarantees"
    profile["area"]["name"] = HOSTILE_AREA
    if KEPT_WEAKNESSES is not None:
        profile["weaknesses"] = [w for w in profile["weaknesses"] if w["id"] in KEPT_WEAKNESSES]
    path = folder / "hostile-guarantees.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@functools.cache
def hostile_pack() -> HostilePack:
    """Generate, poison and run the sample once per process (see module docstring)."""
    from sendready.publish.pipeline import run_pack
    from sendready.sample import generate_sample

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="sendready-guarantees-"))
    if not os.environ.get("SENDREADY_KEEP_TEST_PACK"):
        atexit.register(shutil.rmtree, root, ignore_errors=True)
    data_dir = root / "data"
    generate_sample(data_dir, scale=SCALE, seed=SEED)
    injected = make_hostile(data_dir)
    profile_path = hostile_profile(root)
    outputs = root / "outputs"
    outcomes = run_pack(
        str(profile_path),
        data_dir,
        [PERIOD_END],
        outputs,
        jobs=2,
        single_file=True,
        notebook_dir=ROOT / "notebooks",
        progress=lambda _line: None,
    )
    folder = outcomes[0].folder
    return HostilePack(
        root=root,
        data_dir=data_dir,
        profile_path=profile_path,
        outputs=outputs,
        folder=folder,
        restricted=outcomes[0].restricted,
        staged=staged_dir(outputs, load_profile(str(profile_path))),
        seconds=time.perf_counter() - started,
        outcomes=outcomes,
        injected=injected,
    )
