"""The whole-column helpers validation uses, against answers worked out by hand or by the
one-value-at-a-time functions they stand in for."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.raw_fixtures import BAD_NHS, BAD_UPN, VALID_NHS, VALID_UPN
from sendready.ingest.validate import (
    _normalise_identifiers,
    distinct_mask,
    first_of_key,
    ids_per_value,
    nhs_number_valid,
    upn_valid,
)
from sendready.metadata.identifiers import normalise_identifier


def test_distinct_mask_tests_each_distinct_value_once_and_never_selects_a_missing_one():
    seen = []

    def test(values: pd.Series) -> pd.Series:
        seen.append(sorted(values))
        return values.str.upper() == "A"

    values = pd.Series(["a", "B", "a", None, "c", "A"], dtype="str")
    mask = distinct_mask(values, test)
    assert mask.tolist() == [True, False, True, False, False, True]
    assert seen == [["A", "B", "a", "c"]]


def test_distinct_mask_of_a_column_with_no_values():
    assert distinct_mask(pd.Series([None, None], dtype="str"), lambda s: s == "x").tolist() == [
        False,
        False,
    ]


def test_ids_per_value_counts_distinct_ids_and_leaves_out_rows_missing_either():
    values = pd.Series(["U1", "U1", "U2", "U2", "U3", None, "U3", "U1"], dtype="string")
    ids = pd.Series(["P1", "P2", "P3", "P3", "P4", "P5", None, "P1"], dtype="string")
    # U1 has P1 and P2; U2 has P3 twice; U3 has P4 (its other row has no id); the row
    # with no value is left out.
    assert sorted(ids_per_value(values, ids).tolist()) == [1, 1, 2]


def test_ids_per_value_of_nothing():
    empty = pd.Series([], dtype="string")
    assert ids_per_value(empty, empty).tolist() == []


def test_first_of_key_points_each_row_at_the_first_row_with_its_key():
    keys = pd.DataFrame(
        {
            "a": pd.Series(["x", "y", "x", "x", None, None, "y"], dtype="string"),
            "b": pd.array([1, 1, 1, 2, 1, 1, 1], dtype="Int64"),
        }
    )
    # (x,1) first at 0; (y,1) at 1; (x,2) at 3; a blank equals a blank: (-,1) at 4.
    assert first_of_key(keys).tolist() == [0, 1, 0, 3, 4, 4, 1]
    repeats = first_of_key(keys) != np.arange(len(keys))
    assert repeats.tolist() == keys.duplicated(keep="first").tolist()


def test_first_of_key_does_not_confuse_values_across_columns():
    # Combining codes column by column must keep (a, b) apart from (b, a) and the like.
    keys = pd.DataFrame({"a": ["1", "11", "1", "11"], "b": ["11", "1", "11", "1"]})
    assert first_of_key(keys).tolist() == [0, 1, 0, 1]
    assert first_of_key(keys.iloc[:0]).tolist() == []


def test_identifiers_normalised_as_one_value_at_a_time():
    raw = [
        "943 476 5919",
        "943\u00a0476\u20135919",  # a no-break space and an en dash
        "a351-0000-0000-1",
        "A35100000000 1",
        "ABC/1",
        "",
        VALID_UPN.lower(),
    ]
    for fmt in ("upn", "nhs_number"):
        got = _normalise_identifiers(pd.Series(raw, dtype="str"), fmt).tolist()
        assert got == [normalise_identifier(fmt, v) for v in raw]


def test_format_checks_accept_text_held_by_pyarrow():
    # The str dtype's masks come back read-only from pyarrow; the checks must still work.
    assert upn_valid(pd.Series([VALID_UPN, BAD_UPN, ""], dtype="str")).tolist() == [
        True,
        False,
        False,
    ]
    assert nhs_number_valid(pd.Series([VALID_NHS, BAD_NHS], dtype="str")).tolist() == [
        True,
        False,
    ]
