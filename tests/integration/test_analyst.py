"""The analyst API on a real run: what ``open_report`` says, and DataFrames that equal the
evidence the batch wrote.

The shared ``sample_pack`` (conftest.py) ran the batch; here an analyst opens the same
data with :func:`sendready.notebook.open_report` into a new outputs folder (the pack's
staged tables copied in, so nothing is ingested twice), which builds the evidence afresh.
Its DataFrames are compared with the batch's own ``evidence/indicators.parquet``, read
here with pandas: two computations, one table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import sendready
from helpers.pack_checks import SAMPLE_PACK_PROFILE
from sendready.core.errors import SendreadyError
from sendready.notebook import list_providers, list_schools, open_report
from sendready.reports.drilldown import DrillDown
from sendready.reports.weakness import WeaknessReport

PERIOD = "2019-03-31"


@pytest.fixture(scope="module")
def opened(sample_pack, tmp_path_factory):
    """An analyst's ``open_report`` on the pack's data, and what it wrote to stderr."""
    outputs = tmp_path_factory.mktemp("analyst") / "outputs"
    staged = Path(SAMPLE_PACK_PROFILE, "restricted", "staged")
    shutil.copytree(sample_pack.outputs / staged, outputs / staged)
    capture = pytest.MonkeyPatch()
    lines: list[str] = []

    class Sink:
        def write(self, text: str) -> int:
            lines.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    capture.setattr("sys.stderr", Sink())
    try:
        ctx = open_report(SAMPLE_PACK_PROFILE, str(sample_pack.data_dir), PERIOD, str(outputs))
    finally:
        capture.undo()
    return ctx, "".join(lines), outputs


@pytest.fixture(scope="module")
def batch_table(sample_pack) -> pd.DataFrame:
    return pd.read_parquet(sample_pack.restricted / "evidence" / "indicators.parquet")


def test_open_report_says_which_code_and_folders_and_shows_progress(opened, sample_pack):
    ctx, err, outputs = opened
    package = Path(sendready.__file__).resolve().parent
    assert f"code from:      {package}\n" in err
    assert f"sendready:      {sendready.__version__}, commit " in err
    assert "profile:        bury-2017-wsoa (Bury)\n" in err
    assert f"data folder:    {sample_pack.data_dir.resolve()}\n" in err
    assert f"outputs folder: {outputs.resolve()}\n" in err
    # The progress bar: each step's words, then "Ready" with all three done.
    for words in ("Using the area's own extracts", "Checking the extracts", "Building the"):
        assert words in err
    assert "Ready: 3/3 steps" in err
    assert ctx.uses["code from"] == str(package)


def test_indicators_equal_the_batchs_evidence_table(opened, batch_table):
    ctx, _, _ = opened
    pd.testing.assert_frame_equal(ctx.indicators, batch_table)


def test_a_weakness_reports_table_equals_its_rows_of_the_batchs_table(opened, batch_table):
    ctx, _, _ = opened
    report = WeaknessReport(ctx, "W6")
    ids = ctx.profile.weakness("W6").indicators
    expected = batch_table[batch_table["indicator_id"].isin(ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(report.table(), expected)
    assert set(expected["indicator_id"]) == set(ids)
    chart = report.chart("ID05")
    assert chart.alt_text.startswith("Line chart of ") and chart.data is not None


def test_drilldown_month_and_lists_on_the_sample(opened, batch_table):
    ctx, _, _ = opened
    drill = DrillDown(ctx, month="2019-02")
    expected = batch_table[
        (batch_table["period_type"] == "month")
        & (batch_table["breakdown"] == "")
        & (batch_table["period_start"] == pd.Timestamp("2019-02-01"))
    ].reset_index(drop=True)
    pd.testing.assert_frame_equal(drill.month_table(), expected)
    # The school census, read here: every URN listed once.
    census = pd.read_parquet(ctx.staged_dir / "school_census.parquet")
    schools = list_schools(ctx)
    assert sorted(schools["school_urn"]) == sorted(census["school_urn"].astype(str).unique())
    providers = list_providers(ctx)
    busiest = providers["provider"].iloc[0]
    assert drill.provider == busiest
    misspelt = busiest[:-3] + busiest[-2:]  # one letter dropped near the end
    with pytest.raises(SendreadyError, match=f"Did you mean '{busiest}'"):
        DrillDown(ctx, provider=misspelt)
