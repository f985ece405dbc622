"""Disclosure control on hand-worked tables, the indicator table, and a real DfE table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.indicators.engine import TABLE_COLUMNS
from sendready.metadata.identifiers import nhs_check_digit, upn_check_letter
from sendready.metadata.profile import Disclosure, load_profile
from sendready.privacy.disclosure import (
    IDENTIFIER_COLUMNS,
    SUPPRESSED,
    DisclosureError,
    assert_aggregate,
    is_suppressed,
    mark_suppression,
    suppress_indicator_rows,
    suppress_table,
    suppression_note,
    table_suppression,
)

SHARED_DATA = SHARED_ROOT / "data"


def _hidden(why: pd.DataFrame) -> set[tuple[str, str]]:
    return {(r, c) for r in why.index for c in why.columns if why.at[r, c]}


# --- tables with margins -------------------------------------------------------------------


def _two_by_three() -> pd.DataFrame:
    #        A   B   C  total
    # r1     3  10  12     25
    # r2     8   9  20     37
    # Total 11  19  32     62
    return pd.DataFrame(
        {"A": [3, 8, 11], "B": [10, 9, 19], "C": [12, 20, 32], "total": [25, 37, 62]},
        index=["r1", "r2", "Total"],
    )


def test_secondary_suppression_picks_a_cell_in_the_same_row_and_the_same_column():
    why = table_suppression(
        _two_by_three(),
        ["A", "B", "C", "total"],
        threshold=6,
        total_row="Total",
        total_column="total",
    )
    # By hand: r1/A (3) is primary. Row r1 then has one hidden cell: hide its smallest other
    # part, r1/B (10 < 12). Column A has one: hide r2/A (8, the only other part). Column B
    # now has one (r1/B): hide r2/B (9). Every row and column then has two hidden cells.
    assert why.at["r1", "A"] == "primary"
    assert _hidden(why) == {("r1", "A"), ("r1", "B"), ("r2", "A"), ("r2", "B")}
    assert {why.at[c] for c in [("r1", "B"), ("r2", "A"), ("r2", "B")]} == {"secondary"}
    # Totals stay visible, and 3 can no longer be recovered: r1/A + r1/B = 13 and
    # r1/A + r2/A = 11 leave r1/A anywhere from 0 to 11.


def test_secondary_suppression_iterates_until_no_line_has_a_single_hidden_cell():
    frame = pd.DataFrame(
        {"A": [2, 50, 8, 60], "B": [30, 20, 45, 95], "C": [40, 25, 35, 100]},
        index=["r1", "r2", "r3", "Total"],
    )
    frame["total"] = frame[["A", "B", "C"]].sum(axis=1)
    why = table_suppression(
        frame, ["A", "B", "C", "total"], threshold=6, total_row="Total", total_column="total"
    )
    # Rows are checked before columns in each pass. Pass 1: row r1 -> r1/B (30 < 40);
    # column A -> r3/A (8 < 50); column B (r1/B alone) -> r2/B (20 < 45). That leaves rows
    # r2 and r3 with one hidden cell each, which only a second pass sees: r2 -> r2/C
    # (25 < 50), r3 -> r3/C (35 < 45). Column C then has two; a third pass changes nothing.
    assert _hidden(why) == {
        ("r1", "A"),
        ("r1", "B"),
        ("r3", "A"),
        ("r2", "B"),
        ("r2", "C"),
        ("r3", "C"),
    }


def test_zero_is_shown_and_is_not_chosen_to_cover_a_small_count():
    frame = pd.DataFrame(
        {"within": [3, 40], "late": [0, 10], "other": [15, 5]}, index=["school a", "school b"]
    )
    frame["total"] = frame.sum(axis=1)
    shown = suppress_table(
        frame, ["within", "late", "other", "total"], threshold=6, total_column="total"
    )
    # Row a: 3 is hidden; its partner is 15, not the 0 (a hidden zero gives no cover).
    assert shown.loc["school a"].tolist() == [SUPPRESSED, "0", SUPPRESSED, "18"]
    # Row b: 5 is below 6, so hidden; its partner is the smallest other part above zero.
    assert shown.loc["school b"].tolist() == ["40", SUPPRESSED, SUPPRESSED, "55"]


def test_rates_on_hidden_counts_and_shares_of_a_shown_total_are_hidden():
    frame = pd.DataFrame({"within": [3, 30, 33], "late": [7, 20, 27]}, index=["slt", "ot", "all"])
    frame["total"] = frame["within"] + frame["late"]
    frame["pct_within"] = frame["within"] / frame["total"] * 100
    frame["share_of_plans"] = frame["total"] / frame.at["all", "total"] * 100
    rates = {"pct_within": ("within", "total"), "share_of_plans": ("total", None)}
    why = table_suppression(
        frame,
        ["within", "late", "total"],
        threshold=6,
        total_row="all",
        total_column="total",
        rates=rates,
    )
    # slt/within (3) is primary; row slt -> late (7); column within -> ot/within (30);
    # row ot -> ot/late (20). Totals stay shown.
    assert _hidden(why) - {("slt", "pct_within"), ("ot", "pct_within")} == {
        ("slt", "within"),
        ("slt", "late"),
        ("ot", "within"),
        ("ot", "late"),
    }
    # 30.0% of a shown 10 is 3: the rate goes with its numerator.
    assert why.at["slt", "pct_within"] == "rate" and why.at["ot", "pct_within"] == "rate"
    assert why.at["all", "pct_within"] == ""
    # Each service's share of all plans rests on shown totals (10 and 50 of 60): shown.
    assert not why["share_of_plans"].astype(bool).any()
    shown = suppress_table(
        frame,
        ["within", "late", "total"],
        threshold=6,
        total_row="all",
        total_column="total",
        rates=rates,
    )
    assert shown.at["slt", "pct_within"] == SUPPRESSED
    assert shown.at["all", "pct_within"] == "55.0%"  # 33 of 60
    assert shown.at["slt", "share_of_plans"] == "16.7%"  # 10 of 60


def test_a_share_of_the_column_total_is_hidden_with_its_count():
    frame = pd.DataFrame({"plans": [4, 50, 46, 100]}, index=["a", "b", "c", "all"])
    frame["share"] = frame["plans"] / 100 * 100
    why = table_suppression(
        frame, ["plans"], threshold=6, total_row="all", rates={"share": ("plans", None)}
    )
    # a (4) is primary; column plans -> c (46 < 50). 4.0% of a shown 100 would give 4.
    assert why.at["a", "share"] == "rate" and why.at["c", "share"] == "rate"
    assert why.at["b", "share"] == ""


def test_threshold_and_rounding_come_from_the_profile():
    profile = load_profile("bury-2017-wsoa")
    frame = pd.DataFrame({"plans": [5, 6, 12, 13]}, index=list("abcd"))
    shown = suppress_table(frame, ["plans"], threshold=profile)
    # The Bury profile keeps DfE's rule (threshold 6): 5 hidden, 6 shown.
    assert profile.disclosure.threshold == 6
    assert shown["plans"].tolist() == [SUPPRESSED, "6", "12", "13"]
    stricter = profile.model_copy(update={"disclosure": Disclosure(threshold=10, rounding=5)})
    shown = suppress_table(frame, ["plans"], threshold=stricter)
    # Threshold 10 hides 6 too; rounding to 5 shows 12 as 10 and 13 as 15.
    assert shown["plans"].tolist() == [SUPPRESSED, SUPPRESSED, "10", "15"]


def test_suppression_symbol_and_note():
    assert is_suppressed("c") and is_suppressed(" c ") and not is_suppressed("0")
    assert is_suppressed(pd.Series({"suppressed": True}))
    assert suppression_note(6).startswith("c: fewer than 6 cases")


def _lp_range(table, hidden, lines):
    """Smallest and largest value each hidden cell can take given every shown figure and
    the lines' sums (non-negative cells): a second method, independent of the heuristic."""
    from scipy.optimize import linprog

    idx = {cell: i for i, cell in enumerate(hidden)}
    a_eq, b_eq = [], []
    for parts, total in lines:
        coef, rhs = np.zeros(len(hidden)), 0.0
        for cell, sign in [*((p, 1) for p in parts), (total, -1)]:
            if cell in idx:
                coef[idx[cell]] += sign
            else:
                rhs -= sign * table.at[cell]
        if coef.any():
            a_eq.append(coef)
            b_eq.append(rhs)
    out = {}
    for cell, i in idx.items():
        c = np.zeros(len(hidden))
        c[i] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        high = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        out[cell] = (low, high)
    return out


@pytest.mark.skipif(
    not (SHARED_DATA / "dfe_sen2_la_2014_2022.csv").exists(),
    reason="published DfE data (dfe_sen2_la_2014_2022.csv) not available on this machine",
)
def test_real_table_every_small_count_hidden_and_none_recoverable():
    # DfE SEN2 2019: EHC plans ceased, by reason, in the North West's local authorities.
    raw = pd.read_csv(SHARED_DATA / "dfe_sen2_la_2014_2022.csv", dtype=str)
    raw = raw[(raw["time_period"] == "2019") & (raw["region_name"] == "North West")]
    reasons = [
        "discontinued_lea_ehc",
        "discontinued_left_ehc",
        "discontinued_met_ehc",
        "discontinued_other_ehc",
    ]
    las = raw[raw["geographic_level"] == "Local authority"].set_index("la_name")[reasons]
    las = las.apply(lambda s: s.str.strip().astype(int))
    region = raw[raw["geographic_level"] == "Regional"][reasons].iloc[0].str.strip().astype(int)
    assert las.sum().tolist() == region.tolist()  # the published region row is the margin
    table = las.copy()
    table.loc["North West"] = region
    table["total"] = table[reasons].sum(axis=1)
    columns = [*reasons, "total"]
    why = table_suppression(
        table, columns, threshold=6, total_row="North West", total_column="total"
    )
    small = {(r, c) for r in table.index for c in columns if 0 < table.at[r, c] < 6}
    hidden = _hidden(why)
    assert small <= hidden and len(small) > 20  # many 1-5 counts in this real table
    primary = {(r, c) for r, c in hidden if why.at[r, c] == "primary"}
    assert primary == small  # zeros and counts of 6 or more are never primary
    inner = [r for r in table.index if r != "North West"]
    lines = [([(r, c) for c in reasons], (r, "total")) for r in table.index]
    lines += [([(r, c) for r in inner], ("North West", c)) for c in columns]
    ranges = _lp_range(table, sorted(hidden), lines)
    # No hidden cell is pinned down by the shown figures: each could take several values.
    assert all(high - low >= 1 for low, high in ranges.values())


# --- the tidy indicator table ----------------------------------------------------------------


def _rows(indicator_id, rows, statistic="proportion", unit="percent"):
    """Indicator-table rows from (breakdown, period_type, start, end, numerator, denominator)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "breakdown",
            "period_type",
            "period_start",
            "period_end",
            "numerator",
            "denominator",
        ],
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    num = frame["numerator"].astype("Float64")
    den = frame["denominator"].astype("Float64")
    frame = frame.assign(
        indicator_id=indicator_id,
        title=f"title of {indicator_id}",
        unit=unit,
        direction="up",
        statistic=statistic,
        numerator=num,
        denominator=den,
        value=num / den * 100 if statistic == "proportion" else num,
        ci_low=pd.NA,
        ci_high=pd.NA,
        small_number=False,
        no_data=(den.fillna(0) == 0) if statistic == "proportion" else num.isna(),
        no_data_reason="",
    )
    return frame[TABLE_COLUMNS]


Q = ("quarter", "2019-01-01", "2019-03-31")


def test_breakdown_that_subtraction_would_reveal_is_covered_by_another_breakdown():
    table = _rows(
        "JC03",
        [
            ("", *Q, 40, 55),
            ("service=slt", *Q, 3, 4),
            ("service=ot", *Q, 10, 16),
            ("service=physio", *Q, 27, 35),
        ],
    )
    marked = mark_suppression(table, 6)
    # slt (3 of 4) is primary. With the whole-area row shown, 40 - 10 - 27 = 3 and
    # 55 - 16 - 35 = 4 would give it back, so the smallest other service (ot, 16 cases)
    # is hidden too; physio and the whole area stay.
    assert marked["suppressed"].tolist() == [False, True, True, False]
    assert marked["suppression_reason"].iloc[1] == "fewer than 6 cases"
    assert "worked out" in marked["suppression_reason"].iloc[2]
    shown = suppress_indicator_rows(table, 6)
    assert shown.loc[1, ["numerator", "denominator", "value"]].tolist() == ["c", "c", "c"]
    assert shown.loc[0, ["numerator", "denominator", "value"]].tolist() == ["40", "55", "72.7%"]
    assert shown.loc[3, "value"] == "77.1%"


def test_a_hidden_month_of_a_flow_quarter_is_covered_by_another_month():
    months = [
        ("", "month", "2019-01-01", "2019-01-31", 2, 4),
        ("", "month", "2019-02-01", "2019-02-28", 15, 22),
        ("", "month", "2019-03-01", "2019-03-31", 25, 33),
    ]
    table = _rows("EHC01", [*months, ("", *Q, 42, 59)])  # the quarter is their sum
    marked = mark_suppression(table, 6)
    # January (2 of 4) is primary; quarter minus February and March would give it back,
    # so February (22 cases, fewer than March's 33) is hidden too.
    assert marked["suppressed"].tolist() == [True, True, False, False]


def test_a_stock_quarter_is_not_treated_as_a_sum_of_months():
    months = [
        ("", "month", "2019-01-01", "2019-01-31", 2, 40),
        ("", "month", "2019-02-01", "2019-02-28", 9, 41),
        ("", "month", "2019-03-01", "2019-03-31", 10, 42),
    ]
    table = _rows("EHC01", [*months, ("", *Q, 10, 42)])  # the quarter is March's position
    # Only January (2) is small; no line links it to the others, so nothing else is hidden.
    assert mark_suppression(table, 6)["suppressed"].tolist() == [True, False, False, False]


def test_a_quarter_repeating_a_hidden_month_is_hidden_with_it():
    table = _rows(
        "JC03",
        [
            ("", "month", "2019-01-01", "2019-01-31", 40, 50),
            ("", "month", "2019-02-01", "2019-02-28", 42, 50),
            ("", "month", "2019-03-01", "2019-03-31", 45, 55),
            ("service=a", "month", "2019-03-01", "2019-03-31", 3, 4),
            ("", *Q, 45, 55),  # a stock: the quarter is March's position
        ],
    )
    marked = mark_suppression(table, 6)
    # March's one breakdown (3 of 4) is primary; with no other breakdown to cover it, March's
    # whole-area row is hidden instead; the quarter repeats March's figures, so it goes too.
    assert marked["suppressed"].tolist() == [False, False, True, True, True]


def test_zero_numerator_is_shown_and_non_person_indicators_are_not_suppressed():
    table = pd.concat(
        [
            _rows("EHC01", [("", *Q, 0, 12)]),
            _rows("COP01", [("", *Q, 3, 4)]),  # board meetings: not children
        ],
        ignore_index=True,
    )
    shown = suppress_indicator_rows(table, 6)
    assert shown["numerator"].tolist() == ["0", "3"]
    assert shown["value"].tolist() == ["0.0%", "75.0%"]
    assert not shown["suppressed"].any()


def test_a_share_whose_complement_is_small_is_hidden_as_a_primary_cell():
    # EHC01 (plans within 20 weeks): 12 of 13 tells a reader that 1 plan was late.
    # By hand: the parts add up, 12 + 20 + 27 = 59 on time of 13 + 30 + 27 = 70.
    table = _rows(
        "EHC01",
        [
            ("", *Q, 59, 70),  # 11 late: shown
            ("need=asd", *Q, 12, 13),  # 1 late: primary by its complement
            ("need=semh", *Q, 20, 30),  # 10 late
            ("need=slcn", *Q, 27, 27),  # none late: a complement of 0 is shown
        ],
    )
    marked = mark_suppression(table, 6)
    assert marked["suppression_reason"].tolist()[:2] == ["", "fewer than 6 cases"]
    # asd alone hidden would come back as 59 - 20 - 27 and 70 - 30 - 27: the smallest
    # other breakdown by cases (slcn, 27 < 30) is hidden beside it.
    assert marked["suppressed"].tolist() == [False, True, False, True]
    shown = suppress_indicator_rows(table, 6)
    assert shown.loc[1, ["numerator", "denominator", "value"]].tolist() == ["c", "c", "c"]
    assert shown.loc[0, "value"] == "84.3%"  # 59 of 70


def test_a_complement_of_zero_or_a_rate_above_its_denominator_is_shown():
    table = pd.concat(
        [
            _rows("EHC01", [("", *Q, 40, 40)]),  # all on time: shown, as a zero is
            _rows("EHC01", [("", "month", "2019-03-01", "2019-03-31", 38, 44)]),  # 6 late
        ],
        ignore_index=True,
    )
    assert not mark_suppression(table, 6)["suppressed"].any()
    events = _rows("EHC01", [("", *Q, 52, 50)], statistic="rate", unit="count")
    assert not mark_suppression(events, 6)["suppressed"].any()  # no complement to speak of


def test_a_table_hides_a_numerator_whose_complement_is_small():
    #           records  linked
    # plans          54      49   5 not linked: primary
    # reviews        80      70
    # audits         30      24
    frame = pd.DataFrame(
        {"records": [54, 80, 30], "linked": [49, 70, 24]}, index=["plans", "reviews", "audits"]
    )
    frame["rate"] = frame["linked"] / frame["records"] * 100
    why = table_suppression(
        frame, ["records", "linked"], threshold=6, rates={"rate": ("linked", "records")}
    )
    assert _hidden(why) == {("plans", "linked"), ("plans", "rate")}
    assert why.at["plans", "linked"] == "primary"
    shown = suppress_table(
        frame, ["records", "linked"], threshold=6, rates={"rate": ("linked", "records")}
    )
    assert shown["linked"].tolist() == ["c", "70", "24"]
    assert shown["rate"].tolist() == ["c", "87.5%", "80.0%"]


def test_count_indicator_denominator_is_not_applicable():
    table = _rows(
        "EHC09",
        [("", *Q, 3, None), ("", "month", "2019-03-01", "2019-03-31", 7, None)],
        statistic="count",
        unit="count",
    )
    shown = suppress_indicator_rows(table, 6)
    assert shown["numerator"].tolist() == ["c", "7"]
    assert shown["denominator"].tolist() == ["c", "z"]


# --- identifiers -----------------------------------------------------------------------------


def _valid_upn() -> str:
    body = "351200112345"
    return upn_check_letter(body) + body


def _valid_nhs_number() -> str:
    first = "943476591"
    return first + str(nhs_check_digit(first))


def test_assert_aggregate_passes_aggregates_and_refuses_a_person_id_column():
    aggregate = pd.DataFrame({"school_urn": ["105380"], "plans": [12], "note": ["Year 10"]})
    assert assert_aggregate(aggregate) is aggregate
    with pytest.raises(DisclosureError, match="person_id"):
        assert_aggregate(pd.DataFrame({"person_id": ["P0000001"], "plans": [1]}))
    with pytest.raises(DisclosureError, match="nhs_number"):
        assert_aggregate(pd.DataFrame({"NHSNumber": ["x"]}))
    with pytest.raises(DisclosureError, match="date_of_birth"):
        assert_aggregate(pd.DataFrame({"n": [1]}).rename_axis("Date of birth"))
    assert {"request_id", "plan_id", "review_id", "referral_id"} <= IDENTIFIER_COLUMNS


def test_assert_aggregate_finds_identifiers_hidden_in_text_without_repeating_them():
    upn = _valid_upn()
    frame = pd.DataFrame(
        {"service": ["slt", "ot"], "comment": ["waiting", f"see record {upn} for detail"]}
    )
    with pytest.raises(DisclosureError) as caught:
        assert_aggregate(frame)
    assert "a UPN in column 'comment' (row 2)" in str(caught.value)
    assert upn not in str(caught.value)  # the message must not spread the identifier
    nhs = _valid_nhs_number()
    with pytest.raises(DisclosureError, match="NHS number"):
        assert_aggregate(pd.DataFrame({"text": [f"NHS {nhs[:3]} {nhs[3:6]} {nhs[6:]}"]}))
    with pytest.raises(DisclosureError, match="postcode"):
        assert_aggregate(pd.DataFrame({"where": ["lives at BL9 0SW"]}))
    with pytest.raises(DisclosureError, match="person_id"):
        assert_aggregate(pd.DataFrame({"label": ["P1234567"]}).set_index("label"))


def test_assert_aggregate_ignores_strings_that_fail_the_identifier_checks():
    upn = _valid_upn()
    wrong_letter = next(ch for ch in "ABCDEFGH" if ch != upn[0]) + upn[1:]
    nhs = _valid_nhs_number()
    wrong_digit = nhs[:9] + str((int(nhs[9]) + 1) % 10)
    frame = pd.DataFrame({"text": [wrong_letter, wrong_digit, "EHC01 in 2019", "Q1 2019"]})
    assert assert_aggregate(frame) is frame


def test_rows_already_marked_display_as_marking_the_whole_indicator_would():
    months = [
        ("", "month", "2019-01-01", "2019-01-31", 2, 4),
        ("", "month", "2019-02-01", "2019-02-28", 15, 22),
        ("", "month", "2019-03-01", "2019-03-31", 25, 33),
    ]
    table = _rows("EHC01", [*months, ("", *Q, 42, 59)])
    marked = mark_suppression(table, 6)
    # February is hidden only because of the line through the quarter (secondary): shown
    # alone, unmarked, it would look safe; displayed from the marks, it stays hidden.
    february = marked.loc[[1]]
    assert suppress_indicator_rows(table.loc[[1]], 6)["numerator"].tolist() == ["15"]
    assert suppress_indicator_rows(february, 6, marked=True)["numerator"].tolist() == ["c"]
    whole = suppress_indicator_rows(table, 6)
    again = suppress_indicator_rows(marked, 6, marked=True)
    pd.testing.assert_frame_equal(whole, again)
    with pytest.raises(ValueError, match="suppressed"):
        suppress_indicator_rows(table, 6, marked=True)
