"""Ingest end to end: locating sources, mapping headers, staging, quarantine, caching, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time

import openpyxl
import pandas as pd
import pytest
import yaml

from helpers.raw_fixtures import (
    BAD_UPN,
    EHC_PLANS,
    EHC_REQUESTS,
    PERSONS,
    SCHOOL_CENSUS,
    csv_text,
    make_profile,
    write_csv,
    write_required,
)
from sendready import cli
from sendready.core import fingerprints
from sendready.core.errors import SourceError
from sendready.core.fingerprints import MEMO_FILE
from sendready.ingest import readers
from sendready.ingest import stage as ingest
from sendready.ingest.plan import pinned_staged
from sendready.ingest.run import run_ingest
from sendready.ingest.stage import load_staged
from sendready.metadata.contracts import CONTRACTS


@pytest.fixture
def data(tmp_path):
    return write_required(tmp_path / "raw")


def _run(data_dir, out, profile=None, **kw):
    return run_ingest(profile or make_profile(), data_dir=data_dir, out_dir=out, **kw)


def _quality(out) -> dict:
    return json.loads((out / "data_quality.json").read_text(encoding="utf-8"))


def _cli(args, capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _cli_error(data_dir, out, capsys, profile_path=None, extra=()) -> str:
    """Run `sendready ingest` expecting a clean failure; return stderr."""
    args = ["ingest", "--data", str(data_dir), "--out", str(out), *extra]
    if profile_path:
        args += ["--profile", str(profile_path)]
    else:
        args += ["--profile", str(_profile_file(data_dir.parent))]
    code, stdout, err = _cli(args, capsys)
    assert code != 0
    assert "Traceback" not in stdout + err
    assert err.startswith("sendready: ")
    return err


def _profile_file(folder, sources=None):
    path = folder / "profile.yaml"
    raw = json.loads(make_profile(sources).model_dump_json())
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


# --- a clean run ------------------------------------------------------------------------


def test_clean_run_stages_every_supplied_source(data, tmp_path):
    out = tmp_path / "staged"
    result = _run(data, out)
    assert result.ok and not result.cached
    quality = _quality(out)
    assert quality["extract_date"] == "2019-06-30"
    assert quality["extract_date_from"] == "extract.json"
    assert quality["profile"] == "test-area" and quality["fingerprint"] == result.fingerprint
    assert set(quality["sources"]) == set(CONTRACTS)
    persons = quality["sources"]["persons"]
    assert persons["status"] == "staged" and persons["file"] == "persons.csv"
    assert (persons["rows_read"], persons["rows_staged"], persons["rows_quarantined"]) == (2, 2, 0)
    assert persons["encoding"] == "UTF-8" and persons["quarantine_file"] is None
    assert quality["sources"]["school_census"]["status"] == "missing_optional"
    assert quality["sources"]["school_census"]["looked_for"] == [
        "school_census.csv",
        "school_census.xlsx",
        "school_census.parquet",
    ]
    assert (out / "ingest_cache.json").is_file()
    assert not list(out.glob(".ingest-*"))


def test_staged_tables_have_agreed_dtypes_and_row_numbers(data, tmp_path):
    out = tmp_path / "staged"
    _run(data, out)
    persons = load_staged(out, "persons")
    assert persons["person_id"].tolist() == ["P0000001", "P0000002"]
    assert persons["source_row"].tolist() == [2, 3]
    assert str(persons["date_of_birth"].dtype) == "datetime64[ms]"
    assert persons["date_of_birth"].tolist() == [
        pd.Timestamp("2010-05-01"),
        pd.Timestamp("2011-03-12"),
    ]
    assert str(persons["person_id"].dtype) == "string"
    assert str(load_staged(out, "ehc_requests")["mediation"].dtype) == "boolean"
    assert str(persons["source_row"].dtype) == "Int64"
    assert load_staged(out, "school_census") is None


def test_load_staged_without_an_ingest_says_what_to_do(tmp_path):
    with pytest.raises(SourceError) as info:
        load_staged(tmp_path, "persons")
    assert "sendready ingest" in str(info.value)


def test_describe_lists_sources_and_where_files_went(data, tmp_path):
    out = tmp_path / "staged"
    text = _run(data, out).describe()
    assert "30 June 2019" in text
    assert any(
        line.startswith("persons ") and "persons.csv (UTF-8)" in line for line in text.splitlines()
    )
    assert "school_census            not supplied (optional)" in text
    assert str(out / "quarantine") in text and str(out / "data_quality.json") in text


def test_cli_ingest_succeeds_and_prints_the_table(data, tmp_path, capsys):
    out = tmp_path / "staged"
    code, stdout, err = _cli(
        [
            "ingest",
            "--data",
            str(data),
            "--out",
            str(out),
            "--profile",
            str(_profile_file(tmp_path)),
        ],
        capsys,
    )
    assert code == 0, err
    assert "ehc_requests" in stdout and "Traceback" not in stdout + err


# --- quarantine --------------------------------------------------------------------------


def test_quarantine_lines_carry_the_whole_original_row(data, tmp_path):
    rows = [
        PERSONS[0],
        {
            **PERSONS[1],
            "upn": BAD_UPN,
            "gender": "=HYPERLINK(1)",
            "note": "-1 day",
            "forename": 'Bob "B",\nJr',
        },
    ]
    header = [*PERSONS[0], "note"]
    write_csv(data / "persons.csv", rows, header=header)
    out = tmp_path / "staged"
    result = _run(data, out)
    persons = result.summary["sources"]["persons"]
    assert (persons["rows_read"], persons["rows_staged"], persons["rows_quarantined"]) == (2, 1, 1)
    assert persons["reasons"] == {"bad_format": 1, "unknown_code": 1}
    assert persons["columns_unknown"] == ["note"]
    raw = (out / "quarantine" / "persons.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    q = pd.read_csv(
        out / "quarantine" / "persons.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert list(q.columns) == ["row_number", "column", "rule", "value", "reason", *header]
    assert q[["row_number", "column", "rule"]].values.tolist() == [
        ["3", "upn", "bad_format"],
        ["3", "gender", "unknown_code"],
    ]
    # Formula-like cells are neutralised wherever they appear.
    assert q["value"].tolist() == [BAD_UPN, "'=HYPERLINK(1)"]
    assert set(q["gender"]) == {"'=HYPERLINK(1)"} and set(q["note"]) == {"'-1 day"}
    assert set(q["surname"]) == {"Jones"} and set(q["forename"]) == {'Bob "B",\nJr'}
    staged = load_staged(out, "persons")
    assert "note" not in staged.columns and staged["source_row"].tolist() == [2]


def test_quarantine_headers_that_clash_with_ours_are_suffixed(tmp_path):
    # benchmarks has a column called "value", as does the quarantine layout.
    data = write_required(tmp_path / "raw")
    row = {
        "indicator_id": "X1",
        "geography": "England",
        "period": "2019",
        "value": "abc",
        "numerator": "",
        "denominator": "",
        "source": "DfE",
    }
    write_csv(data / "benchmarks.csv", [row])
    out = tmp_path / "staged"
    _run(data, out)
    q = pd.read_csv(out / "quarantine" / "benchmarks.csv", dtype=str, encoding="utf-8-sig")
    assert "value (file)" in q.columns and q.loc[0, "value"] == "abc"
    assert q.loc[0, "rule"] == "bad_number"


def test_rows_read_equal_staged_plus_quarantined_for_every_source(data, tmp_path):
    rows = [
        EHC_REQUESTS[0],
        {**EHC_REQUESTS[0]},  # duplicate key
        {**EHC_REQUESTS[1], "request_id": "R3", "received_date": "2019-13-01"},
        {**EHC_REQUESTS[1], "request_id": "R4", "mediation": "perhaps", "requester": "x"},
    ]
    write_csv(data / "ehc_requests.csv", rows)
    write_csv(
        data / "school_census.csv",
        [SCHOOL_CENSUS[0], {**SCHOOL_CENSUS[0], "person_id": "P0000002", "sen_provision": "E"}],
    )
    out = tmp_path / "staged"
    result = _run(data, out)
    for name, src in result.summary["sources"].items():
        assert src["rows_read"] == src["rows_staged"] + src["rows_quarantined"], name
    requests = result.summary["sources"]["ehc_requests"]
    assert (requests["rows_read"], requests["rows_staged"], requests["rows_quarantined"]) == (
        4,
        1,
        3,
    )
    assert requests["reasons"] == {
        "bad_bool": 1,
        "bad_date": 1,
        "duplicate_key": 1,
        "unknown_code": 1,
    }
    census = result.summary["sources"]["school_census"]
    assert census["reasons"] == {"nsa_only_when_sen_provision": 1}


def test_reconciliation_failure_is_an_internal_error(data, tmp_path, monkeypatch):
    real = ingest.validate

    def lossy(frame, *args, **kwargs):
        result = real(frame, *args, **kwargs)
        return type(result)(
            valid=result.valid.iloc[1:], failures=result.failures, rows_read=result.rows_read
        )

    monkeypatch.setattr(ingest, "validate", lossy)
    with pytest.raises(ingest.ReconciliationError, match="Internal error"):
        _run(data, tmp_path / "staged")


def test_a_required_source_that_loses_every_row_is_not_ok(data, tmp_path, capsys):
    write_csv(data / "ehc_plans.csv", [{**EHC_PLANS[0], "start_date": "March"}])
    out = tmp_path / "staged"
    result = _run(data, out)
    assert not result.ok and "ehc_plans" in result.problems[0]
    assert "Problem:" in result.describe()
    code, stdout, _ = _cli(
        [
            "ingest",
            "--data",
            str(data),
            "--out",
            str(out),
            "--profile",
            str(_profile_file(tmp_path)),
        ],
        capsys,
    )
    assert code == 1 and "every one of the 1 rows of ehc_plans" in stdout


def test_an_optional_source_that_loses_every_row_is_a_warning(data, tmp_path):
    write_csv(data / "school_census.csv", [{**SCHOOL_CENSUS[0], "ncy": "99"}])
    result = _run(data, tmp_path / "staged")
    assert result.ok and "school_census" in result.warnings[0]


# --- header mapping ----------------------------------------------------------------------


def test_profile_maps_own_headers_and_matching_ignores_case(data, tmp_path):
    own = {"person_id": "Child ID", "date_of_birth": "DOB", "gender": "Sex"}
    rows = [{own.get(k, k.upper()): v for k, v in row.items()} for row in PERSONS]
    write_csv(data / "persons.csv", [{**r, "Team": "East"} for r in rows])
    # tribunal is an optional column: a file without it is still staged.
    write_csv(
        data / "ehc_requests.csv",
        [{k: v for k, v in r.items() if k != "tribunal"} for r in EHC_REQUESTS],
    )
    profile_path = _profile_file(
        tmp_path,
        {
            "persons": {
                "columns": {
                    "Child ID": "person_id",
                    "dob": "date_of_birth",
                    "Sex": "gender",
                    "Unused header": "postcode",
                }
            }
        },
    )
    out = tmp_path / "staged"
    code = cli.main(
        ["ingest", "--data", str(data), "--out", str(out), "--profile", str(profile_path)]
    )
    assert code == 0
    persons = _quality(out)["sources"]["persons"]
    assert persons["columns_mapped"]["Child ID"] == "person_id"
    assert persons["columns_mapped"]["DOB"] == "date_of_birth"
    assert persons["columns_mapped"]["UPN"] == "upn"
    assert persons["columns_unknown"] == ["Team"]
    assert persons["columns_missing_optional"] == []
    staged = load_staged(out, "persons")
    assert staged["gender"].tolist() == ["F", "M"]
    assert staged["date_of_birth"].tolist() == [
        pd.Timestamp("2010-05-01"),
        pd.Timestamp("2011-03-12"),
    ]
    assert list(staged.columns) == [*CONTRACTS["persons"].column_names, "source_row"]
    requests = _quality(out)["sources"]["ehc_requests"]
    assert requests["columns_missing_optional"] == ["tribunal"]
    assert requests["rows_staged"] == 2
    staged = load_staged(out, "ehc_requests")
    assert staged["tribunal"].isna().all() and str(staged["tribunal"].dtype) == "boolean"


def test_a_required_column_may_not_be_left_out_even_if_it_may_be_blank(data, tmp_path):
    write_csv(
        data / "persons.csv", [{k: v for k, v in r.items() if k != "ethnicity"} for r in PERSONS]
    )
    with pytest.raises(SourceError, match="ethnicity"):
        _run(data, tmp_path / "staged")


def test_missing_required_column_names_file_column_and_fix(data, tmp_path, capsys):
    rows = [{("Gender code" if k == "gender" else k): v for k, v in r.items()} for r in PERSONS]
    write_csv(data / "persons.csv", rows)
    with pytest.raises(SourceError) as info:
        _run(data, tmp_path / "staged")
    message = str(info.value)
    assert str(data / "persons.csv") in message and "gender" in message
    assert "'Gender code'" in message  # the likely header is suggested
    assert "sources.persons.columns" in message
    err = _cli_error(data, tmp_path / "staged", capsys)
    assert "gender" in err and "What to do:" in err


def test_two_headers_mapped_to_one_column_is_an_error(data, tmp_path):
    rows = [{**r, "Sex": r["gender"]} for r in PERSONS]
    write_csv(data / "persons.csv", rows)
    profile = make_profile({"persons": {"columns": {"Sex": "gender", "gender": "gender"}}})
    with pytest.raises(SourceError, match="both mapped to gender"):
        _run(data, tmp_path / "staged", profile=profile)


# --- sources that cannot be used ---------------------------------------------------------


def test_missing_required_source(data, tmp_path, capsys):
    (data / "ehc_plans.csv").unlink()
    (data / "persons.csv").unlink()
    with pytest.raises(SourceError) as info:
        _run(data, tmp_path / "staged")
    message = str(info.value)
    assert str(data) in message
    assert "ehc_plans: looked for ehc_plans.csv or ehc_plans.xlsx or ehc_plans.parquet" in message
    assert "persons:" in message and "required: false" in message
    err = _cli_error(data, tmp_path / "staged", capsys)
    assert "ehc_plans" in err


def test_profile_can_make_a_source_required_or_optional(data, tmp_path):
    with pytest.raises(SourceError, match="school_census"):
        _run(data, tmp_path / "a", profile=make_profile({"school_census": {"required": True}}))
    (data / "ehc_plans.csv").unlink()
    result = _run(data, tmp_path / "b", profile=make_profile({"ehc_plans": {"required": False}}))
    assert result.summary["sources"]["ehc_plans"]["status"] == "missing_optional"


def test_profile_names_file_and_sheet(data, tmp_path):
    (data / "ehc_plans.csv").unlink()
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    ws = wb.create_sheet("Plans")
    header = list(EHC_PLANS[0])
    ws.append(header)
    ws.append(
        [dt.date(2019, 5, 1) if h == "start_date" else EHC_PLANS[0][h] or None for h in header]
    )
    (data / "exports").mkdir()
    wb.save(data / "exports" / "EHCP list.xlsx")
    profile = make_profile({"ehc_plans": {"file": "exports/EHCP list.xlsx", "sheet": "Plans"}})
    result = _run(data, tmp_path / "staged", profile=profile)
    plans = result.summary["sources"]["ehc_plans"]
    assert plans["file"] == "exports/EHCP list.xlsx" and plans["sheet"] == "Plans"
    staged = load_staged(tmp_path / "staged", "ehc_plans")
    assert staged.loc[0, "start_date"] == pd.Timestamp("2019-05-01")


def test_two_files_for_one_source_is_an_error(data, tmp_path):
    pd.DataFrame(PERSONS).to_parquet(data / "persons.parquet")
    with pytest.raises(SourceError, match="more than one file"):
        _run(data, tmp_path / "staged")


def test_xlsx_and_parquet_sources(data, tmp_path):
    (data / "persons.csv").unlink()
    pd.DataFrame(PERSONS).to_parquet(data / "persons.parquet")
    (data / "ehc_plans.csv").unlink()
    wb = openpyxl.Workbook()
    header = list(EHC_PLANS[0])
    wb.active.append(header)
    wb.active.append([43586 if h == "start_date" else EHC_PLANS[0][h] for h in header])
    wb.save(data / "ehc_plans.xlsx")
    result = _run(data, tmp_path / "staged")
    assert result.summary["sources"]["persons"]["format"] == "parquet"
    assert result.summary["sources"]["ehc_plans"]["format"] == "xlsx"
    # Serial 43586 = 43466 (1 Jan 2019) + 120 days = 1 May 2019.
    plans = load_staged(tmp_path / "staged", "ehc_plans")
    assert plans.loc[0, "start_date"] == pd.Timestamp("2019-05-01")
    assert load_staged(tmp_path / "staged", "persons")["source_row"].tolist() == [2, 3]


@pytest.mark.parametrize(
    "case", ["empty", "garbage", "truncated_xlsx", "duplicated_headers", "too_large"]
)
def test_unusable_files_stop_with_a_clear_message(data, tmp_path, capsys, monkeypatch, case):
    target = data / "ehc_requests.csv"
    expect = {
        "empty": "empty",
        "garbage": "binary",
        "truncated_xlsx": "damaged",
        "duplicated_headers": "more than once",
        "too_large": "MB limit",
    }[case]
    if case == "empty":
        target.write_bytes(b"")
    elif case == "garbage":
        target.write_bytes(os.urandom(4096))
    elif case == "truncated_xlsx":
        target.unlink()
        wb = openpyxl.Workbook()
        wb.active.append(list(EHC_REQUESTS[0]))
        wb.save(data / "ehc_requests.xlsx")
        whole = (data / "ehc_requests.xlsx").read_bytes()
        (data / "ehc_requests.xlsx").write_bytes(whole[:-200])
        target = data / "ehc_requests.xlsx"
    elif case == "duplicated_headers":
        text = csv_text(EHC_REQUESTS).replace("tribunal", "Decision", 1)
        target.write_text(text, encoding="utf-8")
    else:
        target.write_text(csv_text(EHC_REQUESTS * 10000), encoding="utf-8")  # ~1.8 MB
        monkeypatch.setenv(readers.MAX_FILE_ENV, "1")
    with pytest.raises(SourceError) as info:
        _run(data, tmp_path / "staged")
    assert expect in str(info.value) and str(target) in str(info.value)
    err = _cli_error(data, tmp_path / "staged", capsys)
    assert expect in err and str(target) in err


def test_header_only_file_is_staged_with_no_rows(data, tmp_path):
    (data / "ehc_plans.csv").write_text(",".join(EHC_PLANS[0]) + "\r\n", encoding="utf-8")
    result = _run(data, tmp_path / "staged")
    plans = result.summary["sources"]["ehc_plans"]
    assert plans["status"] == "staged" and plans["rows_read"] == 0
    assert len(load_staged(tmp_path / "staged", "ehc_plans")) == 0


def test_missing_data_folder(tmp_path, capsys):
    err = _cli_error(
        tmp_path / "nowhere", tmp_path / "out", capsys, profile_path=_profile_file(tmp_path)
    )
    assert "does not exist" in err


# --- extract date ------------------------------------------------------------------------


def test_extract_date_from_flag_overrides_extract_json(data, tmp_path):
    write_csv(data / "ehc_plans.csv", [{**EHC_PLANS[0], "start_date": "2019-07-15"}])
    a = _run(data, tmp_path / "a")
    assert a.summary["sources"]["ehc_plans"]["reasons"] == {"date_after_extract": 1}
    b = _run(data, tmp_path / "b", extract_date=dt.date(2019, 7, 31))
    assert b.summary["sources"]["ehc_plans"]["rows_staged"] == 1
    assert b.summary["extract_date"] == "2019-07-31"


def test_bad_extract_json(data, tmp_path, capsys):
    (data / "extract.json").write_text("{not json", encoding="utf-8")
    err = _cli_error(data, tmp_path / "staged", capsys)
    assert "extract.json" in err and "--extract-date" in err


def test_no_extract_date_means_today(tmp_path):
    data = write_required(tmp_path / "raw", extract_date=None)
    result = _run(data, tmp_path / "staged")
    assert result.summary["extract_date"] == dt.date.today().isoformat()


# --- cache -------------------------------------------------------------------------------


def _mtimes(out):
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_second_run_is_cached_and_does_no_work(data, tmp_path, monkeypatch):
    out = tmp_path / "staged"
    first = _run(data, out)
    before = _mtimes(out)

    def no_reading(*args, **kwargs):
        raise AssertionError("a cached run must not read sources")

    monkeypatch.setattr(ingest, "read_source", no_reading)
    second = _run(data, out)
    assert second.cached and second.ok and second.fingerprint == first.fingerprint
    assert second.summary == first.summary
    assert _mtimes(out) == before
    assert "nothing was redone" in second.describe()


def test_force_redoes_the_work(data, tmp_path):
    out = tmp_path / "staged"
    _run(data, out)
    assert not _run(data, out, force=True).cached


def test_changing_one_input_byte_invalidates_the_cache(data, tmp_path):
    out = tmp_path / "staged"
    first = _run(data, out)
    path = data / "persons.csv"
    path.write_bytes(path.read_bytes().replace(b"Ann", b"Anne"))
    second = _run(data, out)
    assert not second.cached and second.fingerprint != first.fingerprint
    assert load_staged(out, "persons")["forename"].tolist() == ["Anne", "Bob"]


def _settle(folder, seconds_ago=120.0):
    """Date every file in a folder well in the past, as for extracts copied last week."""
    when = time.time() - seconds_ago
    for path in folder.iterdir():
        os.utime(path, (when, when))


def test_a_rerun_does_not_read_settled_unchanged_extracts_again(data, tmp_path, monkeypatch):
    _settle(data)
    out = tmp_path / "staged"
    first = _run(data, out)
    assert (out / MEMO_FILE).is_file()

    def no_hashing(path):
        raise AssertionError(f"{path} was read although it had not changed")

    monkeypatch.setattr(fingerprints, "file_sha256", no_hashing)
    second = _run(data, out)
    assert second.cached and second.fingerprint == first.fingerprint


def test_a_settled_extract_changed_at_the_same_size_is_ingested_again(data, tmp_path):
    _settle(data)
    out = tmp_path / "staged"
    first = _run(data, out)
    path = data / "persons.csv"
    path.write_bytes(path.read_bytes().replace(b"Ann", b"Amy"))  # same size
    _settle(data, seconds_ago=60.0)  # a new modification time, but not a recent one
    second = _run(data, out)
    assert not second.cached and second.fingerprint != first.fingerprint
    assert load_staged(out, "persons")["forename"].tolist() == ["Amy", "Bob"]


def test_pinned_staged_data_are_read_without_the_extracts(data, tmp_path):
    out = tmp_path / "staged"
    first = _run(data, out)
    shutil.rmtree(data)  # the pinned read never looks at the extracts
    pinned = pinned_staged(out, first.fingerprint)
    assert pinned.cached and pinned.summary == first.summary and pinned.ok


def test_pinned_staged_data_replaced_mid_batch_stop_with_a_clear_error(data, tmp_path):
    out = tmp_path / "staged"
    first = _run(data, out)
    path = data / "persons.csv"
    path.write_bytes(path.read_bytes().replace(b"Ann", b"Anne"))
    _run(data, out)  # another run re-stages the folder while the batch is running
    with pytest.raises(SourceError) as caught:
        pinned_staged(out, first.fingerprint)
    message = str(caught.value)
    assert str(out) in message and "changed while the batch was running" in message
    assert "run the batch again" in message


def test_changing_the_profile_or_extract_date_invalidates_the_cache(data, tmp_path):
    out = tmp_path / "staged"
    first = _run(data, out)
    other = make_profile({"persons": {"columns": {"Child": "person_id"}}})
    assert not _run(data, out, profile=other).cached
    assert not _run(data, out, extract_date="2019-07-01").cached
    assert _run(data, out, extract_date="2019-07-01").cached
    back = _run(data, out)  # the first inputs again: the outputs were overwritten since
    assert not back.cached and back.fingerprint == first.fingerprint


def test_adding_an_optional_source_invalidates_the_cache(data, tmp_path):
    out = tmp_path / "staged"
    _run(data, out)
    write_csv(data / "school_census.csv", SCHOOL_CENSUS)
    result = _run(data, out)
    assert not result.cached
    assert result.summary["sources"]["school_census"]["status"] == "staged"


def test_removed_source_leaves_no_stale_staged_file(data, tmp_path):
    out = tmp_path / "staged"
    write_csv(data / "school_census.csv", [{**SCHOOL_CENSUS[0], "ncy": "x"}, SCHOOL_CENSUS[0]])
    _run(data, out)
    assert (out / "school_census.parquet").is_file()
    assert (out / "quarantine" / "school_census.csv").is_file()
    (data / "school_census.csv").unlink()
    _run(data, out)
    assert not (out / "school_census.parquet").exists()
    assert not (out / "quarantine" / "school_census.csv").exists()
    assert load_staged(out, "school_census") is None


def test_deleted_output_invalidates_the_cache(data, tmp_path):
    out = tmp_path / "staged"
    _run(data, out)
    (out / "persons.parquet").unlink()
    assert not _run(data, out).cached
    assert (out / "persons.parquet").is_file()


def test_a_failed_run_leaves_no_cache_vouching_for_its_inputs(data, tmp_path, monkeypatch):
    out = tmp_path / "staged"
    good = _run(data, out)
    (data / "ehc_plans.csv").write_bytes(b"")
    with pytest.raises(SourceError):
        _run(data, out)
    # The earlier outputs and cache still describe the earlier inputs, untouched.
    assert json.loads((out / "ingest_cache.json").read_text())["fingerprint"] == good.fingerprint
    assert not list(out.glob(".ingest-*"))

    write_required(data)  # valid again, but interrupted while publishing
    real = ingest._write_json

    def interrupted(path, content):
        if path.name == "data_quality.json":
            raise KeyboardInterrupt
        real(path, content)

    monkeypatch.setattr(ingest, "_write_json", interrupted)
    (data / "persons.csv").write_bytes((data / "persons.csv").read_bytes() + b"\r\n")
    with pytest.raises(KeyboardInterrupt):
        _run(data, out)
    assert not (out / "ingest_cache.json").exists()
    monkeypatch.setattr(ingest, "_write_json", real)
    assert not _run(data, out).cached


# --- the synthetic sample: quarantine must find exactly the planted faults -----------------


def test_quarantine_finds_exactly_the_sample_s_planted_faults(tmp_path):
    sample = pytest.importorskip("sendready.sample", reason="the sample generator is absent")
    raw = tmp_path / "sample"
    sample.generate_sample(out_dir=raw, scale=0.15, seed=3)
    out = tmp_path / "staged"
    result = _run(raw, out)
    planted = pd.read_csv(raw / "planted_faults.csv", dtype=str, keep_default_na=False)
    found = pd.concat(
        [
            pd.read_csv(
                out / src["quarantine_file"],
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                usecols=["row_number", "column", "rule"],
            ).assign(source=name)
            for name, src in result.summary["sources"].items()
            if src["quarantine_file"]
        ]
    )
    key = ["source", "row_number", "column", "rule"]
    assert len(planted) > 100
    assert sorted(map(tuple, found[key].values)) == sorted(map(tuple, planted[key].values))
    for name, src in result.summary["sources"].items():
        assert src["rows_read"] == src["rows_staged"] + src["rows_quarantined"], name


def test_a_file_saved_over_while_it_is_read_is_not_staged(data, tmp_path, monkeypatch):
    out = tmp_path / "staged"
    real = ingest._ingest_source

    def read_then_edit(source, *args, **kwargs):
        done = real(source, *args, **kwargs)
        if source.name == "persons":  # someone saves the file just after it was read
            time.sleep(0.05)
            source.path.write_bytes(source.path.read_bytes() + b"\n")
        return done

    monkeypatch.setattr(ingest, "_ingest_source", read_then_edit)
    with pytest.raises(SourceError, match="changed while it was being read"):
        _run(data, out)
    assert not (out / "ingest_cache.json").exists()  # nothing vouches for the new content
