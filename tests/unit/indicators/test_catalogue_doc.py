"""The generated catalogue: docs/indicators.md matches the registry; the filters work."""

from __future__ import annotations

import dataclasses

from helpers import REPO_ROOT
from sendready import cli
from sendready.indicators import REGISTRY
from sendready.indicators.catalogue_doc import (
    COMMAND,
    columns_read,
    render_catalogue,
    render_indicator,
    select,
)
from sendready.metadata.catalogue import INDICATOR_IDS

CATALOGUE = REPO_ROOT / "docs" / "indicators.md"


def test_committed_catalogue_is_up_to_date():
    committed = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.is_file() else ""
    assert committed == render_catalogue(), (
        f"docs/indicators.md is stale (or missing): run `{COMMAND}` from the top of the "
        "checkout and commit the result"
    )


def test_every_registered_indicator_has_a_section_in_catalogue_order():
    text = render_catalogue()
    headings = [line.split(":")[0][4:] for line in text.splitlines() if line.startswith("### ")]
    registered = [i for i in headings if i in REGISTRY]
    assert sorted(registered) == sorted(REGISTRY)
    order = [i for i in INDICATOR_IDS if i in REGISTRY]
    assert registered == order


def test_catalogue_ids_outside_the_registry_are_still_listed():
    text = render_catalogue()
    for indicator_id in INDICATOR_IDS:
        assert f"### {indicator_id}" in text, indicator_id


def test_an_entry_gives_definition_sources_columns_and_benchmark():
    entry = render_indicator("EHC01")
    assert "**Numerator**: plans issued in the period within 140 days" in entry
    assert "`ehc_requests`" in entry
    assert "`plan_issued_date`" in entry and "`exception_20wk`" in entry
    assert "higher is better" in entry
    assert "W1" in entry
    assert "England (2015 to 2024)" in entry


def test_columns_are_found_through_shared_helpers():
    # JC03 counts waits with a helper that lives in another indicator module.
    assert {"referral_date", "first_contact_date"} <= set(
        columns_read(REGISTRY["JC03"])["health_referrals"]
    )


def test_filter_by_source():
    chosen = select(source="governance")
    assert chosen == ["LEAD03", "COP01"]
    assert all("governance" in REGISTRY[i].sources for i in chosen)


def test_filter_by_search_is_case_insensitive_and_reads_the_definition():
    assert select(search="AUTISM") == ["JC06"]
    # "mediation" is only in EHC01's denominator, not its title.
    assert select(search="mediation") == ["EHC01"]
    assert select(source="ehc_requests", search="refused") == ["EHC04", "ID05"]
    assert select(search="no such words anywhere") == []


def test_cli_prints_filtered_entries_only(capsys):
    assert cli.main(["catalogue", "--source", "governance"]) == 0
    out = capsys.readouterr().out
    assert "### LEAD03" in out and "### COP01" in out
    assert "### EHC01" not in out


def test_cli_writes_the_whole_document(tmp_path, capsys):
    out = tmp_path / "docs" / "indicators.md"
    assert cli.main(["catalogue", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_catalogue()


def test_cli_refuses_an_unknown_source_and_a_filtered_out_file(tmp_path, capsys):
    assert cli.main(["catalogue", "--source", "ehcplans"]) != 0
    assert "ehc_plans" in capsys.readouterr().err
    assert cli.main(["catalogue", "--search", "wait", "--out", str(tmp_path / "x.md")]) != 0
    assert not (tmp_path / "x.md").exists()


def test_cli_says_when_nothing_matches(capsys):
    assert cli.main(["catalogue", "--search", "no such words anywhere"]) == 1
    assert "No indicator matches" in capsys.readouterr().err


def test_renderer_ignores_fields_it_does_not_know(monkeypatch):
    base = REGISTRY["EHC03"]
    Extended = dataclasses.make_dataclass(
        "Extended",
        [("owner", str, dataclasses.field(default="someone")), ("review_by", str, "")],
        bases=(type(base),),
        frozen=True,
    )
    extended = Extended(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base)})
    before = render_indicator("EHC03")
    monkeypatch.setitem(REGISTRY, "EHC03", extended)
    assert render_indicator("EHC03") == before


def test_cli_output_is_the_committed_document(capsys):
    assert cli.main(["catalogue"]) == 0
    assert capsys.readouterr().out == CATALOGUE.read_text(encoding="utf-8")


def test_cli_keyword_is_the_search(capsys):
    assert cli.main(["catalogue", "--keyword", "amended"]) == 0
    out = capsys.readouterr().out
    assert "### EHC08:" in out and "### EHC01:" not in out


def test_cli_lists_a_profile_s_own_indicators(tmp_path, capsys):
    import yaml

    from sendready.indicators.declared import forget_profile_indicators
    from sendready.metadata.profile import builtin_profiles

    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    raw["indicators"] = [
        {
            "id": "XC01",
            "title": "Requests from parents",
            "source": "ehc_requests",
            "statistic": "count",
            "date": "received_date",
            "numerator": {"when": 'requester == "parent"', "words": "requests made by parents"},
            "direction": "neutral",
        }
    ]
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    try:
        assert cli.main(["catalogue", "--profile", str(path), "--keyword", "parents"]) == 0
    finally:
        forget_profile_indicators()
    out = capsys.readouterr().out
    assert "### XC01: Requests from parents" in out
    assert "`ehc_requests` columns read: `received_date`, `requester`" in out
    assert 'numerator when `requester == "parent"`' in out
