"""Profiles written on Windows work everywhere; paths the suite records use ``/``.

An analyst on a council laptop writes ``file: Extracts\\persons.csv`` in a profile; the
same profile must find the same file on Linux or macOS, and still be refused if it points
outside the data folder however it is spelt. The quality report and the manifest record
input files relative to the data folder with forward slashes on every platform.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendready.core.errors import SendreadyError
from sendready.ingest.plan import _inside_data_folder, locate_sources, plan_ingest
from sendready.ingest.run import run_ingest
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.profile import Profile, load_profile
from sendready.publish.pipeline import _relative, input_files


def _profile_with(file: str) -> Profile:
    raw = load_profile("bury-2017-wsoa").model_dump(mode="json")
    # Every other source optional, so that only the persons file decides the outcome.
    raw["sources"] = {name: {"required": False} for name in CONTRACTS}
    raw["sources"]["persons"] = {"file": file}
    return Profile.model_validate(raw)


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "area" / "data"
    (folder / "Extracts" / "2019").mkdir(parents=True)
    (folder / "Extracts" / "2019" / "people.csv").write_text(
        "person_id\nP1000001\n", encoding="utf-8"
    )
    (tmp_path / "area" / "persons.csv").write_text("person_id\nP1000001\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "file",
    [
        "Extracts\\2019\\people.csv",
        ".\\Extracts\\2019\\people.csv",
        "Extracts\\2019\\..\\2019\\people.csv",
        "Extracts/2019\\people.csv",  # mixed, as copying from Explorer into a path can give
        "Extracts/2019/people.csv",
    ],
)
def test_a_windows_style_relative_path_finds_the_file_on_any_platform(data, file):
    plans = {p.name: p for p in locate_sources(_profile_with(file), data)}
    path = plans["persons"].path
    assert path is not None and path.is_file()
    assert path.resolve() == (data / "Extracts" / "2019" / "people.csv").resolve()
    assert "\\" not in str(_inside_data_folder(file, "persons", data).as_posix())


@pytest.mark.parametrize(
    "file",
    [
        "..\\persons.csv",
        "..\\..\\x",
        "Extracts\\..\\..\\persons.csv",
        "Extracts\\2019\\..\\..\\..\\persons.csv",
        "C:\\x",
        "C:x",  # drive-relative: still another drive's folder
        "C:/Users/analyst/persons.csv",
        "\\x",  # the root of the current drive
        "\\\\server\\share\\persons.csv",
        "//server/share/persons.csv",
        "\\\\?\\C:\\persons.csv",
        "../persons.csv",
        "/etc/passwd",
    ],
)
def test_a_path_that_leaves_the_data_folder_is_refused_however_it_is_spelt(data, file):
    with pytest.raises(SendreadyError) as caught:
        locate_sources(_profile_with(file), data)
    assert "outside the data folder" in caught.value.message
    assert "sources.persons.file" in caught.value.hint


def test_the_quality_report_and_manifest_record_forward_slash_relative_paths(data, tmp_path):
    profile = _profile_with("Extracts\\2019\\people.csv")
    header = ",".join(CONTRACTS["persons"].column_names)
    (data / "Extracts" / "2019" / "people.csv").write_text(
        f"{header}\n{',' * header.count(',')}\n", encoding="utf-8"
    )
    out = tmp_path / "staged"
    result = run_ingest(profile, data, out, extract_date="2019-03-31")
    quality = json.loads((out / "data_quality.json").read_text(encoding="utf-8"))
    assert quality["sources"]["persons"]["file"] == "Extracts/2019/people.csv"
    assert result.summary["sources"]["persons"]["file"] == "Extracts/2019/people.csv"
    # The manifest's list of inputs (what sendready.publish.pipeline writes) uses it as is.
    plan = plan_ingest(profile, data, out, extract_date="2019-03-31")
    files = {f["source"]: f for f in input_files(result, plan)}
    assert files["persons"]["file"] == "Extracts/2019/people.csv"
    assert files["persons"]["bytes"] == (data / "Extracts" / "2019" / "people.csv").stat().st_size


def test_manifest_paths_of_outputs_are_relative_with_forward_slashes(tmp_path):
    folder = tmp_path / "2019-03-31"
    executed = folder / "notebooks" / "W1.ipynb"
    assert _relative(str(executed), folder) == "notebooks/W1.ipynb"
    assert _relative("", folder) == ""
