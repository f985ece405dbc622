"""The shipped area profiles and the profile schema's error messages.

The shipped profiles are checked against what they were written from, parsed here
independently of the profiles, so that a profile cannot drift from its sources unnoticed:
the domain brief (docs/domain.md: the inspectors' wording and the re-visit outcomes), the
indicator catalogue generated from the registry (docs/indicators.md) and DfE's statistical
neighbours file (in the shared data folder; that test skips when it is absent).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
import yaml

from helpers import REPO_ROOT
from helpers.shared_paths import SHARED_ROOT
from sendready import cli
from sendready.core.errors import ProfileError
from sendready.metadata.profile import builtin_profiles, load_profile

SHARED = SHARED_ROOT
WSOA = "bury-2017-wsoa"
PRIORITY = "bury-2024-priority-actions"
DOCS = REPO_ROOT / "docs"


def _docs_text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _catalogue_ids_by_section() -> dict[str, list[str]]:
    """Indicator ids under each ``##`` section of docs/indicators.md, keyed by the weakness in
    the heading, e.g. ``{"W4": ["HINF01", ...], "cross-cutting": ["EHC01", ...]}``."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in _docs_text("indicators.md").splitlines():
        heading = re.match(r"^## .*\((W\d|cross-cutting)\)$", line)
        if heading:
            current = heading.group(1)
            sections[current] = []
        elif line.startswith("## "):
            current = ""
        entry = re.match(r"^### ([A-Z]+[0-9]{2}):", line)
        if entry and current:
            sections[current].append(entry.group(1))
    assert [f"W{i}" for i in range(1, 9)] == sorted(k for k in sections if k != "cross-cutting")
    return sections


def _usually_evidences() -> dict[str, str]:
    """Each id's "usually evidences" cell in the summary table of docs/indicators.md."""
    rows = re.findall(
        r"^\| \[([A-Z]+[0-9]{2})\]\(#[^)]*\) \|(?:[^|]*\|){4} ([^|]*) \|$",
        _docs_text("indicators.md"),
        flags=re.M,
    )
    return dict(rows)


def _raw(profile_id: str) -> dict:
    return yaml.safe_load(builtin_profiles()[profile_id].read_text(encoding="utf-8"))


# --- the shipped profiles ---------------------------------------------------------------


def test_both_builtins_load_with_their_weaknesses():
    assert set(builtin_profiles()) >= {WSOA, PRIORITY}
    wsoa, priority = load_profile(WSOA), load_profile(PRIORITY)
    assert (wsoa.id, priority.id) == (WSOA, PRIORITY)
    assert [w.id for w in wsoa.weaknesses] == [f"W{i}" for i in range(1, 9)]
    assert [w.id for w in priority.weaknesses] == [f"P{i}" for i in range(1, 7)]
    assert wsoa.framework.kind == "wsoa-2016"
    assert priority.framework.kind == "area-send-2023"
    for p in (wsoa, priority):
        assert (p.area.name, p.area.la_code, p.area.ons_code) == ("Bury", "351", "E08000002")
        assert p.area.region == "North West"
        assert p.area.icb == "NHS Greater Manchester"
    assert "CCG" in wsoa.area.nhs_commissioner_at_inspection


def test_builtin_file_names_are_profile_ids():
    for pid, path in builtin_profiles().items():
        assert load_profile(path).id == pid, path


def test_profiles_command_lists_both(capsys):
    assert cli.main(["profiles"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "8 weaknesses" in lines[WSOA]
    assert "6 priority areas" in lines[PRIORITY]


def test_framework_dates_match_domain():
    fw = load_profile(WSOA).framework
    assert (fw.inspection_start, fw.inspection_end) == (dt.date(2017, 6, 12), dt.date(2017, 6, 16))
    assert fw.plan_submitted == dt.date(2017, 10, 31)
    assert (fw.baseline_start, fw.baseline_end) == (dt.date(2016, 4, 1), dt.date(2017, 10, 31))
    revisit = [e for e in fw.history if e.date == dt.date(2019, 5, 13)]
    assert len(revisit) == 1 and "Bury2gether" in revisit[0].source
    assert all(e.source for e in fw.history)

    fw = load_profile(PRIORITY).framework
    assert (fw.inspection_start, fw.inspection_end) == (dt.date(2024, 2, 12), dt.date(2024, 2, 16))
    assert fw.published == dt.date(2024, 5, 7)
    published = [e for e in fw.history if e.date == fw.published]
    assert len(published) == 1 and "Outcome 3" in published[0].event


def test_wsoa_titles_are_the_inspectors_wording():
    # docs/domain.md, "Bury, the suite's first area": the table of the inspectors' wording.
    listed = dict(re.findall(r"^\| (W\d) \| (.+?) \|$", _docs_text("domain.md"), flags=re.M))
    assert len(listed) == 8
    profile = load_profile(WSOA)
    assert {w.id: w.title for w in profile.weaknesses} == listed
    assert all(w.title_wording == "verbatim" for w in profile.weaknesses)


def test_priority_titles_are_marked_as_summaries():
    assert all(w.title_wording == "summary" for w in load_profile(PRIORITY).weaknesses)


def test_revisit_outcomes_match_domain():
    ids = r"((?:W\d(?:, | and )?)+)"
    found = re.search(
        rf"re-visit of 13 to 15 May 2019 found sufficient progress on {ids}, and not "
        rf"sufficient progress on {ids} \(",
        " ".join(_docs_text("domain.md").split()),
    )
    assert found, "the re-visit sentence in docs/domain.md has changed"
    sufficient = set(re.findall(r"W\d", found.group(1)))
    not_sufficient = set(re.findall(r"W\d", found.group(2)))
    assert len(sufficient | not_sufficient) == 8
    for w in load_profile(WSOA).weaknesses:
        expected = "sufficient progress" if w.id in sufficient else "not sufficient progress"
        assert w.revisit_outcome == expected, w.id
    assert all(w.revisit_outcome is None for w in load_profile(PRIORITY).weaknesses)


def test_statistical_neighbours_are_burys_column_in_order():
    path = SHARED / "data" / "statistical_neighbours.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared published data is not on this machine")
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    col = rows[0].index("Bury")
    expected = [r[col] for r in rows[1:] if len(r) > col and r[col]]
    assert len(expected) == 10
    for pid in (WSOA, PRIORITY):
        assert load_profile(pid).area.statistical_neighbours == expected


def test_every_indicator_is_in_the_catalogue():
    catalogue = {i for ids in _catalogue_ids_by_section().values() for i in ids}
    for pid in (WSOA, PRIORITY):
        for w in load_profile(pid).weaknesses:
            assert set(w.indicators) <= catalogue, (pid, w.id, set(w.indicators) - catalogue)


def test_wsoa_weaknesses_use_their_catalogue_section():
    sections = _catalogue_ids_by_section()
    profile = load_profile(WSOA)
    for w in profile.weaknesses:
        assert set(sections[w.id]) <= set(w.indicators), w.id
    # Leadership is also judged by outcomes: the catalogue's summary table lists the
    # statutory indicators that usually evidence W1 (EHC01, EHC06).
    evidences = _usually_evidences()
    in_sections = {i for ids in sections.values() for i in ids}
    assert in_sections <= set(evidences)
    # The catalogue beyond Bury's findings (placement, training by phase, ...) is under
    # headings of its own, evidencing no Bury weakness.
    assert {evidences[i] for i in set(evidences) - in_sections} == {"cross-cutting"}
    evidence_w1 = {i for i, cell in evidences.items() if "W1" in re.findall(r"W\d", cell)}
    named = evidence_w1 - set(sections["W1"])
    assert named == {"EHC01", "EHC06"}
    assert named <= set(profile.weakness("W1").indicators)


def test_priority_areas_reuse_the_named_ids():
    profile = load_profile(PRIORITY)
    assert {"LEAD01", "LEAD02", "LEAD03", "LEAD04"} <= set(profile.weakness("P1").indicators)
    assert set(_catalogue_ids_by_section()["W6"]) <= set(profile.weakness("P2").indicators)
    assert {"JC03", "JC04", "JC05", "JC06"} <= set(profile.weakness("P3").indicators)
    assert {"EHC01", "EHC06", "EHC07", "EHC08", "HINF01", "JOIN01", "COP03", "HAW03"} <= set(
        profile.weakness("P6").indicators
    )
    for wid in ("P4", "P5"):
        assert "need data" in profile.weakness(wid).caveats


def test_reported_waits_are_in_p3():
    found = load_profile(PRIORITY).weakness("P3").inspectors_found
    for wait in ("75 weeks", "39 weeks", "15 months"):
        assert wait in found


def test_key_indicators_have_targets_with_a_source():
    for pid in (WSOA, PRIORITY):
        for w in load_profile(pid).weaknesses:
            assert 2 <= len(w.key_indicators) <= 4, (pid, w.id)
            assert set(w.targets) == set(w.key_indicators), (pid, w.id)
            for ind, target in w.targets.items():
                assert 0 <= target.value <= 100, (pid, w.id, ind)
                assert target.source, (pid, w.id, ind)
    # The statutory 20-week limit (reg 13(2); docs/domain.md) means every plan: 100%.
    assert re.search(
        r"^\| issue the final EHC plan \| 20 weeks from the request \| SEND Regulations 2014, "
        r"reg 13\(2\) \|$",
        _docs_text("domain.md"),
        flags=re.M,
    )
    ehc01 = load_profile(WSOA).weakness("W1").targets["EHC01"]
    assert ehc01.value == 100 and "13(2)" in ehc01.source


def test_own_yaml_path_loads_like_the_builtin(tmp_path):
    own = tmp_path / "my-area.yaml"
    shutil.copy(builtin_profiles()[WSOA], own)
    assert load_profile(own) == load_profile(WSOA)
    assert load_profile(str(own)) == load_profile(WSOA)


def test_a_valid_source_mapping_is_accepted(tmp_path):
    raw = _raw(WSOA)
    raw["sources"] = {
        "ehc_plans": {
            "file": "EHCP extract.xlsx",
            "sheet": "Plans",
            "columns": {"Plan Ref": "plan_id", "Start": "start_date"},
        }
    }
    path = tmp_path / "mapped.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    profile = load_profile(path)
    assert profile.source("ehc_plans").columns == {"Plan Ref": "plan_id", "Start": "start_date"}
    assert profile.source("persons").file is None


# --- schema errors -------------------------------------------------------------------------


def _typo_key(raw):
    raw["weaknesses"][0]["inspectors_fund"] = raw["weaknesses"][0].pop("inspectors_found")


def _missing_title(raw):
    del raw["weaknesses"][1]["title"]


def _bad_la_code(raw):
    raw["area"]["la_code"] = "35"


def _unknown_source(raw):
    raw["sources"] = {"ehcp_plans": {"file": "plans.csv"}}


def _unknown_column(raw):
    raw["sources"] = {"ehc_plans": {"columns": {"Plan Ref": "plan_ref"}}}


def _unknown_indicator(raw):
    raw["weaknesses"][2]["indicators"].append("JOIN9")


def _key_not_listed(raw):
    raw["weaknesses"][0]["key_indicators"].append("COP01")


def _baseline_reversed(raw):
    raw["framework"]["baseline_end"] = dt.date(2016, 1, 1)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_typo_key, ["weaknesses.0.inspectors_fund", "W1", "did you mean 'inspectors_found'"]),
        (_missing_title, ["weaknesses.1.title", "W2", "missing"]),
        (_bad_la_code, ["area.la_code", "three-digit"]),
        (_unknown_source, ["sources", "ehcp_plans"]),
        (_unknown_column, ["sources", "plan_ref"]),
        (_unknown_indicator, ["weaknesses.2", "W3", "'JOIN9'", "JOIN01, JOIN02"]),
        (_key_not_listed, ["weaknesses.0", "W1", "COP01"]),
        (_baseline_reversed, ["framework", "baseline_end"]),
    ],
    ids=[
        "typo-key",
        "missing-title",
        "bad-la-code",
        "unknown-source",
        "unknown-column",
        "unknown-indicator",
        "key-not-listed",
        "baseline-reversed",
    ],
)
def test_schema_errors_name_the_file_and_key(tmp_path, mutate, expected):
    raw = _raw(WSOA)
    mutate(raw)
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message
    for part in expected:
        assert part in message, (part, message)


def test_invalid_yaml_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\narea: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value) and "not valid YAML" in str(info.value)
    assert "line" in str(info.value)


def test_yaml_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- W1\n- W2\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="mapping"):
        load_profile(path)


def test_missing_file_names_it(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value) and WSOA in str(info.value)


def test_cli_reports_a_broken_profile_without_traceback(tmp_path, monkeypatch, capsys):
    raw = _raw(WSOA)
    _unknown_indicator(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setattr("sendready.metadata.profile.builtin_profiles", lambda: {"broken": path})
    assert cli.main(["profiles"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "JOIN9" in err and "Traceback" not in err


def test_ingest_with_a_broken_profile_exits_cleanly(tmp_path, capsys):
    pytest.importorskip("sendready.ingest.stage")
    raw = _raw(WSOA)
    _typo_key(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code = cli.main(
        [
            "ingest",
            "--profile",
            str(path),
            "--data",
            str(tmp_path),
            "--out",
            str(tmp_path / "staged"),
        ]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "inspectors_fund" in err and "Traceback" not in err


def test_every_builtin_finding_has_a_short_title_for_the_board_view():
    for path in builtin_profiles().values():
        for weakness in load_profile(path).weaknesses:
            assert weakness.short_title, (path.name, weakness.id)
            # A few words, not a second copy of the inspectors' sentence.
            assert len(weakness.short_title.split()) <= 7, weakness.short_title


def test_a_long_short_title_is_refused(tmp_path):
    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    raw["weaknesses"][0]["short_title"] = "x" * 61
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProfileError, match="short_title"):
        load_profile(path)


def test_a_profile_edited_between_two_loads_is_read_again(tmp_path):
    own = tmp_path / "my-area.yaml"
    shutil.copy(builtin_profiles()[WSOA], own)
    first = load_profile(own)
    raw = yaml.safe_load(own.read_text(encoding="utf-8"))
    raw["area"]["name"] = "Edited area"
    own.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    assert load_profile(own).area.name == "Edited area"
    assert first.area.name != "Edited area"


def test_changing_one_loaded_profile_does_not_reach_the_next_load(tmp_path):
    own = tmp_path / "my-area.yaml"
    shutil.copy(builtin_profiles()[WSOA], own)
    first = load_profile(own)
    first.weaknesses.clear()
    assert len(load_profile(own).weaknesses) == len(_raw(WSOA)["weaknesses"])
