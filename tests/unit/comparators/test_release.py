"""The 2025 "Education, health and care plans" release: mapped, reported, shipped, refreshed.

Expected figures are read from the release's CSV files with the ``csv`` module, not with
the suite's loader.
"""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal

import pandas as pd
import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.comparators.authorities import authority_table, find_authority, ranks
from sendready.comparators.mapping import indicator_values
from sendready.comparators.release import (
    LICENCE,
    RELEASE_FILES,
    coverage,
    coverage_markdown,
    load_shipped_values,
    read_release,
    refresh_release,
    shipped_release_dir,
)
from sendready.core.errors import SendreadyError

RELEASE = SHARED_ROOT / "data" / "ees_2025"

# indicator -> (file, published rate column) for every mapped rate DfE publishes.
PUBLISHED_RATES = {
    "EHC01": ("timeliness_20_week.csv", "PC_plans_issued_20_weeks_ex"),
    "CTX_EHC_20WK_ALL": ("timeliness_20_week.csv", "pc_plans_issued_within_20_weeks"),
    "EHC02": ("timeliness_20_week.csv", "pc_plans_issued_gt_1_year"),
    "EHC03": ("requests.csv", "request_outcome_six_weeks_pc"),
    "EHC05": ("assessments.csv", "outcome_decision_within_time_pc"),
    "EHC07": ("annual_reviews.csv", "pc_decsion_4weeks"),
    "CTX_REQUESTS": ("requests.csv", "requests_received_in_year"),
    "CTX_PLANS_CEASED": ("ceased_plans.csv", "total_ceased"),
}


@pytest.fixture(scope="module")
def release():
    if not RELEASE.is_dir():
        pytest.skip(f"the release files are not in {RELEASE}")
    return RELEASE


def _whole_area_rows(file: str) -> list[dict[str, str]]:
    with (RELEASE / file).open(newline="", encoding="utf-8-sig") as handle:
        return [r for r in csv.DictReader(handle) if r["breakdown_topic"].startswith("All")]


def _place(row: dict[str, str]) -> str:
    return {
        "National": "England",
        "Regional": row["region_name"],
    }.get(row["geographic_level"], row["la_name"])


@pytest.fixture(scope="module")
def shipped():
    return load_shipped_values()


@pytest.mark.parametrize("indicator", list(PUBLISHED_RATES))
def test_every_published_cell_reaches_the_shipped_figures(release, shipped, indicator):
    """Each mapped column: every whole-area numeric cell, for every geography and year,
    is the shipped value; a symbol (x, c, z) leaves the value empty with the symbol kept
    (or z where the published denominator is 0)."""
    file, column = PUBLISHED_RATES[indicator]
    values = shipped[shipped["indicator_id"] == indicator]
    by_key = {
        (r.period, r.geographic_level, r.geography): r for r in values.itertuples(index=False)
    }
    checked = 0
    for row in _whole_area_rows(file):
        got = by_key[(row["time_period"], row["geographic_level"], _place(row))]
        cell = row[column].strip()
        try:
            expected = Decimal(cell)
        except ArithmeticError:
            assert pd.isna(got.value), (row["la_name"], cell)
            # A rate over no cases is "not applicable" (z), whatever symbol DfE used.
            assert got.symbol == cell or (got.symbol == "z" and got.denominator == 0), cell
            continue
        assert Decimal(repr(float(got.value))) == expected, (row["la_name"], row["time_period"])
        checked += 1
    assert checked >= 150


def test_ehc04_uses_the_published_rate_and_the_counts_where_dfe_gave_none(release, shipped):
    """2023-2024: DfE's request_not_assess_pc; 2019-2022: refused / received, derived."""
    values = shipped[shipped["indicator_id"] == "EHC04"].set_index(["period", "geography"])
    for row in _whole_area_rows("requests.csv"):
        if row["geographic_level"] != "National":
            continue
        got = values.loc[(row["time_period"], "England")]
        if row["request_not_assess_pc"] != "x":
            assert got["value"] == float(row["request_not_assess_pc"])
            assert not got["derived"]
        else:
            ratio = 100 * int(row["requests_decided_not_to_assess"])
            ratio /= int(row["requests_received_in_year"])
            assert got["value"] == pytest.approx(ratio) and got["derived"]
    # Bury 2024: 32.9% refused, as DfE publishes it.
    assert values.loc[("2024", "Bury"), "value"] == 32.9


def test_needs_shares_and_plan_counts(release, shipped):
    needs = shipped[shipped["indicator_id"] == "ID04"]
    bury = needs[needs["geography"] == "Bury"].set_index("breakdown")
    row = next(r for r in _whole_area_rows("sen_needs_all_plans.csv") if r["la_name"] == "Bury")
    assert bury.loc["need=ASD", "value"] == float(row["asd_pc"])
    assert bury.loc["need=ASD", "numerator"] == int(row["number_asd"])
    assert bury.loc["need=NSA", "value"] == float(row["unknown_pc"])
    assert set(bury["period"]) == {"2025-01"}
    plans = shipped[(shipped["indicator_id"] == "EHC09") & (shipped["geography"] == "Bury")]
    assert plans["value"].tolist() == [int(row["ehc_plans"])]
    budget = shipped[(shipped["indicator_id"] == "JC07") & (shipped["period"] == "2025-01")]
    budget = budget.set_index("geography").loc["England"]
    assert budget["value"] == pytest.approx(100 * 19596 / 638745) and budget["derived"]


def test_the_coverage_report_names_every_column_of_every_file(release):
    table = coverage(release)
    assert set(table["file"]) == {f"{f.name}.csv" for f in RELEASE_FILES}
    for spec in RELEASE_FILES:
        with (release / f"{spec.name}.csv").open(encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle))
        measures = [c for c in header if c not in ("breakdown_topic", "breakdown")][10:]
        rows = table[table["file"] == f"{spec.name}.csv"]
        assert set(measures) <= set(rows["column"]), spec.name
        assert rows.loc[~rows["used"], "why"].str.len().gt(0).all(), spec.name
    used = table[table["used"]]
    assert set(used["file"]) == {
        "timeliness_20_week.csv",
        "requests.csv",
        "assessments.csv",
        "annual_reviews.csv",
        "sen_needs_all_plans.csv",
        "personal_budgets.csv",
        "ceased_plans.csv",
    }
    # A file with nothing used says so in words, never as an empty result.
    markdown = coverage_markdown(table)
    assert "## residential_settings.csv" in markdown
    assert "**Used**: nothing." in markdown
    assert "`requests_decided_not_to_assess` (EHC04, CTX_REFUSED)" in markdown


def test_the_shipped_copy_is_the_release_trimmed(release):
    """Every kept cell is the source's cell; source, licence and checksums are recorded."""
    folder = shipped_release_dir()
    meta = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert meta["licence"] == LICENCE == "Open Government Licence v3.0"
    assert "Open Government Licence v3.0" in (folder / "README.md").read_text(encoding="utf-8")
    for name in meta["files"]:
        source = {
            tuple(
                r[c] for c in ("time_period", "geographic_level", "new_la_code", "region_code")
            ): r
            for r in _whole_area_rows(name)
        }
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            kept = list(csv.DictReader(handle))
        assert len(kept) == len(source) == meta["files"][name]["rows_kept"]
        for row in kept:
            key = tuple(row[c] for c in ("time_period", "geographic_level", "new_la_code"))
            original = source[(*key, row["region_code"])]
            assert all(original[c] == v for c, v in row.items()), name


def test_refresh_rebuilds_the_copy_from_local_files(release, tmp_path):
    downloads = tmp_path / "downloads"
    shutil.copytree(release, downloads)
    (downloads / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    target = tmp_path / "copy"
    written = refresh_release(downloads, target)
    assert {p.name for p in written} >= {"requests.csv", "provenance.json", "README.md"}
    rebuilt = indicator_values(read_release(target))
    pd.testing.assert_frame_equal(rebuilt, load_shipped_values())
    assert "not a file of the release" in coverage(downloads)["why"].tolist()


def test_refresh_from_a_folder_without_the_release_says_what_to_download(tmp_path):
    with pytest.raises(SendreadyError, match="holds none of the release's data files"):
        refresh_release(tmp_path, tmp_path / "copy")
    assert not (tmp_path / "copy").exists()


def test_ranks_and_quartiles_by_hand():
    values = pd.DataFrame(
        {
            "period": ["2024"] * 5,
            "geographic_level": ["Local authority"] * 5,
            "old_la_code": ["1", "2", "3", "4", "5"],
            "value": pd.array([50.0, 70.0, 70.0, 10.0, None], dtype="Float64"),
        }
    )
    got = ranks(values).set_index("old_la_code")
    # 70 and 70 share 1st; 50 is 3rd; 10 is 4th of the 4 with a figure.
    assert got["rank"].to_dict() == {"1": 3, "2": 1, "3": 1, "4": 4}
    assert set(got["n_ranked"]) == {4}
    assert got["quartile"].to_dict() == {"1": 3, "2": 1, "3": 1, "4": 4}


def test_every_one_of_the_153_authorities_is_found_by_both_codes_and_name(shipped):
    authorities = authority_table(shipped)
    assert len(authorities) == 153
    for authority in authorities:
        assert find_authority(authority.old_code, authorities) == authority
        assert find_authority(authority.code, authorities) == authority
        assert find_authority(authority.name.upper(), authorities) == authority
