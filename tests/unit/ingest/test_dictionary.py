"""The data dictionary and templates: generated from the contracts, committed, never stale."""

from __future__ import annotations

import csv
import re

import yaml

from helpers import REPO_ROOT
from sendready import cli
from sendready.ingest.dictionary import (
    FORMAT_DESCRIPTIONS,
    KIND_NAMES,
    render_data_dictionary,
    write_data_dictionary,
)
from sendready.metadata.contracts import CONTRACTS
from sendready.metadata.identifiers import FORMAT_CHECKS
from sendready.metadata.profile import Profile, builtin_profiles

DATA = REPO_ROOT / "data"
BOM = b"\xef\xbb\xbf"


def _sections(markdown: str) -> dict[str, str]:
    """The README's per-source sections, keyed by source name."""
    parts = re.split(r"^## `([a-z_]+)`$", markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_committed_readme_is_up_to_date():
    committed = (DATA / "README.md").read_text(encoding="utf-8")
    assert committed == render_data_dictionary(), (
        "data/README.md is stale: run `sendready dictionary --out data`"
    )


def test_every_source_and_column_is_documented():
    sections = _sections(render_data_dictionary())
    assert list(sections) == list(CONTRACTS)
    for name, contract in CONTRACTS.items():
        rows = _table_rows(sections[name])
        assert [r[0].strip("`") for r in rows] == contract.column_names, name
        for row, col in zip(rows, contract.columns, strict=True):
            assert row[1] == KIND_NAMES[col.kind]
            # A column only some indicators need says so (what leaving it out costs).
            required = "yes" if col.required else "no"
            if col.indicators_need:
                required = "no (some indicators)"
            assert row[2] == required, (name, col.name)
            assert row[3] == ("yes" if col.nullable else "no"), (name, col.name)
            assert row[5] == ("yes" if col.identifying else "no"), (name, col.name)
        assert ("required: ingest stops" in sections[name]) == contract.required, name


def test_codes_rules_and_ranges_are_documented():
    sections = _sections(render_data_dictionary())
    ncy = next(r for r in _table_rows(sections["school_census"]) if r[0] == "`ncy`")
    assert "-2 to 14" in ncy[4]
    due = next(r for r in _table_rows(sections["annual_reviews"]) if r[0] == "`due_date`")
    assert "may be after the extract date" in due[4]
    for name, contract in CONTRACTS.items():
        text = sections[name]
        for col in contract.columns:
            for code in col.codes:
                assert f"`{code}`" in text, (name, col.name, code)
        for rule in contract.rules:
            assert f"- `{rule.name}`: {rule.describe()}." in text, (name, rule.name)
        key = ", ".join(f"`{k}`" for k in contract.key)
        assert f"**Key:** {key} " in text, name


def test_every_identifier_format_is_described():
    used = {c.format for contract in CONTRACTS.values() for c in contract.columns if c.format}
    assert used <= set(FORMAT_DESCRIPTIONS)
    assert set(FORMAT_DESCRIPTIONS) == set(FORMAT_CHECKS)


def test_documented_mapping_example_is_a_valid_profile():
    readme = render_data_dictionary()
    block = re.search(r"```yaml\n(.*?)```", readme, flags=re.S)
    assert block
    example = yaml.safe_load(block.group(1))
    raw = yaml.safe_load(builtin_profiles()["bury-2017-wsoa"].read_text(encoding="utf-8"))
    raw["sources"] = example["sources"]
    profile = Profile.model_validate(raw)
    assert profile.source("ehc_plans").columns["Plan Ref"] == "plan_id"
    assert profile.source("ehc_plans").file == "EHCP extract.xlsx"


def test_templates_are_header_only_with_bom(tmp_path):
    written = write_data_dictionary(
        readme=tmp_path / "README.md", templates_dir=tmp_path / "templates"
    )
    assert written[0] == tmp_path / "README.md"
    assert {p.name for p in written[1:]} == {f"{n}.csv" for n in CONTRACTS}
    for name, contract in CONTRACTS.items():
        path = tmp_path / "templates" / f"{name}.csv"
        raw = path.read_bytes()
        assert raw.startswith(BOM), name
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows == [contract.column_names], name


def test_committed_templates_match_the_contracts(tmp_path):
    write_data_dictionary(readme=tmp_path / "README.md", templates_dir=tmp_path / "templates")
    committed = sorted(p.name for p in (DATA / "templates").glob("*.csv"))
    assert committed == sorted(f"{n}.csv" for n in CONTRACTS)
    for name in committed:
        assert (DATA / "templates" / name).read_bytes() == (
            tmp_path / "templates" / name
        ).read_bytes(), name


def test_dictionary_command_writes_the_files(tmp_path, capsys):
    assert cli.main(["dictionary", "--out", str(tmp_path)]) == 0
    assert f"Wrote {len(CONTRACTS) + 1} files" in capsys.readouterr().out
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == render_data_dictionary()
    assert len(list((tmp_path / "templates").glob("*.csv"))) == len(CONTRACTS)
