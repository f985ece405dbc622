"""An area's own code words (profile ``code_map``) and columns only some indicators need."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.raw_fixtures import EHC_REQUESTS, make_profile, write_csv, write_required
from sendready.core.errors import ProfileError
from sendready.ingest.run import run_ingest
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.profile import Profile


def _requests_with(requesters: list[str]) -> list[dict]:
    rows = []
    for n, requester in enumerate(requesters, start=1):
        rows.append({**EHC_REQUESTS[1], "request_id": f"R{n}", "requester": requester})
    return rows


def test_local_code_words_are_mapped_and_an_unknown_one_says_how(tmp_path):
    data = write_required(tmp_path / "raw")
    write_csv(data / "ehc_requests.csv", _requests_with(["Parent", "SENCO", " senco ", "Gran"]))
    profile = make_profile({"ehc_requests": {"code_map": {"requester": {"SENCO": "school"}}}})
    result = run_ingest(profile, data_dir=data, out_dir=tmp_path / "out")
    staged = pd.read_parquet(tmp_path / "out" / "ehc_requests.parquet")
    # "SENCO" in any case and spacing is the area's word for a school; "Parent" is not a
    # code (case matters) and not mapped, so it is quarantined with "Gran".
    assert staged.set_index("request_id")["requester"].to_dict() == {
        "R2": "school",
        "R3": "school",
    }
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine" / "ehc_requests.csv", dtype=str)
    gran = quarantine[quarantine["value"] == "Gran"]["reason"].iloc[0]
    assert "'Gran' is not one of the codes for requester" in gran
    assert "sources.ehc_requests.code_map.requester, e.g. 'Gran': parent" in gran
    notes = result.summary["sources"]["ehc_requests"]["notes"]
    assert any("2 value(s) of requester read through the profile's code_map" in n for n in notes)


@pytest.mark.parametrize(
    ("code_map", "words"),
    [
        ({"requester": {"SENCO": "teacher"}}, "maps onto ['teacher'], which are not codes"),
        ({"received_date": {"x": "y"}}, "received_date is a date column"),
        ({"requestor": {"x": "school"}}, "names 'requestor', which is not a column"),
    ],
)
def test_a_bad_code_map_is_refused_naming_the_key(code_map, words):
    with pytest.raises(Exception) as caught:
        make_profile({"ehc_requests": {"code_map": code_map}})
    assert words in str(caught.value)


def test_a_profile_file_with_a_bad_code_map_is_a_profile_error(tmp_path):
    import yaml

    from sendready.metadata.profile import load_profile

    raw = json.loads(make_profile().model_dump_json())
    raw["sources"] = {"ehc_requests": {"code_map": {"requester": {"SENCO": "teacher"}}}}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ProfileError, match="sources.ehc_requests.code_map.requester"):
        load_profile(path)


REVIEWS = [
    {
        "review_id": "AR1",
        "plan_id": "E1",
        "due_date": "2019-03-01",
        "meeting_date": "2019-02-20",
        "decision": "amend",
    }
]


def test_a_column_only_some_indicators_need_may_be_left_out(tmp_path):
    contract = CONTRACTS["annual_reviews"]
    assert not contract.column("amended_plan_date").required
    assert contract.column("amended_plan_date").indicators_need
    assert contract.column("due_date").required
    data = write_required(tmp_path / "raw")
    write_csv(data / "annual_reviews.csv", REVIEWS)  # no amended_plan_date (nor others)
    result = run_ingest(make_profile(), data_dir=data, out_dir=tmp_path / "out")
    reviews = result.summary["sources"]["annual_reviews"]
    assert reviews["rows_staged"] == 1
    assert "amended_plan_date" in reviews["columns_missing_optional"]


def test_profile_actions_must_name_its_weaknesses():
    raw = json.loads(make_profile().model_dump_json())
    raw["actions"] = [
        {"id": "A1", "weakness": "W9", "owner": "Council", "due": "2019-03-01", "status": "overdue"}
    ]
    with pytest.raises(ValueError, match="action A1 names weakness W9"):
        Profile.model_validate(raw)


def test_actions_listed_in_the_profile_are_staged_as_the_action_plan(tmp_path):
    data = write_required(tmp_path / "raw")
    raw = json.loads(make_profile().model_dump_json())
    raw["actions"] = [
        {
            "id": "A1",
            "weakness": "W1",
            "owner": "Council",
            "due": "2019-03-01",
            "status": "overdue",
        },
        {
            "id": "A2",
            "weakness": "W1",
            "owner": "NHS",
            "due": "2019-02-01",
            "status": "complete",
            "completed": "2019-01-20",
        },
    ]
    run_ingest(Profile.model_validate(raw), data_dir=data, out_dir=tmp_path / "out")
    actions = pd.read_parquet(tmp_path / "out" / "action_plan.parquet").set_index("action_id")
    assert actions["status"].to_dict() == {"A1": "overdue", "A2": "complete"}
    assert actions.loc["A2", "completed_date"] == pd.Timestamp("2019-01-20")
    assert pd.isna(actions.loc["A1", "completed_date"])


def test_profile_actions_and_an_action_plan_extract_are_refused_together(tmp_path):
    from sendready.core.errors import SourceError

    data = write_required(tmp_path / "raw")
    write_csv(
        data / "action_plan.csv",
        [
            {
                "action_id": "X1",
                "weakness_id": "W1",
                "owner_org": "Council",
                "due_date": "2019-01-01",
                "status": "on_track",
            }
        ],
    )
    raw = json.loads(make_profile().model_dump_json())
    raw["actions"] = [
        {"id": "A1", "weakness": "W1", "owner": "Council", "due": "2019-03-01", "status": "overdue"}
    ]
    with pytest.raises(SourceError, match="lists actions and the data folder also has"):
        run_ingest(Profile.model_validate(raw), data_dir=data, out_dir=tmp_path / "out")
