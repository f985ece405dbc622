"""The evidence folder's assessments table opens in Excel as written (see core.excel)."""

from __future__ import annotations

import csv
import io

import pandas as pd

from sendready.core.excel import BOM, EXCEL_ENCODING
from sendready.evidence.assessment import IndicatorAssessment
from sendready.evidence.build import Evidence, save_evidence
from sendready.metadata.profile import load_profile


def _rows(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM), "no byte order mark: Excel would read it as Windows-1252"
    return list(csv.reader(io.StringIO(raw.decode(EXCEL_ENCODING), newline="")))


def test_the_evidence_assessments_table_is_written_for_excel(tmp_path):
    assessment = IndicatorAssessment(
        indicator_id="EHC01",
        title="EHC plans issued within 20 weeks",
        direction="higher_is_better",
        unit="percent",
        method="spc",
        points=24,
        signal="improvement",
        sustained=True,
        since=pd.Timestamp("2018-07-01"),
        reason="-special-cause improvement",  # a leading minus sign must stay text
        latest_value=-1.5,
        latest_period=pd.Timestamp("2019-03-01"),
    )
    evidence = Evidence(
        profile=load_profile("bury-2017-wsoa"),
        period_end=pd.Timestamp("2019-03-31"),
        table=pd.DataFrame({"indicator_id": ["EHC01"], "value": [1.0]}),
        assessments={"EHC01": assessment},
        verdicts={},
    )
    paths = save_evidence(evidence, tmp_path)
    path = next(p for p in paths if p.name == "assessments.csv")
    rows = _rows(path)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["since"] == "2018-07-01" and record["latest_period"] == "2019-03-01"
    assert record["reason"] == "'-special-cause improvement"
    assert record["latest_value"] == "-1.5"
