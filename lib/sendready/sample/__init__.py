"""The synthetic sample area: every raw source of a Bury-sized local area, 2016-2026.

``generate_sample`` writes one file per source contract, linked by ``person_id``, with
realistic identifiers, a mix of file formats and encodings, between 1% and 2% of rows
carrying one planted data-quality fault each (``planted_faults.csv``), and the truth it
planted (``scenario.json``): a scenario (:mod:`sendready.sample.scenario`) read from YAML,
by default ``bury``, the decade of both Bury inspections. Nothing in the suite's analysis
may read ``scenario.json``; it exists so tests can check the suite finds what was planted.

Scale 1 is Bury-sized (about 30,000 pupils); scale 10 is a large county. The same seed,
scale and scenario always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sendready.core.errors import SendreadyError
from sendready.metadata.contracts import CONTRACTS
from sendready.sample import timeline as tl
from sendready.sample.advice import make_advice
from sendready.sample.benchmarks import make_benchmarks
from sendready.sample.commissioning import make_joint_packages, make_services
from sendready.sample.ehc import make_ehc
from sendready.sample.engagement import (
    make_action_plan,
    make_coproduction,
    make_governance,
    make_quotes,
    make_surveys,
    survey_questions,
)
from sendready.sample.faults import plant_faults
from sendready.sample.health import make_referrals
from sendready.sample.local_offer import make_directory, make_feedback, make_web
from sendready.sample.outcomes import (
    add_attendance,
    add_preparation_for_adulthood,
    add_support_while_waiting,
    make_exclusions,
    make_placements,
)
from sendready.sample.people import make_pool, persons_frame
from sendready.sample.reviews import make_audits, make_reviews
from sendready.sample.scenario import Scenario, load_scenario
from sendready.sample.schools import make_schools, school_census
from sendready.sample.workforce import make_training, make_workforce
from sendready.sample.writers import file_format, to_text, write_source

__all__ = ["SampleSummary", "generate_sample"]

# Sources that hold published or reference material carry no planted faults; nor do the
# few contracts of commissioned_services, where one quarantined contract would open a gap
# that reads as a change in JC02, which the scenario plants as flat.
FAULT_FREE = ("benchmarks", "survey_questions", "commissioned_services")
FAULT_RATE = (0.011, 0.019)  # per source, drawn from this range
# Share of children without a plan whose council record holds their NHS number; plan
# holders' follows the scenario's JOIN03 on the day the plan began.
NHS_RECORDED_OTHER = 0.80


@dataclass
class SampleSummary:
    """What was written: rows and planted faults per source."""

    out_dir: Path
    seed: int
    scale: float
    files: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_faults(self) -> int:
        return sum(self.faults.values())

    def __str__(self) -> str:
        share = self.total_faults / self.total_rows if self.total_rows else 0.0
        return (
            f"{len(self.rows)} sources, {self.total_rows:,} rows, {self.total_faults:,} "
            f"planted faults ({share:.1%}); seed {self.seed}, scale {self.scale:g}, "
            f"{self.seconds:.1f} s"
        )

    def table(self) -> str:
        """Rows and faults per source, one line each."""
        lines = [f"{'source':24} {'file':30} {'rows':>10} {'faults':>7}"]
        for source, rows in self.rows.items():
            lines.append(
                f"{source:24} {self.files[source]:30} {rows:>10,} {self.faults[source]:>7,}"
            )
        return "\n".join(lines)


def _nhs_recorded(
    ctx: tl.Context, size: int, plan_child: np.ndarray, plan_start: np.ndarray
) -> np.ndarray:
    rng = ctx.rng("nhs_recorded")
    p = np.full(size, NHS_RECORDED_OTHER)
    p[plan_child] = ctx.value("JOIN03", np.maximum(plan_start, tl.START))
    return rng.random(size) < p


def build_sources(ctx: tl.Context) -> dict[str, pd.DataFrame]:
    """Every source as a frame (contract columns, plus private ``_`` columns)."""
    schools, extra_urns = make_schools(ctx)
    pool = make_pool(ctx, schools)
    ehc = make_ehc(ctx, pool, schools, extra_urns)
    census, census_children = school_census(ctx, pool, schools, ehc.child_plans, ehc.requested)
    referrals = make_referrals(ctx, pool, ehc)
    used = np.concatenate(
        [census_children, ehc.request_child, ehc.plan_child, referrals["_child"].to_numpy()]
    )
    plan_start = ehc.plans["start_date"].to_numpy().astype("datetime64[D]")
    persons = persons_frame(pool, used, _nhs_recorded(ctx, len(pool), ehc.plan_child, plan_start))
    sources = {
        "persons": persons,
        "ehc_requests": ehc.requests,
        "ehc_advice": make_advice(ctx, ehc, schools),
        "ehc_plans": ehc.plans,
        "annual_reviews": add_preparation_for_adulthood(ctx, make_reviews(ctx, ehc), ehc, pool),
        "school_census": add_attendance(ctx, census),
        "placements": make_placements(ctx, ehc, pool),
        "exclusions": make_exclusions(ctx, census),
        "health_referrals": add_support_while_waiting(ctx, referrals),
        "ehcp_audits": make_audits(ctx, ehc),
        "training": make_training(ctx, schools),
        "workforce": make_workforce(ctx, schools),
        "surveys": make_surveys(ctx),
        "survey_questions": survey_questions(),
        "local_offer_web": make_web(ctx),
        "local_offer_directory": make_directory(ctx),
        "local_offer_feedback": make_feedback(ctx),
        "action_plan": make_action_plan(ctx),
        "governance": make_governance(ctx),
        "coproduction": make_coproduction(ctx),
        "joint_packages": make_joint_packages(ctx, ehc),
        "commissioned_services": make_services(ctx),
        "quotes": make_quotes(ctx),
        "benchmarks": make_benchmarks(),
    }
    missing = set(CONTRACTS) - set(sources)
    if missing:  # a contract added without a generator: fail loudly, not silently
        raise AssertionError(f"no sample generator for {sorted(missing)}")
    return {name: sources[name] for name in CONTRACTS}


def _scenario_json(truth: Scenario, seed: int, scale: float) -> dict:
    """``scenario.json``: the planted truth and the calendar, for tests only."""
    document = truth.document()
    document.update(
        {
            "seed": seed,
            "scale": scale,
            "window": {"start": str(tl.START), "end": str(tl.END)},
            "extract_date": str(tl.EXTRACT),
            "census_dates": [str(d) for d in tl.CENSUS_DATES],
            "calendar": {
                "inspection_2017": [str(tl.INSPECTION_START), str(tl.INSPECTION_END)],
                "wsoa_submitted": str(tl.WSOA_SUBMITTED),
                "revisit_2019": [str(tl.REVISIT_START), str(tl.REVISIT_END)],
                "inspection_2024": [str(tl.INSPECTION_2024_START), str(tl.INSPECTION_2024_END)],
                "priority_plan": str(tl.PRIORITY_PLAN),
                "stocktakes": [str(d) for d in tl.STOCKTAKES],
            },
        }
    )
    return document


def _remove_stale(out_dir: Path, source: str, keep: str) -> None:
    """Drop this source's file in another format left by an earlier run (ingest refuses
    a folder holding two files for one source)."""
    for ext in ("csv", "xlsx", "parquet"):
        other = out_dir / f"{source}.{ext}"
        if ext != keep and other.exists():
            other.unlink()


def generate_sample(
    out_dir: Path,
    scale: float | None = None,
    seed: int = 2017,
    scenario: str | Path | Scenario = "bury",
) -> SampleSummary:
    """Write the synthetic sample area into ``out_dir``.

    Args:
        out_dir: Folder to write (created if needed). Files of the same names are
            overwritten.
        scale: 1 is Bury-sized; people-driven volumes scale with it. Defaults to the
            scenario's own scale.
        seed: Random seed; the same seed, scale and scenario give byte-identical files.
        scenario: A shipped scenario's name, the path of a scenario YAML file, or a
            :class:`~sendready.sample.scenario.Scenario`.

    Returns:
        A summary that prints as one line (``str``) or a table (``table()``).

    Raises:
        SendreadyError: ``scale`` is not a positive number or is too large to be useful,
            or the scenario cannot be read.
    """
    truth = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if scale is None:
        scale = truth.scale
    if not (isinstance(scale, int | float) and 0 < scale <= 20):
        raise SendreadyError(
            f"--scale must be a number above 0 and at most 20, not {scale!r}.",
            hint="Use 1 for a Bury-sized area or 10 for a large county.",
        )
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = tl.Context(seed=int(seed), scale=float(scale), scenario=truth)
    extract = dt.date.fromisoformat(str(tl.EXTRACT))
    summary = SampleSummary(out_dir=out_dir, seed=int(seed), scale=float(scale))
    fault_rows = []
    for source, frame in build_sources(ctx).items():
        contract = CONTRACTS[source]
        table = to_text(frame, contract, source)
        rate = (
            0.0
            if source in FAULT_FREE
            else float(ctx.rng(f"fault_rate:{source}").uniform(*FAULT_RATE))
        )
        protected = ("person_id",) if source == "persons" else ()
        table, fault_col, fault_rule = plant_faults(
            contract, table, ctx.rng(f"faults:{source}"), rate, extract, protected
        )
        ext, _ = file_format(source)
        _remove_stale(out_dir, source, ext)
        path = write_source(out_dir, source, table, contract)
        faulty = np.flatnonzero(fault_rule != "")
        fault_rows.append(
            pd.DataFrame(
                {
                    "source": source,
                    "file": path.name,
                    "row_number": faulty + 2,
                    "column": fault_col[faulty],
                    "rule": fault_rule[faulty],
                }
            )
        )
        summary.files[source] = path.name
        summary.rows[source] = len(fault_rule)
        summary.faults[source] = int(faulty.size)

    pd.concat(fault_rows, ignore_index=True).to_csv(
        out_dir / "planted_faults.csv", index=False, lineterminator="\n"
    )
    (out_dir / "scenario.json").write_text(
        json.dumps(_scenario_json(truth, int(seed), float(scale)), indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    (out_dir / "extract.json").write_text(
        json.dumps(
            {
                "extract_date": str(tl.EXTRACT),
                "area": "Sample area (synthetic, Bury-like)",
                "la_code": tl.LA_CODE,
                "generator": "sendready sample",
                "seed": int(seed),
                "scale": float(scale),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    summary.seconds = time.perf_counter() - started
    return summary
