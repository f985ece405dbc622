"""Bidirectional control characters counted and removed from a whole staged table."""

import pandas as pd
import pytest

from sendready.core.text import strip_bidi_frame

RLO, PDF, LRI, LRM = "\u202e", "\u202c", "\u2066", "\u200e"


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", object])
def test_strip_bidi_frame_counts_every_control_in_every_kind_of_text_column(dtype):
    texts = [f"Plan {RLO}agreed{PDF}", None, f"{LRM}{LRM}", "plain", f"{LRI}x{LRI}{LRI}", ""]
    frame = pd.DataFrame({"note": pd.Series(texts, dtype=dtype), "n": range(len(texts))})
    cleaned, removed = strip_bidi_frame(frame)
    # By hand: 2 + 0 + 2 + 0 + 3 + 0 controls in the notes, none in the numbers.
    assert removed == {"note": 7}
    assert cleaned["note"].tolist()[0] == "Plan agreed"
    assert cleaned["note"].tolist()[4] == "x"
    assert pd.isna(cleaned["note"].tolist()[1])
    assert cleaned["note"].dtype == frame["note"].dtype


def test_strip_bidi_frame_returns_a_table_without_controls_as_it_was():
    frame = pd.DataFrame({"name": pd.Series(["a", "b"], dtype="string"), "when": [1, 2]})
    cleaned, removed = strip_bidi_frame(frame)
    assert removed == {} and cleaned is frame
