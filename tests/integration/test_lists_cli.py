"""``sendready lists`` from the command line: where it writes, and lists read as inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from sendready.cli import main
from sendready.sample import generate_sample


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists_cli") / "data"
    generate_sample(out_dir=folder, scale=0.1, seed=3)
    return folder


def test_writes_restricted_lists_and_a_shared_summary(data, tmp_path, capsys):
    out = tmp_path / "outputs"
    code = main(["lists", "--data", str(data), "--as-at", "2019-03-31", "--out", str(out)])
    assert code == 0
    restricted = out / "bury-2017-wsoa" / "restricted" / "lists" / "2019-03-31"
    assert sorted(p.name for p in restricted.iterdir()) == [
        "list1_ehc_plans.xlsx",
        "list2_sen_support.xlsx",
        "validation.xlsx",
    ]
    shared = out / "bury-2017-wsoa" / "board-pack" / "inspection-lists" / "2019-03-31"
    assert [p.name for p in shared.iterdir()] == ["summary.html"]
    # nothing restricted beside the shared page
    assert not list((out / "bury-2017-wsoa" / "board-pack").rglob("*.xlsx"))
    assert "list1:" in capsys.readouterr().out


def test_reads_lists_the_area_keeps(data, tmp_path, capsys):
    out = tmp_path / "outputs"
    main(["lists", "--data", str(data), "--as-at", "2019-03-31", "--out", str(out)])
    made = out / "bury-2017-wsoa" / "restricted" / "lists" / "2019-03-31"
    kept = pd.read_excel(made / "list1_ehc_plans.xlsx", dtype=object, engine="openpyxl")
    kept.loc[0, "Date of birth"] = pd.Timestamp("1990-01-01")  # aged 29: an error
    kept.to_csv(tmp_path / "our_list1.csv", index=False)
    capsys.readouterr()
    code = main(
        [
            "lists",
            "--data",
            str(data),
            "--as-at",
            "2019-03-31",
            "--out",
            str(tmp_path / "o2"),
            "--list1",
            str(tmp_path / "our_list1.csv"),
            "--list2",
            str(made / "list2_sen_support.xlsx"),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "list1 age_26_or_over (error): 1 row(s)" in printed
    # with both lists given, the extracts are not read
    assert not (tmp_path / "o2" / "bury-2017-wsoa" / "restricted" / "staged").exists()


def test_a_list_without_the_needed_headings_is_a_clear_error(data, tmp_path, capsys):
    bad = tmp_path / "list1.csv"
    bad.write_text("Name,Born\nAda,2010-01-01\n", encoding="utf-8")
    code = main(
        [
            "lists",
            "--data",
            str(data),
            "--as-at",
            "2019-03-31",
            "--out",
            str(tmp_path / "o"),
            "--list1",
            str(bad),
            "--list2",
            str(bad),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "has no column 'Unique ID', 'UPN', 'Date of birth'" in err
    assert "What to do:" in err
