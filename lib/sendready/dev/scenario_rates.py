"""How often the verdicts find the planted truth: random scenarios and the null.

``python -m sendready.dev.scenario_rates`` draws N random scenarios
(:func:`sendready.sample.random_scenario.draw_scenario`) and K seeds of the null scenario
at a small scale, builds each sample's evidence for the 2017 profile at 31 March 2019 in
process (generate, ingest, evidence), and writes the rates to a markdown file:

* share of weakness verdicts in the planted direction (improves -> sustained or some
  improvement; flat -> no evidence of change; worsens -> deterioration);
* opposite-direction errors (an improvement verdict where the truth worsens, or
  deterioration where it improves);
* under the null, verdicts of sustained improvement or deterioration (false alarms) and
  of some evidence of improvement.

Each miss is listed with what its key indicators showed: the signal at the period end
(with its weight and the months it has held), the cases a month behind the chart, and
the pooled rate over the baseline against the pooled rate since the plan. A planted
change that moved the pooled rate but left no special-cause point at the period end is
one the monthly charts cannot yet see at this scale; one that did not move the pooled
rate at all did not reach the indicator.

Tuning the verdict rules without regenerating samples: ``--cache DIR`` keeps each run's
indicator table (``<run>.parquet``, aggregates only) and planted truths
(``<run>.json``); a later ``--from-cache DIR`` re-assesses and re-judges those tables
with the assessment and verdict rules as they now stand (about a second a run, against
half a minute to generate, ingest and compute one). ``--seed-offset`` draws a different
set of scenarios and null seeds, to check a rule on runs it was not tuned on.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sendready.evidence.assessment import IndicatorAssessment
from sendready.evidence.build import Evidence, build_evidence, evidence_from_table
from sendready.ingest.run import run_ingest
from sendready.metadata.profile import load_profile
from sendready.sample import generate_sample
from sendready.sample.random_scenario import draw_scenario
from sendready.sample.scenario import Scenario, load_scenario

PROFILE = "bury-2017-wsoa"
PERIOD_END = "2019-03-31"
IMPROVING = ("sustained_improvement", "some_improvement")
# "Some evidence of deterioration" is a verdict in the worsening direction: it counts as
# found where a weakness worsens, and as the opposite error where it improves.
WORSENING = ("deterioration", "some_deterioration")
EXPECTED = {
    "improves": IMPROVING,
    "flat": ("no_evidence_of_change",),
    "worsens": WORSENING,
}
OPPOSITE = {"improves": WORSENING, "flat": (), "worsens": IMPROVING}


@dataclass
class Rates:
    """Verdicts against truths, pooled over runs."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # run, w, truth, code
    # One markdown row per key indicator of each miss (:func:`miss_rows`).
    details: list[str] = field(default_factory=list)

    def add(self, run: str, truths: dict[str, str], codes: dict[str, str]) -> None:
        for weakness, truth in truths.items():
            self.rows.append((run, weakness, truth, codes.get(weakness, "missing")))

    def add_evidence(self, run: str, truths: dict[str, str], evidence: Evidence) -> None:
        """Add a run's verdicts, and what the key indicators of each miss showed."""
        self.add(run, truths, {w: v.code for w, v in evidence.verdicts.items()})
        self.details.extend(miss_rows(run, truths, evidence))

    @property
    def matching(self) -> int:
        return sum(code in EXPECTED[truth] for _, _, truth, code in self.rows)

    @property
    def opposite(self) -> int:
        return sum(code in OPPOSITE[truth] for _, _, truth, code in self.rows)

    def codes(self) -> Counter:
        return Counter(code for *_, code in self.rows)


@dataclass
class Run:
    """One run to judge: its name, planted truths, sample seed and where to cache it."""

    name: str
    truths: dict[str, str]
    seed: int
    cache: Path | None = None


def _pooled(rows: pd.DataFrame) -> str:
    denominator = float(rows["denominator"].sum())
    if rows.empty or denominator <= 0:
        return "-"
    return f"{float(rows['numerator'].sum()) / denominator:.0%}"


def _indicator_row(evidence: Evidence, assessment: IndicatorAssessment) -> str:
    """Signal, weight and months held; cases a month; pooled baseline -> since the plan."""
    table, framework = evidence.table, evidence.profile.framework
    series = table[
        (table["indicator_id"] == assessment.indicator_id)
        & (table["breakdown"] == "")
        & (table["period_type"] == "month")
        & ~table["no_data"].astype(bool)
    ]
    start = series["period_start"]
    base = series[
        (start >= pd.Timestamp(framework.baseline_start))
        & (start <= pd.Timestamp(framework.baseline_end))
    ]
    since = series[start > pd.Timestamp(framework.baseline_end)]
    signal = assessment.signal.replace("_", " ")
    if assessment.signal not in ("no_change", "no_data"):
        months = f"{assessment.held} month{'s' if assessment.held != 1 else ''}"
        signal += f" for {months}, weight {assessment.weight}"
    proportion = not series.empty and series["statistic"].iloc[0] == "proportion"
    cases = f"{series['denominator'].mean():.0f}" if proportion else "-"
    moved = f"{_pooled(base)} -> {_pooled(since)}" if proportion else "-"
    return f"{assessment.indicator_id} | {signal} | {cases} | {moved}"


def miss_rows(run: str, truths: dict[str, str], evidence: Evidence) -> list[str]:
    """A markdown row per key indicator of each verdict not in the planted direction."""
    rows = []
    for weakness, truth in truths.items():
        verdict = evidence.verdicts.get(weakness)
        if verdict is None or verdict.code in EXPECTED[truth]:
            continue
        for assessment in verdict.assessments:
            rows.append(
                f"| {run} | {weakness} | {truth} | {verdict.code} | "
                f"{_indicator_row(evidence, assessment)} |"
            )
    return rows


def judge(scenario: Scenario, run: Run, scale: float, work: Path) -> Evidence:
    """Generate, ingest and judge one sample; its evidence.

    With ``run.cache`` set, the run's indicator table and truths are kept there for
    :func:`rejudge`.
    """
    profile = load_profile(PROFILE)
    data = work / "data"
    generate_sample(out_dir=data, scale=scale, seed=run.seed, scenario=scenario)
    ingest = run_ingest(profile, data_dir=data, out_dir=work / "staged")
    evidence = build_evidence(profile, ingest.out_dir, PERIOD_END)
    if run.cache is not None:
        run.cache.mkdir(parents=True, exist_ok=True)
        evidence.table.to_parquet(run.cache / f"{run.name}.parquet", index=False)
        record = {"run": run.name, "truths": run.truths, "seed": run.seed, "scale": scale}
        (run.cache / f"{run.name}.json").write_text(json.dumps(record), encoding="utf-8")
    return evidence


def rejudge(cache: Path) -> tuple[Rates, Rates]:
    """Re-assess and re-judge every cached run with the rules as they now stand.

    Runs named ``null-*`` count towards the null rates, the rest towards the random ones.
    """
    profile = load_profile(PROFILE)
    random_rates, null_rates = Rates(), Rates()
    for path in sorted(cache.glob("*.json"), key=_run_order):
        record = json.loads(path.read_text(encoding="utf-8"))
        table = pd.read_parquet(path.with_suffix(".parquet"))
        evidence = evidence_from_table(profile, table, PERIOD_END)
        rates = null_rates if record["run"].startswith("null-") else random_rates
        rates.add_evidence(record["run"], record["truths"], evidence)
    return random_rates, null_rates


def _cached_scale(cache: Path, default: float) -> float:
    """The scale the cached runs were generated at (for the page's wording)."""
    for path in cache.glob("*.json"):
        return float(json.loads(path.read_text(encoding="utf-8"))["scale"])
    return default


def _run_order(path: Path) -> tuple[str, int]:
    kind, _, number = path.stem.rpartition("-")
    return kind, int(number) if number.isdigit() else 0


def _line(truths: dict[str, str], evidence: Evidence) -> str:
    codes = {w: v.code for w, v in evidence.verdicts.items()}
    return ", ".join(f"{w} {t} -> {codes.get(w, 'missing')}" for w, t in truths.items())


def measure(
    n_random: int, k_null: int, scale: float, cache: Path | None = None, seed_offset: int = 0
) -> tuple[Rates, Rates]:
    """Rates over ``n_random`` drawn scenarios and ``k_null`` null seeds.

    ``seed_offset`` shifts every seed (scenario draws, samples, null seeds) so that a
    rule can be checked on runs other than the test's; ``cache`` keeps each run's
    indicator table for :func:`rejudge`.
    """
    random_rates, null_rates = Rates(), Rates()
    null = load_scenario("null")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(seed_offset, seed_offset + n_random):
            scenario = draw_scenario(seed=i, scale=scale)
            run = Run(scenario.name, scenario.truths[PROFILE], 100 + i, cache)
            evidence = judge(scenario, run, scale, Path(tmp) / f"r{i}")
            random_rates.add_evidence(run.name, run.truths, evidence)
            print(f"{run.name}: {_line(run.truths, evidence)}", flush=True)
        for k in range(seed_offset, seed_offset + k_null):
            run = Run(f"null-{k}", null.truths[PROFILE], 500 + k, cache)
            evidence = judge(null, run, scale, Path(tmp) / f"n{k}")
            null_rates.add_evidence(run.name, run.truths, evidence)
            print(f"{run.name}: {_line(run.truths, evidence)}", flush=True)
    return random_rates, null_rates


def _share(count: int, total: int) -> str:
    return f"{count} of {total} | {count / max(total, 1):.0%}"


def _misses(rows: list[tuple[str, str, str, str]]) -> list[str]:
    total: Counter = Counter(w for _, w, _, _ in rows)
    missed: Counter = Counter(w for _, w, t, c in rows if c not in EXPECTED[t])
    return [f"| {w} | {missed[w]} | {total[w]} |" for w in sorted(total)]


def markdown(random_rates: Rates, null_rates: Rates, scale: float) -> str:
    """The rates as a markdown page: the summary table, then every verdict."""
    total, null_total = len(random_rates.rows), len(null_rates.rows)
    null_codes = null_rates.codes()
    alarms = null_codes["sustained_improvement"] + null_codes["deterioration"]
    lines = [
        "# Scenario rates: do the verdicts find the planted truth?",
        "",
        "Written by `python -m sendready.dev.scenario_rates`. Each run generates the sample",
        f"at scale {scale:g} with a planted scenario, ingests it and judges the eight",
        f"weaknesses of `{PROFILE}` at {PERIOD_END}. The rates hold for the verdict rules in",
        "force when the page was written: re-run it after changing them.",
        "",
        "| measure | count | share | target |",
        "|---|---|---|---|",
        "| random scenarios: verdicts in the planted direction | "
        f"{_share(random_rates.matching, total)} | at least 90% |",
        "| random scenarios: opposite-direction errors | "
        f"{_share(random_rates.opposite, total)} | none |",
        f"| null: sustained improvement or deterioration | {_share(alarms, null_total)} | none |",
        "| null: some evidence of improvement or of deterioration | "
        f"{_share(null_codes['some_improvement'] + null_codes['some_deterioration'], null_total)}"
        " | at most 10% (4 of 40) |",
        "",
        "## Misses by weakness",
        "",
        "Verdicts not in the planted direction, random and null runs together, per weakness",
        "(the key indicators behind each verdict are in the evidence, not repeated here).",
        "",
        "| weakness | misses | of |",
        "|---|---|---|",
        *_misses(random_rates.rows + null_rates.rows),
        "",
        "## What each miss rests on",
        "",
        "Each key indicator of each miss: its signal at the period end (with the weight it",
        "carries in the verdict and the months it has held), the cases a month behind its",
        "monthly chart, and its pooled rate over the baseline against the pooled rate since",
        "the plan. A pooled rate that moved the planted way with no signal at the period end",
        "is a change the monthly chart cannot yet see with so few cases a month; a signal on",
        "an unchanged weakness is chance, or drift in how the series is recorded.",
        "",
        "| run | weakness | planted | verdict | indicator | signal | cases a month | "
        "baseline -> since the plan |",
        "|---|---|---|---|---|---|---|---|",
        *(random_rates.details + null_rates.details),
        "",
        "## Every verdict",
        "",
        "| run | weakness | planted | verdict |",
        "|---|---|---|---|",
    ]
    for run, weakness, truth, code in random_rates.rows + null_rates.rows:
        lines.append(f"| {run} | {weakness} | {truth} | {code} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sendready.dev.scenario_rates")
    parser.add_argument("--random", type=int, default=10, help="random scenarios (N)")
    parser.add_argument("--null", type=int, default=5, help="null seeds (K)")
    parser.add_argument("--scale", type=float, default=0.3, help="sample scale (small)")
    parser.add_argument("--out", type=Path, default=Path("docs/scenario-rates.md"))
    parser.add_argument("--cache", type=Path, help="keep each run's indicator table here")
    parser.add_argument(
        "--from-cache", type=Path, help="re-judge the runs cached here instead of generating"
    )
    parser.add_argument("--seed-offset", type=int, default=0, help="shift every seed")
    args = parser.parse_args(argv)
    if args.from_cache is not None:
        random_rates, null_rates = rejudge(args.from_cache)
        args.scale = _cached_scale(args.from_cache, args.scale)
    else:
        random_rates, null_rates = measure(
            args.random, args.null, args.scale, args.cache, args.seed_offset
        )
    text = markdown(random_rates, null_rates, args.scale)
    args.out.write_text(text, encoding="utf-8")
    print("\n".join(text.splitlines()[:12]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
