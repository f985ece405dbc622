"""Which period ends a run accepts (publish/periods.py), and the --jobs check."""

from __future__ import annotations

import datetime as dt

import pytest

from sendready import cli
from sendready.core.errors import SendreadyError
from sendready.publish.periods import (
    check_jobs,
    check_period_end,
    check_period_ends,
    is_quarter_end,
    max_jobs,
    parse_period_ends,
    previous_quarter_end,
    quarter_ends_between,
    quarters_to_queue,
)

D = dt.date
TODAY = D(2026, 12, 3)


def test_quarter_ends_are_the_last_days_of_march_june_september_and_december():
    ends = [
        d for d in (D(2019, 1, 1) + dt.timedelta(days=i) for i in range(365)) if is_quarter_end(d)
    ]
    assert ends == [D(2019, 3, 31), D(2019, 6, 30), D(2019, 9, 30), D(2019, 12, 31)]


def test_previous_quarter_end_and_ranges_counted_by_hand():
    assert previous_quarter_end("2019-03-31") == D(2018, 12, 31)
    assert previous_quarter_end(D(2019, 6, 30)) == D(2019, 3, 31)
    # 30 June 2016 to 31 March 2026: ten years of quarters, 40 of them.
    decade = quarter_ends_between(D(2016, 6, 30), D(2026, 3, 31))
    assert len(decade) == 40 and decade[0] == D(2016, 6, 30) and decade[-1] == D(2026, 3, 31)
    assert quarter_ends_between(D(2018, 10, 1), D(2019, 5, 1)) == [D(2018, 12, 31), D(2019, 3, 31)]


def test_dates_and_ranges_parse_to_sorted_distinct_days():
    got = parse_period_ends(["2019-03-31", "2018-06-30..2018-12-31", "2018-09-30"])
    assert got == [D(2018, 6, 30), D(2018, 9, 30), D(2018, 12, 31), D(2019, 3, 31)]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (["2019-02-28"], "2019-02-28 is not the last day of a quarter"),
        (["2019-02-30"], "is not a date"),
        (["2019-03-31..2018-12-31"], "ends (2018-12-31) before it starts"),
        (["2018-12-30..2019-03-31"], "2018-12-30 is not the last day of a quarter"),
    ],
)
def test_bad_dates_and_ranges_are_one_line_errors(values, words):
    with pytest.raises(SendreadyError) as caught:
        check_period_ends(parse_period_ends(values), None, TODAY)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_quarter_end_after_the_extract_or_in_the_future_is_refused():
    assert check_period_end("2019-03-31", "2019-04-05", TODAY) == D(2019, 3, 31)
    with pytest.raises(SendreadyError, match="after the extracts were taken"):
        check_period_end("2019-06-30", "2019-04-05", TODAY)
    with pytest.raises(SendreadyError, match="in the future"):
        check_period_end("2027-03-31", None, TODAY)
    with pytest.raises(SendreadyError, match="not the last day of a quarter"):
        check_period_end("2019-02-28", "2019-04-05", TODAY)
    # On the extract date itself is allowed.
    assert check_period_ends(["2019-03-31", "2019-03-31"], "2019-03-31", TODAY) == [D(2019, 3, 31)]


def test_jobs_must_be_from_one_to_twice_the_processors():
    assert check_jobs(1) == 1 and check_jobs(max_jobs()) == max_jobs()
    for bad in (0, -1, max_jobs() + 1, True):
        with pytest.raises(SendreadyError, match="--jobs"):
            check_jobs(bad)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--jobs", "0"],
        ["run", "--jobs", "two"],
        ["run", "--period-end", "2019-02-28"],
        ["run", "--period-end", "2099-03-31"],
        ["run", "--from", "2018-12-31"],
    ],
)
def test_the_command_refuses_bad_options_before_any_work(argv, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        code = cli.main([*argv, "--data", str(tmp_path / "none"), "--out", str(tmp_path / "o")])
        raise SystemExit(code)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # nothing written


def test_a_verdict_that_ran_out_of_data_reads_no_data_not_changed():
    from sendready.publish.boardpack import change_words

    words = change_words("not_enough_data", "some_improvement", "2018-12-31")
    assert words.startswith("No data to judge this quarter") and "Changed" not in words
    assert "31 December 2018" in words
    # A real change still reads as one.
    assert change_words("deterioration", "some_improvement", "2018-12-31").startswith("Worse")


def test_quarters_are_queued_until_the_next_ones_hold_enough_notebooks():
    # Ten notebooks a quarter, four to keep queued: the next quarter is enough.
    tens = [10, 10, 10, 10, 10]
    assert [quarters_to_queue(tens, i, 4) for i in range(5)] == [2, 3, 4, 5, 5]
    # Beyond quarter 0: 1, then 1 + 0, then 1 + 0 + 2 = 3, then 3 + 3 = 6 >= 4: up to
    # quarter 4, so five quarters queued. Beyond quarter 4 the next alone holds 10.
    mixed = [10, 1, 0, 2, 3, 10]
    assert quarters_to_queue(mixed, 0, 4) == 5
    assert quarters_to_queue(mixed, 4, 4) == 6
    # Nothing to keep queued: the quarter waited for only; a lone quarter: itself.
    assert quarters_to_queue(tens, 1, 0) == 2
    assert quarters_to_queue([3], 0, 4) == 1


@pytest.mark.parametrize("ahead", [1, 2, 4, 7])
def test_the_quarters_queued_are_the_fewest_that_hold_enough(ahead):
    """Checked against a search over every possible end, on sizes that include quarters
    reused as they stand (0) and quarters with one report to rerun."""
    sizes = [10, 0, 1, 0, 0, 2, 10, 1, 1, 1, 1, 0, 9]
    for current in range(len(sizes)):
        fits = [
            end
            for end in range(current + 1, len(sizes) + 1)
            if sum(sizes[current + 1 : end]) >= ahead or end == len(sizes)
        ]
        assert quarters_to_queue(sizes, current, ahead) == min(fits)
