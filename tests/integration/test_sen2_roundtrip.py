"""The sample written as a SEN2 return and read back gives the native extracts' figures.

The sample is ingested from its native extracts; its staged persons, requests and plans
are written as a SEN2 return (:mod:`sendready.sample.sen2`); a second data folder holds
that return in place of those three extracts, beside the other native files; ingest reads
it through the profile's ``sen2:`` setting. Every statutory indicator (EHC01-EHC09) must
then be the same, month by month, as from the native extracts.

A SEN2 row hangs from its person, so a request or plan whose person was quarantined in
the native ingest cannot be written; the native figures are computed without those rows
too (the sample plants faults in persons, so there are some).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sendready.indicators.engine import compute_indicators
from sendready.indicators.registry import StagedData
from sendready.ingest.run import run_ingest
from sendready.ingest.stage import load_staged
from sendready.metadata.profile import Sen2Spec, load_profile
from sendready.metadata.sen2 import PROVIDES
from sendready.sample import generate_sample
from sendready.sample.sen2 import write_sen2_return

STATUTORY = [f"EHC0{n}" for n in range(1, 10)]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("sen2")
    native_data = root / "native"
    generate_sample(out_dir=native_data, scale=0.2, seed=11)
    profile = load_profile("bury-2017-wsoa")
    native = run_ingest(profile, native_data, root / "staged_native")
    tables = {name: load_staged(native.out_dir, name) for name in PROVIDES}
    known = set(tables["persons"]["person_id"])
    for name in ("ehc_requests", "ehc_plans"):
        tables[name] = tables[name][tables[name]["person_id"].isin(known)]

    sen2_data = root / "sen2_data"
    sen2_data.mkdir()
    provided = {f"{name}{ext}" for name in PROVIDES for ext in (".csv", ".xlsx", ".parquet")}
    for path in native_data.iterdir():
        if path.is_file() and path.name not in provided:
            shutil.copy(path, sen2_data / path.name)
    write_sen2_return(tables["persons"], tables["ehc_requests"], tables["ehc_plans"], sen2_data)
    sen2_profile = profile.model_copy(update={"sen2": Sen2Spec()})
    sen2 = run_ingest(sen2_profile, sen2_data, root / "staged_sen2")
    return profile, native, sen2, tables


def _indicators(result, profile, tables=None) -> pd.DataFrame:
    table = compute_indicators(
        StagedData(result.out_dir, tables=tables),
        "2019-03-31",
        profile.framework.baseline_start,
        indicator_ids=STATUTORY,
    )
    return table.sort_values(["indicator_id", "period_end"]).reset_index(drop=True)


def test_statutory_indicators_equal(both):
    profile, native, sen2, tables = both
    a, b = _indicators(native, profile, tables), _indicators(sen2, profile)
    columns = ["indicator_id", "period_end", "numerator", "denominator", "value"]
    columns = [c for c in columns if c in a]
    pd.testing.assert_frame_equal(a[columns], b[columns])
    # not a comparison of two empty tables: EHC01 has plans issued in the year to March 2019
    ehc01 = a[(a["indicator_id"] == "EHC01") & a["denominator"].notna()]
    assert ehc01["denominator"].sum() > 0


def test_every_row_comes_back(both):
    _, native, sen2, tables = both
    for name in PROVIDES:
        back = load_staged(sen2.out_dir, name)
        key = {"persons": "person_id", "ehc_requests": "request_id", "ehc_plans": "plan_id"}[name]
        assert sorted(back[key]) == sorted(tables[name][key]), name
    # a request whose plan was issued but whose plan row is not in the plans table gives
    # a named plan with no need (module 5 describes plans only), which is set aside
    requests, plans = tables["ehc_requests"], tables["ehc_plans"]
    starts = set(zip(plans["person_id"], plans["start_date"], strict=True))
    issued = requests[requests["plan_issued_date"].notna()]
    orphans = sum(
        (p, d) not in starts
        for p, d in zip(issued["person_id"], issued["plan_issued_date"], strict=True)
    )
    assert sen2.summary["sen2"]["modules"]["namedplan"]["rows_set_aside"] == orphans


def test_unchanged_return_is_reused(both):
    profile, _, sen2, _ = both
    again = run_ingest(profile.model_copy(update={"sen2": Sen2Spec()}), _data(sen2), sen2.out_dir)
    assert again.cached and again.fingerprint == sen2.fingerprint
    assert "SEN2 return read as persons, ehc_requests and ehc_plans:" in again.describe()


def _data(result):
    return Path(result.summary["sen2"]["data_dir"])
