"""The report notebooks' parameters are checked first, each fault in one line."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sendready.core.errors import SendreadyError
from sendready.publish.parameters import check_report_parameters


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "extracts"
    folder.mkdir()
    (folder / "extract.json").write_text(json.dumps({"extract_date": "2019-04-05"}))
    return str(folder)


def test_good_parameters_pass(data):
    check_report_parameters("bury-2017-wsoa", data, "2019-03-31", "", "")
    check_report_parameters("bury-2017-wsoa", "", dt.date(2019, 3, 31), "", "a" * 64)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"period_end": "2019-02-28"}, "period_end: 2019-02-28 is not the last day of a quarter"),
        ({"period_end": "2019-06-30"}, "after the extracts were taken"),
        ({"period_end": 20190331}, "period_end is 20190331 (int), not text"),
        ({"period_end": "31/03/2019"}, "is not a date"),
        ({"profile": "no-such-area"}, "no-such-area"),
        ({"data_dir": "/no/such/folder"}, "data_dir '/no/such/folder' is not a folder"),
        ({"staged_fingerprint": "abc"}, "staged_fingerprint"),
    ],
)
def test_each_fault_names_the_parameter_in_one_line(data, change, words):
    params = {
        "profile": "bury-2017-wsoa",
        "data_dir": data,
        "period_end": "2019-03-31",
        "outputs_dir": "",
        "staged_fingerprint": "",
    }
    params.update(change)
    with pytest.raises(SendreadyError) as caught:
        check_report_parameters(**params)
    assert words in caught.value.message
    assert "\n" not in caught.value.message
