"""Reading a SEN2 return: codes per DfE's guide, bad values set aside with a clear reason."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from sendready.core.errors import ProfileError, SourceError
from sendready.core.fingerprints import HashMemo
from sendready.ingest.sen2 import convert_return, parse_date
from sendready.metadata.profile import Sen2Spec, load_profile
from sendready.sample.sen2 import write_sen2_return


def _frames():
    persons = pd.DataFrame(
        [
            {
                "person_id": "P0000001",
                "forename": "Ada",
                "surname": "Lee",
                "date_of_birth": "2010-05-01",
                "gender": "F",
                "upn": "",
                "ethnicity": "WBRI",
                "postcode": "",
            },
        ]
    )
    requests = pd.DataFrame(
        [
            {
                "request_id": "R1",
                "person_id": "P0000001",
                "received_date": "2018-01-02",
                "requester": "school",
                "decision": "assess",
                "decision_date": "2018-02-01",
                "assessment_outcome": "issue",
                "outcome_date": "2018-04-01",
                "plan_issued_date": "2018-05-01",
                "exception_20wk": "school_closure",
                "mediation": True,
                "tribunal": None,
            },
            {
                "request_id": "R2",
                "person_id": "P0000001",
                "received_date": "2018-09-02",
                "requester": "parent",
                "decision": "not_assess",
                "decision_date": "2018-10-01",
                "assessment_outcome": "",
                "outcome_date": "",
                "plan_issued_date": "",
                "exception_20wk": "",
                "mediation": None,
                "tribunal": None,
            },
        ]
    )
    plans = pd.DataFrame(
        [
            {
                "plan_id": "PL1",
                "person_id": "P0000001",
                "start_date": "2018-05-01",
                "cease_date": "",
                "cease_reason": "",
                "primary_need": "ASD",
                "setting_type": "ehe",
                "school_urn": "",
                "personal_budget": True,
            },
        ]
    )
    return persons, requests, plans


def _convert(tmp_path, sen2=None):
    profile = load_profile("bury-2017-wsoa").model_copy(update={"sen2": sen2 or Sen2Spec()})
    return convert_return(profile, tmp_path / "data", tmp_path / "out", HashMemo(None))


def _rows(path):
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _edit(path, row, column, value):
    rows = _rows(path)
    rows[row][column] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def written(tmp_path):
    write_sen2_return(*_frames(), tmp_path / "data")
    return tmp_path


def test_codes_translated(written):
    conversion = _convert(written)
    requests = _rows(conversion.paths["ehc_requests"])
    assert [(r["request_id"], r["decision"], r["requester"]) for r in requests] == [
        ("R1", "assess", "school"),
        ("R2", "not_assess", "parent"),
    ]
    first = requests[0]
    assert first["assessment_outcome"] == "issue"
    assert first["plan_issued_date"] == "2018-05-01"
    assert first["exception_20wk"] == "not_recorded"  # the return says yes, not which
    assert first["mediation"] == "true"
    assert first["sen2_origin"] == "requests.csv row 2"
    (plan,) = _rows(conversion.paths["ehc_plans"])
    assert (plan["plan_id"], plan["primary_need"], plan["setting_type"]) == ("PL1", "ASD", "ehe")
    assert plan["personal_budget"] == "true"


def test_unknown_code_set_aside_with_file_column_row_and_value(written):
    _edit(written / "data" / "requests.csv", 1, "requestoutcome", "Q")
    conversion = _convert(written)
    assert [r["request_id"] for r in _rows(conversion.paths["ehc_requests"])] == ["R1"]
    module = conversion.summary["modules"]["requests"]
    assert module["rows_set_aside"] == 1 and module["reasons"] == {"code": 1}
    (example,) = module["examples"]
    assert example.startswith("requests.csv row 3, requestoutcome: 'Q' is not a code")
    assert "sen2.codes.requestoutcome" in example
    (line,) = _rows(written / "out" / "sen2" / "quarantine" / "requests.csv")
    assert (line["row"], line["column"], line["requestoutcome"]) == ("3", "requestoutcome", "Q")


def test_profile_maps_a_systems_own_code(written):
    _edit(written / "data" / "requests.csv", 1, "requestoutcome", "REF")
    conversion = _convert(written, Sen2Spec(codes={"requestoutcome": {"REF": "N"}}))
    decisions = [r["decision"] for r in _rows(conversion.paths["ehc_requests"])]
    assert decisions == ["assess", "not_assess"]


def test_child_of_a_set_aside_row_is_set_aside_too(written):
    _edit(written / "data" / "requests.csv", 0, "receiveddate", "31/02/2018")
    conversion = _convert(written)
    modules = conversion.summary["modules"]
    assert modules["requests"]["reasons"] == {"date": 1}
    # the assessment of that request, then its named plan, cannot be placed
    assert modules["assessment"]["reasons"] == {"parent": 1}
    assert modules["namedplan"]["reasons"] == {"parent": 1}
    assert "was set aside in requests.csv" in modules["assessment"]["examples"][0]
    assert _rows(conversion.paths["ehc_plans"]) == []


def test_missing_module_named(written):
    (written / "data" / "namedplan.csv").unlink()
    with pytest.raises(SourceError, match="Module 4a: named plan"):
        _convert(written)


def test_dates_in_the_three_forms():
    assert parse_date("2022-Sep-28 00:00:00") == dt.date(2022, 9, 28)
    assert parse_date("28/09/2022") == dt.date(2022, 9, 28)
    assert parse_date("2022-09-28") == dt.date(2022, 9, 28)
    assert parse_date("2022-13-01") is None


def test_profile_names_unknown_module():
    with pytest.raises(ValueError, match="unknown SEN2 module"):
        Sen2Spec(files={"plans": "x.csv"})
    with pytest.raises(ValueError, match="no code list"):
        Sen2Spec(codes={"surname": {"X": "Y"}})


def test_bad_flag_and_repeated_table_id(written):
    _edit(written / "data" / "assessment.csv", 0, "week20", "maybe")
    rows = _rows(written / "data" / "senneed.csv")
    with (written / "data" / "senneed.csv").open("a", encoding="utf-8") as fh:
        fh.write(",".join(rows[0].values()) + "\n")  # the same senneedtableid again
    conversion = _convert(written)
    modules = conversion.summary["modules"]
    assert modules["assessment"]["reasons"] == {"flag": 1}
    assert "'maybe' is not yes or no" in modules["assessment"]["examples"][0]
    assert modules["senneed"]["reasons"] == {"table_id": 1}
    assert "repeats '1'" in modules["senneed"]["examples"][0]


def test_file_without_its_table_id_column(written):
    path = written / "data" / "person.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("persontableid", "id", 1))
    with pytest.raises(
        SourceError,
        match=r"person.csv \(Module 1: person details\) has no "
        r"column persontableid",
    ):
        _convert(written)


def test_blade_export_names_found(written):
    data = written / "data"
    for path in list(data.iterdir()):
        path.rename(data / f"Blade-Export_18-01-2024_{path.name}")
    conversion = _convert(written)
    assert conversion.summary["modules"]["requests"]["file"] == (
        "Blade-Export_18-01-2024_requests.csv"
    )
    assert len(_rows(conversion.paths["ehc_requests"])) == 2


def test_profile_yaml_with_an_unknown_module(tmp_path):
    import yaml

    from sendready.metadata.profile import builtin_profiles

    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    raw["sen2"] = {"files": {"plans": "plans.csv"}}
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"sen2.files: names unknown SEN2 module"):
        load_profile(path)


def test_person_without_an_id_is_set_aside_with_its_requests(written):
    _edit(written / "data" / "person.csv", 0, "nativeid", "")
    conversion = _convert(written)
    modules = conversion.summary["modules"]
    assert modules["person"]["reasons"] == {"no_id": 1}
    assert "the id your other extracts use" in modules["person"]["examples"][0]
    assert modules["requests"]["reasons"] == {"parent": 2}
    assert _rows(conversion.paths["persons"]) == []
