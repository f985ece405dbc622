"""W7 health practitioners' awareness of EHC plans: HAW01-HAW05 (docs/indicators.md).

Inspectors found some key health practitioners did not know the children they saw had
EHC plans (docs/domain.md, Bury's 2017 inspection). The evidence is threefold: the health
record carries the plan (HAW01), health takes part when the plan is reviewed and writes
good health sections (HAW02-HAW04), and health staff are trained (HAW05). The audit
proportions HAW03 and HAW04 are declared in ``definitions/health_awareness.yaml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.indicators.common import member_of, yes
from sendready.indicators.periods import flow_proportion, stock_at_period_end
from sendready.indicators.registry import IndicatorDefinition, StagedData, register
from sendready.indicators.workforce import training_indicator

# A referral counts as open (the child is on a health caseload) for a year after it was
# received unless discharged sooner: the extract has no "treatment ended" date, and a
# year covers a first assessment and a block of therapy for most community services.
OPEN_FOR = pd.Timedelta(days=365)


def _children_at_period_end(
    periods: pd.DataFrame, rows: pd.DataFrame, open_from: pd.Series, open_until: pd.Series
) -> pd.DataFrame:
    """One row per (period ``p``, row) open on the period's last day, with ``person_id``."""
    p, row = np.nonzero(stock_at_period_end(periods, open_from, open_until))
    return pd.DataFrame({"p": p, "row": row, "person_id": rows["person_id"].to_numpy()[row]})


def plan_flagged_on_health_record(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    plans = data.require("ehc_plans")
    referrals = data.require("health_referrals")
    with_plan = _children_at_period_end(periods, plans, plans["start_date"], plans["cease_date"])[
        ["p", "person_id"]
    ].drop_duplicates()
    # Only children who ever had a plan can enter either count: keeps the matrix small.
    referrals = referrals[member_of(referrals["person_id"], plans["person_id"])]
    closes = referrals["referral_date"] + OPEN_FOR
    if "discharge_date" in referrals:
        closes = pd.concat([closes, referrals["discharge_date"]], axis=1).min(axis=1)
    open_referrals = _children_at_period_end(periods, referrals, referrals["referral_date"], closes)
    flagged = yes(referrals, "ehcp_flag_on_record").to_numpy()
    open_referrals["flagged"] = flagged[open_referrals["row"].to_numpy()]
    # A child counts as flagged only when every service they are open to has the flag:
    # a practitioner in a service whose record lacks it is the weakness inspectors found.
    per_child = open_referrals.groupby(["p", "person_id"], as_index=False)["flagged"].all()
    both = per_child.merge(with_plan, on=["p", "person_id"], how="inner", validate="one_to_one")
    counts = both.groupby("p")["flagged"].agg(["sum", "count"])
    out = periods.copy()
    out["numerator"] = counts["sum"].reindex(range(len(periods)), fill_value=0).to_numpy()
    out["denominator"] = counts["count"].reindex(range(len(periods)), fill_value=0).to_numpy()
    return out


def health_input_to_reviews(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    reviews = data.require("annual_reviews")
    plans = data.require("ehc_plans")
    referrals = data.require("health_referrals")
    held = reviews[reviews["meeting_date"].notna()].merge(
        plans[["plan_id", "person_id"]], on="plan_id", how="inner", validate="many_to_one"
    )
    first_referral = referrals.groupby("person_id")["referral_date"].min()
    known = held["person_id"].map(first_referral) <= held["meeting_date"]
    held = held[known.fillna(False).astype(bool)]
    return flow_proportion(held, "meeting_date", yes(held, "health_input"), periods)


_W7 = ("W7",)
register(
    IndicatorDefinition(
        id="HAW01",
        title="EHC plans flagged on children's health records",
        sources=("health_referrals", "ehc_plans"),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W7,
        compute=plan_flagged_on_health_record,
        numerator="children counted below whose every open referral carries the EHC plan flag",
        denominator="children with an active plan at the period end who have an open health "
        "referral then",
        notes="An open referral is one received in the 365 days up to the period end and not "
        "discharged by then (the extract records no end of treatment). A child open to "
        "several services counts as flagged only if every one of those records carries the "
        "flag; a blank flag counts as no flag. The flag is recorded as it stood at the "
        "extract date, not month by month, so a flag added later also shows in earlier "
        "months and past figures can be overstated.",
        trend_caveat="the plan flag is recorded as at the extract date, so past figures may "
        "be overstated and the trend understated",
    )
)
register(
    IndicatorDefinition(
        id="HAW02",
        title="Annual reviews with health input, for children known to health",
        sources=("annual_reviews", "ehc_plans", "health_referrals"),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W7,
        compute=health_input_to_reviews,
        numerator="review meetings held in the period with health advice or attendance",
        denominator="review meetings held in the period for children with a health referral "
        "received on or before the meeting date",
        notes="Placed by meeting date. Reviews are linked to children through the plan; reviews "
        "of a plan missing from the plans extract are left out. Any earlier referral to a "
        "children's health service, however old, makes the child known to health. A blank "
        "health input field counts as no input.",
    )
)
register(
    training_indicator(
        "HAW05",
        "Health staff trained on EHC plans in the last twelve months",
        "W7",
        "health_practitioner",
        "ehc_plans",
        staff_words="health practitioner",
        course_words="EHC plan",
    )
)
