"""Published benchmarks: the EES loader, the measure mapping, neighbours and the shipped table.

Expected figures are DfE's published statistics ("Education, health and care plans", the
SEN2 release), read here from the release files with the ``csv`` module, independently of
the pandas loader under test; tests that need the files skip when they are absent.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.comparators import (
    CONTEXT_IDS,
    MAPPINGS,
    benchmarks_for,
    combine_benchmarks,
    indicator_values,
    load_published_benchmarks,
    read_ees_csv,
    read_statistical_neighbours,
    statistical_neighbours,
    to_benchmarks_contract,
)
from sendready.core.errors import SendreadyError
from sendready.metadata.catalogue import INDICATOR_IDS
from sendready.metadata.contracts import SEN_TYPES, get_contract

SHARED = SHARED_ROOT
DATA = SHARED / "data"
SEN2 = DATA / "dfe_sen2_la_2014_2022.csv"
NEIGHBOURS = DATA / "statistical_neighbours.csv"
# DfE "Education, health and care plans", release of June 2025 (calendar years 2019-2024).
EES_2025 = DATA / "ees_2025"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared published data is not on this machine")
    return path


@pytest.fixture(scope="module")
def sen2() -> pd.DataFrame:
    return read_ees_csv(_need(SEN2))


@pytest.fixture(scope="module")
def sen2_rows() -> list[dict[str, str]]:
    """The raw file as the csv module reads it: the independent second method."""
    with _need(SEN2).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _raw(rows, period, level, name, column) -> str:
    name_col = {
        "National": "country_name",
        "Regional": "region_name",
        "Local authority": "la_name",
    }[level]
    hits = [
        r[column]
        for r in rows
        if r["time_period"] == period and r["geographic_level"] == level and r[name_col] == name
    ]
    assert len(hits) == 1
    return hits[0]


def _value(frame, period, name, measure):
    hit = frame[
        (frame["time_period"] == period)
        & (frame["geography"] == name)
        & (frame["measure"] == measure)
    ]
    assert len(hit) == 1, (period, name, measure)
    return hit.iloc[0]


# --- the loader on the real DfE file -------------------------------------------------


def test_loader_reads_published_twenty_week_rates(sen2):
    # Published (SEN2): Bury 2019 78.9 (168/213); England 2017 64.9; North West 2017 80.1.
    assert _value(sen2, "2019", "Bury", "no_exc_20week_rate")["value"] == pytest.approx(78.9)
    assert _value(sen2, "2019", "Bury", "no_exc_20week_ehc")["value"] == 168
    assert _value(sen2, "2019", "Bury", "tot_no_exc_ehc")["value"] == 213
    assert _value(sen2, "2017", "England", "no_exc_20week_rate")["value"] == pytest.approx(64.9)
    assert _value(sen2, "2017", "North West", "no_exc_20week_rate")["value"] == pytest.approx(80.1)
    bury = _value(sen2, "2019", "Bury", "no_exc_20week_rate")
    assert (bury["geography_code"], bury["old_la_code"]) == ("E08000002", "351")
    assert bury["region_name"] == "North West"
    assert _value(sen2, "2017", "England", "no_exc_20week_rate")["geography_code"] == "E92000001"


def test_loader_is_long_and_typed(sen2, sen2_rows):
    measures = [
        c
        for c in sen2_rows[0]
        if c
        not in (
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
        )
    ]
    assert len(sen2) == len(sen2_rows) * len(measures)
    assert str(sen2["value"].dtype) == "Float64"
    assert str(sen2["symbol"].dtype) == "string"


def test_symbols_become_na_with_the_symbol_kept(sen2, sen2_rows):
    # Bury had no EHC plans to time in 2014: DfE shows z (not applicable).
    assert _raw(sen2_rows, "2014", "Local authority", "Bury", "no_exc_20week_rate") == "z"
    cell = _value(sen2, "2014", "Bury", "no_exc_20week_rate")
    assert pd.isna(cell["value"]) and cell["symbol"] == "z"
    assert _raw(sen2_rows, "2022", "Local authority", "West Berkshire", "no_exc_20week_ehc") == "x"
    cell = _value(sen2, "2022", "West Berkshire", "no_exc_20week_ehc")
    assert pd.isna(cell["value"]) and cell["symbol"] == "x"
    # Every symbol cell of the raw file, and nothing else, is NA with its symbol.
    raw_symbols = sum(
        1 for r in sen2_rows for c, v in r.items() if v.strip() in {"z", "x", "c", "low", "u"}
    )
    assert sen2["symbol"].notna().sum() == raw_symbols
    assert (sen2["value"].isna() == sen2["symbol"].notna()).all()


def test_stray_spaces_are_parsed(sen2, sen2_rows):
    raw = _raw(sen2_rows, "2022", "National", "England", "no_exc_20week_rate")
    assert raw != raw.strip()  # the file really has the stray space
    assert _value(sen2, "2022", "England", "no_exc_20week_rate")["value"] == pytest.approx(
        float(raw)
    )
    assert _value(sen2, "2022", "Bury", "no_exc_20week_rate")["value"] == pytest.approx(51.049)


# --- the loader on constructed files -------------------------------------------------

PERSON_LEVEL = (
    "\ufefftime_period,time_identifier,geographic_level,country_code,country_name,"
    "region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,"
    "plans_issued_den_ex,plans_issued_20_weeks_ex,PC_plans_issued_20_weeks_ex\n"
    "2024,Calendar year,National,E92000001,England,,,,,,All EHC plans,All EHC plans,"
    "1000,464, 46.4\n"
    "2024,Calendar year,National,E92000001,England,,,,,,Age,age 5,100,60,60\n"
    "2024,Calendar year,Regional,E92000001,England,E12000002,North West,,,,"
    "All EHC plans,All EHC plans,200,101,50.5\n"
    "2024,Calendar year,Local authority,E92000001,England,E12000002,North West,E08000002,351,"
    '"Bury",All EHC plans,All EHC plans,296,293,99.0\n'
    "2024,Calendar year,Local authority,E92000001,England,E12000009,South West,E06000023,801,"
    '"Bristol, City of",All EHC plans,All EHC plans,c,c,c\n'
    "2024,Calendar year,Local authority,E92000001,England,E12000002,North West,E08000001,350,"
    '"Bolton",All EHC plans,All EHC plans,low,u,x\n'
)


@pytest.fixture()
def person_level(tmp_path) -> Path:
    path = tmp_path / "timeliness_20_week.csv"
    path.write_text(PERSON_LEVEL, encoding="utf-8")
    return path


def test_constructed_file_symbols_bom_quotes_and_filters(person_level):
    frame = read_ees_csv(person_level)
    assert list(frame.columns[:8]) == [
        "time_period",
        "time_identifier",
        "geographic_level",
        "geography",
        "geography_code",
        "old_la_code",
        "region_code",
        "region_name",
    ]
    assert {"breakdown_topic", "breakdown"} <= set(frame.columns)  # filters kept
    assert set(frame["measure"]) == {
        "plans_issued_den_ex",
        "plans_issued_20_weeks_ex",
        "PC_plans_issued_20_weeks_ex",
    }
    bristol = frame[frame["geography"] == "Bristol, City of"]
    assert len(bristol) == 3 and bristol["value"].isna().all()
    assert set(bristol["symbol"]) == {"c"}
    bolton = frame[frame["geography"] == "Bolton"].set_index("measure")
    assert bolton["symbol"].to_dict() == {
        "plans_issued_den_ex": "low",
        "plans_issued_20_weeks_ex": "u",
        "PC_plans_issued_20_weeks_ex": "x",
    }
    assert bolton["value"].isna().all()
    england = frame[(frame["geography"] == "England") & (frame["breakdown"] == "All EHC plans")]
    assert england.set_index("measure")["value"]["PC_plans_issued_20_weeks_ex"] == 46.4


def test_person_level_file_maps_to_ehc01_totals_only(person_level):
    values = indicator_values(read_ees_csv(person_level), "EHC01").set_index("geography")
    assert len(values) == 5  # the "age 5" row is a breakdown, not England's figure
    assert values.loc["England", "value"] == 46.4
    assert (values.loc["Bury", "numerator"], values.loc["Bury", "denominator"]) == (293, 296)
    assert values.loc["Bristol, City of", "symbol"] == "c"


def test_thousands_separators_numeric_filters_and_windows_encoding(tmp_path):
    path = tmp_path / "ages.csv"
    path.write_bytes(
        "time_period,time_identifier,geographic_level,country_code,country_name,age,"
        "num_caseload,note_text\n"
        '2025,Calendar year,National,E92000001,England,5,"1,234",Caf\u00e9\n'
        "2025,Calendar year,National,E92000001,England,6,77,Caf\u00e9\n".encode("cp1252")
    )
    frame = read_ees_csv(path, dimensions=["age"])
    assert set(frame["measure"]) == {"num_caseload"}  # note_text holds words: a filter
    assert frame.set_index("age")["value"].to_dict() == {"5": 1234, "6": 77}
    assert set(frame["note_text"]) == {"Caf\u00e9"}


def test_a_file_in_another_format_is_refused_by_name(tmp_path):
    path = tmp_path / "my_table.csv"
    path.write_text("Area,Year,Rate\nBury,2019,78.9\n", encoding="utf-8")
    with pytest.raises(SendreadyError) as info:
        read_ees_csv(path)
    message = str(info.value)
    assert "my_table.csv" in message
    for column in ("time_period", "time_identifier", "geographic_level", "country_code"):
        assert column in message


def test_local_authority_rows_need_their_columns(tmp_path):
    path = tmp_path / "la.csv"
    path.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,"
        "rate\n2019,Calendar year,Local authority,E92000001,England,5\n"
    )
    with pytest.raises(SendreadyError, match="la_name"):
        read_ees_csv(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SendreadyError, match="Cannot find"):
        read_ees_csv(tmp_path / "nowhere.csv")


# --- the mapping ---------------------------------------------------------------------


def test_mapped_numerators_and_denominators_reproduce_the_rates(sen2, sen2_rows):
    """For every row of the real file, num / den x 100 equals the published rate."""
    checked = 0
    zero_cases = []
    for mapping in MAPPINGS:
        if mapping.measure not in sen2_rows[0]:
            continue
        for row in sen2_rows:
            rate, num, den = (
                row[c].strip() for c in (mapping.measure, mapping.numerator, mapping.denominator)
            )
            try:
                rate, num, den = float(rate), float(num), float(den)
            except ValueError:
                continue
            if den == 0:  # 2022 publishes 0 rather than z for a rate over no cases
                zero_cases.append((mapping, row["time_period"], row["la_name"]))
                continue
            assert 100 * num / den == pytest.approx(rate, abs=0.0501), (mapping, row["la_name"])
            checked += 1
    assert checked > 2000  # both sen2_mi mappings, over all years and areas
    assert zero_cases
    for mapping, period, name in zero_cases:
        values = indicator_values(sen2, mapping.indicator_id)
        row = values[(values["period"] == period) & (values["geography"] == name)].iloc[0]
        assert pd.isna(row["value"]) and row["symbol"] == "z"


def test_indicator_values_for_ehc01(sen2):
    values = indicator_values(sen2, "EHC01")
    bury = values[(values["geography"] == "Bury") & (values["period"] == "2019")].iloc[0]
    assert (bury["value"], bury["numerator"], bury["denominator"]) == (78.9, 168, 213)
    assert bury["comparability"] == "same"
    assert set(indicator_values(sen2, "EHC04")["comparability"]) == {"close"}


# --- statistical neighbours ----------------------------------------------------------


def test_bury_neighbours_are_the_files_bury_column():
    path = _need(NEIGHBOURS)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("Bury")
    expected = [row[column] for row in rows[1:] if row[column]]
    neighbours = statistical_neighbours(path, "Bury")
    assert neighbours == expected
    assert len(neighbours) == 10
    assert neighbours[0] == rows[1][column]  # nearest first


def test_names_with_commas_and_other_spellings():
    path = _need(NEIGHBOURS)
    table = read_statistical_neighbours(path)
    assert "Bristol, City of" in table and len(table["Bristol, City of"]) == 10
    assert statistical_neighbours(path, "County Durham") == table["Durham"]
    assert statistical_neighbours(path, "bury") == table["Bury"]


def test_unknown_authority_suggests_close_names():
    with pytest.raises(SendreadyError) as info:
        statistical_neighbours(_need(NEIGHBOURS), "Burry")
    assert "Burry" in str(info.value) and "Bury" in info.value.hint


# --- England / region / neighbours / area --------------------------------------------


def test_benchmarks_for_bury_2019(sen2, sen2_rows):
    neighbours = statistical_neighbours(_need(NEIGHBOURS), "Bury")
    table = benchmarks_for("EHC01", sen2, "Bury", neighbours=neighbours, periods=["2019"])
    roles = table.set_index("role")
    assert list(table["role"]) == ["england", "region"] + ["neighbour"] * 10 + [
        "neighbour_average",
        "area",
    ]
    assert roles.loc["england", "value"] == 60.4
    assert roles.loc["region", "geography"] == "North West"  # found from Bury's own rows
    assert roles.loc["area", "value"] == 78.9
    # The neighbour average, recomputed from the raw file: a mean of the ten rates.
    rates = [
        float(_raw(sen2_rows, "2019", "Local authority", n, "no_exc_20week_rate"))
        for n in neighbours
    ]
    assert roles.loc["neighbour_average", "value"] == pytest.approx(sum(rates) / len(rates))
    assert roles.loc["neighbour_average", "n_areas"] == 10
    assert list(table.loc[table["role"] == "neighbour", "geography"]) == neighbours

    pooled = benchmarks_for(
        "EHC01", sen2, "351", neighbours=neighbours, periods=["2019"], average="pooled"
    ).set_index("role")
    num = sum(
        float(_raw(sen2_rows, "2019", "Local authority", n, "no_exc_20week_ehc"))
        for n in neighbours
    )
    den = sum(
        float(_raw(sen2_rows, "2019", "Local authority", n, "tot_no_exc_ehc")) for n in neighbours
    )
    assert pooled.loc["neighbour_average", "value"] == pytest.approx(100 * num / den)
    assert pooled.loc["area", "geography"] == "Bury"


def test_neighbour_missing_from_the_data_is_shown_not_dropped(sen2):
    table = benchmarks_for(
        "EHC01",
        sen2,
        "E08000002",
        region_name="North West",
        neighbours=["Bolton", "Westmorland and Furness"],
        periods=["2021"],
    )
    missing = table[table["geography"] == "Westmorland and Furness"].iloc[0]
    assert pd.isna(missing["value"]) and "not in the published data" in missing["note"]
    average = table[table["role"] == "neighbour_average"].iloc[0]
    bolton = table[table["geography"] == "Bolton"].iloc[0]
    assert average["n_areas"] == 1 and average["value"] == bolton["value"]


def test_benchmarks_for_unknown_area_or_indicator(sen2):
    with pytest.raises(SendreadyError) as info:
        benchmarks_for("EHC01", sen2, "Burry")
    assert "Bury" in info.value.hint
    with pytest.raises(SendreadyError, match="EHC03"):
        benchmarks_for("EHC03", sen2, "Bury")


# --- the shipped table ---------------------------------------------------------------


def _release_rows(name: str) -> list[dict[str, str]]:
    """A file of the June 2025 release, as the csv module reads it."""
    with _need(EES_2025 / name).open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _headline(rows, period: str, name: str) -> dict[str, str]:
    """The row of ``name`` (England, a region or an authority) in ``period``, all breakdowns.

    The release repeats some rows exactly; repeats must agree.
    """
    hits = [
        r
        for r in rows
        if r["time_period"] == period
        and name in (r["country_name"], r["region_name"], r["la_name"])
        and r["geographic_level"] in ("National", "Regional", "Local authority")
        and (r["la_name"] == name or r["geographic_level"] != "Local authority")
        and (r["region_name"] == name or r["geographic_level"] != "Regional")
        and r["breakdown_topic"].startswith("All ")
    ]
    assert hits and all(h == hits[0] for h in hits), (period, name, len(hits))
    return hits[0]


def _one_place(text: str) -> float:
    return float(Decimal(text.strip()).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _published_twenty_week_series() -> dict[str, dict[int, tuple[float, int, int]]]:
    """EHC01 as DfE published it: rate to one place, numerator, denominator.

    2015-2021 from the aggregate SEN2 file (``sen2_mi.csv``), 2022-2024 from the
    person-level era's ``timeliness_20_week.csv``: the sources the shipped rows name.
    """
    with _need(SEN2).open(newline="", encoding="utf-8-sig") as handle:
        sen2_rows = list(csv.DictReader(handle))
    timeliness = _release_rows("timeliness_20_week.csv")
    series: dict[str, dict[int, tuple[float, int, int]]] = {}
    for name, level in (
        ("England", "National"),
        ("North West", "Regional"),
        ("Bury", "Local authority"),
    ):
        series[name] = {}
        for year in range(2015, 2022):
            rate, num, den = (
                _raw(sen2_rows, str(year), level, name, column)
                for column in ("no_exc_20week_rate", "no_exc_20week_ehc", "tot_no_exc_ehc")
            )
            series[name][year] = (_one_place(rate), int(num), int(den))
        for year in range(2022, 2025):
            row = _headline(timeliness, str(year), name)
            series[name][year] = (
                _one_place(row["PC_plans_issued_20_weeks_ex"]),
                int(row["plans_issued_20_weeks_ex"]),
                int(row["plans_issued_den_ex"]),
            )
    return series


def test_shipped_ehc01_equals_the_published_series():
    """Every shipped EHC01 figure, 2015-2024, is DfE's, with Bury's counts."""
    shipped = load_published_benchmarks()
    ehc01 = shipped[shipped["indicator_id"] == "EHC01"]
    series = _published_twenty_week_series()
    assert {name: len(years) for name, years in series.items()} == {
        "England": 10,
        "North West": 10,
        "Bury": 10,
    }
    for name, years in series.items():
        for year, (rate, num, den) in years.items():
            row = ehc01[(ehc01["geography"] == name) & (ehc01["period"] == str(year))]
            assert len(row) == 1, (name, year)
            row = row.iloc[0]
            assert row["value"] == rate, (name, year)
            if name == "Bury":
                assert (row["numerator"], row["denominator"]) == (num, den), year
            elif pd.notna(row["numerator"]):
                assert (row["numerator"], row["denominator"]) == (num, den), (name, year)
    assert len(ehc01) == 30  # nothing shipped beyond the published series


# The other shipped 2024 figures: (indicator, geography, release file, how DfE's figure is
# read from the row: a published percentage column, or numerator / denominator columns).
RELEASE_2024 = [
    ("EHC02", "England", "timeliness_20_week.csv", "pc_plans_issued_gt_1_year"),
    ("EHC03", "England", "requests.csv", "request_outcome_six_weeks_pc"),
    ("EHC03", "Bury", "requests.csv", "request_outcome_six_weeks_pc"),
    ("EHC04", "England", "requests.csv", "request_not_assess_pc"),
    ("EHC04", "Bury", "requests.csv", "request_not_assess_pc"),
    ("EHC05", "England", "assessments.csv", "outcome_decision_within_time_pc"),
    ("EHC06", "England", "annual_reviews.csv", ("total_review_meeting", "review_expected")),
    ("EHC07", "England", "annual_reviews.csv", "pc_decsion_4weeks"),
    ("EHC07", "Bury", "annual_reviews.csv", "pc_decsion_4weeks"),
]


@pytest.mark.parametrize(
    ("indicator", "geography", "file", "column"),
    RELEASE_2024,
    ids=[f"{i}-{g}" for i, g, _, _ in RELEASE_2024],
)
def test_shipped_2024_figures_equal_the_release(indicator, geography, file, column):
    row = _headline(_release_rows(file), "2024", geography)
    if isinstance(column, tuple):
        numerator, denominator = (int(row[c]) for c in column)
        published = _one_place(str(Decimal(100 * numerator) / Decimal(denominator)))
    else:
        published = _one_place(row[column])
    shipped = load_published_benchmarks()
    hit = shipped[
        (shipped["indicator_id"] == indicator)
        & (shipped["geography"] == geography)
        & (shipped["period"] == "2024")
    ]
    assert len(hit) == 1
    assert hit.iloc[0]["value"] == published
    # A note naming a release file names the one the figure is in.
    note = hit.iloc[0]["note"]
    if isinstance(note, str) and "Release file" in note:
        assert file in note


def test_shipped_plan_counts_equal_the_release():
    """EHC plans in January 2025 (CTX_EHCP_COUNT): the release's count of plans."""
    reviews = _release_rows("annual_reviews.csv")
    shipped = load_published_benchmarks()
    counts = shipped[shipped["indicator_id"] == "CTX_EHCP_COUNT"].set_index("geography")
    for name in ("England", "Bury"):
        assert counts.loc[name, "value"] == int(_headline(reviews, "2024", name)["total_ehc_plans"])


def test_shipped_ehc01_agrees_with_the_ees_file(sen2):
    shipped = load_published_benchmarks()
    loaded = indicator_values(sen2, "EHC01")
    for year in range(2015, 2022):
        for name in ("England", "North West", "Bury"):
            ours = shipped[
                (shipped["indicator_id"] == "EHC01")
                & (shipped["geography"] == name)
                & (shipped["period"] == str(year))
            ].iloc[0]
            theirs = loaded[(loaded["geography"] == name) & (loaded["period"] == str(year))].iloc[0]
            assert ours["value"] == round(theirs["value"], 1), (name, year)
            if pd.notna(ours["numerator"]):
                assert ours["numerator"] == theirs["numerator"]
                assert ours["denominator"] == theirs["denominator"]


def test_shipped_table_is_well_formed():
    shipped = load_published_benchmarks()
    known = set(INDICATOR_IDS) | set(CONTEXT_IDS)
    assert set(shipped["indicator_id"]) <= known
    assert shipped["source"].notna().all()
    percent = shipped[shipped["unit"] == "percent"]
    assert percent["value"].between(0, 100).all()
    with_counts = shipped.dropna(subset=["numerator"])
    assert (
        (100 * with_counts["numerator"] / with_counts["denominator"])
        .round(1)
        .equals(with_counts["value"])
    )
    needs = shipped.loc[shipped["indicator_id"] == "ID04", "breakdown"].str.removeprefix("need=")
    assert set(needs) <= set(SEN_TYPES)
    assert shipped.loc[shipped["indicator_id"] != "ID04", "breakdown"].isna().all()
    # DfE, Education, health and care plans: EHC plans in January 2025 (also checked
    # against the release file in test_shipped_plan_counts_equal_the_release).
    counts = shipped[shipped["indicator_id"] == "CTX_EHCP_COUNT"].set_index("geography")
    assert counts["value"].to_dict() == {"England": 638745, "Bury": 2804}


def test_shipped_table_fits_the_benchmarks_contract():
    contract = get_contract("benchmarks")
    shaped = to_benchmarks_contract(load_published_benchmarks())
    assert list(shaped.columns) == contract.column_names
    assert not shaped.duplicated(list(contract.key)).any()
    for column in contract.columns:
        if not column.nullable:
            assert shaped[column.name].notna().all(), column.name


def test_combined_table_prefers_the_areas_file():
    combined = combine_benchmarks([_need(SEN2)])
    bury = combined[(combined["indicator_id"] == "EHC01") & (combined["geography"] == "Bury")]
    assert list(bury["period"]) == [str(y) for y in range(2015, 2025)]
    from_file = bury[bury["period"].isin([str(y) for y in range(2015, 2023)])]
    assert from_file["source"].str.contains("dfe_sen2_la_2014_2022.csv").all()
    england_2017 = combined[
        (combined["indicator_id"] == "EHC01")
        & (combined["geography"] == "England")
        & (combined["period"] == "2017")
    ]
    assert len(england_2017) == 1 and england_2017.iloc[0]["denominator"] == 36702
    # The shipped-only figures survive the merge.
    assert (combined["indicator_id"] == "ID04").sum() == 14
    shaped = combine_benchmarks([SEN2], contract_shape=True)
    assert list(shaped.columns) == get_contract("benchmarks").column_names
    assert not shaped.duplicated(list(get_contract("benchmarks").key)).any()


def test_a_bad_benchmark_table_names_its_row(tmp_path):
    path = tmp_path / "bench.csv"
    shipped = load_published_benchmarks()
    shipped = shipped.astype({"value": "string"})
    shipped.loc[3, "value"] = "64.9%"
    shipped.to_csv(path, index=False)
    with pytest.raises(SendreadyError, match=r"row 5: value '64.9%' is not a number"):
        load_published_benchmarks(path)
