"""Shared counting helpers (indicators/common.py), checked against pandas' own methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sendready.indicators.common import member_of


def _identifiers(rng, n, high):
    return [f"P{i:07d}" for i in rng.integers(0, high, n)]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str", "string[python]", "object"])
def test_member_of_agrees_with_isin_and_never_counts_a_blank(dtype):
    rng = np.random.default_rng(7)
    values = pd.Series(_identifiers(rng, 2_000, 5_000) + [None] * 7, dtype=dtype)
    allowed = pd.Series(_identifiers(rng, 1_500, 5_000) + [None], dtype=dtype)
    known = set(allowed.dropna())
    expected = np.array([not pd.isna(v) and v in known for v in values.astype(object)])
    got = member_of(values, allowed)
    assert got.dtype == bool and got.index.equals(values.index)
    assert (got.to_numpy() == expected).all()
    assert got.sum() == values.isin(allowed.dropna()).fillna(False).astype(bool).sum()


def test_member_of_keeps_the_index_and_takes_any_collection():
    values = pd.Series(["a", "b", None, "c"], index=[10, 11, 12, 13], dtype="str")
    assert member_of(values, {"a", "c"}).to_dict() == {10: True, 11: False, 12: False, 13: True}
    assert member_of(values, []).tolist() == [False] * 4


def test_member_of_falls_back_to_isin_for_numbers():
    values = pd.Series([1, 2, None, 4], dtype="Int64")
    assert member_of(values, [2, 4]).tolist() == [False, True, False, True]


def test_a_blank_is_never_a_member_even_of_a_set_holding_a_blank():
    numbers = pd.Series([1.0, np.nan, 3.0])
    assert member_of(numbers, [np.nan, 3.0]).tolist() == [False, False, True]
    text = pd.Series(["a", None, "c"], dtype="str")
    assert member_of(text, pd.Series(["a", None], dtype="str")).tolist() == [True, False, False]
