"""W3 joined-up working: agencies contributing together and records that link up.

JOIN01-JOIN04 (docs/indicators.md). The 2017 findings named a "lack of joined-up
thinking and working" (docs/domain.md, Bury's 2017 inspection): plans written without
every agency's advice, reviews without health or social care, and records that cannot be
matched across agencies.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.common import never, reviews_held, yes
from sendready.indicators.periods import flow_proportion, stock_at_period_end
from sendready.indicators.registry import IndicatorDefinition, StagedData, register
from sendready.indicators.surveys import survey_indicator

CORE_ADVICE = ("education", "health", "social_care")


def complete_advice(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    requests = data.require("ehc_requests")
    advice = data.require("ehc_advice")
    issued = requests.loc[requests["plan_issued_date"].notna(), ["request_id", "plan_issued_date"]]
    in_time = advice[["request_id", "advice_type", "received_date"]].merge(
        issued, on="request_id", how="inner", validate="many_to_one"
    )
    # Advice counts only if it was in the local authority's hands when the plan was issued.
    in_time = in_time[
        in_time["advice_type"].isin(CORE_ADVICE).fillna(False).astype(bool)
        & (in_time["received_date"] <= in_time["plan_issued_date"]).fillna(False).astype(bool)
    ]
    kinds = in_time.groupby("request_id")["advice_type"].nunique()
    complete = issued["request_id"].map(kinds).fillna(0).eq(len(CORE_ADVICE))
    return flow_proportion(issued, "plan_issued_date", complete, periods)


def _known_to_social_care(held: pd.DataFrame) -> pd.DataFrame:
    """Reviews of children known to social care; all reviews when that is never recorded."""
    if "known_to_social_care" not in held or held["known_to_social_care"].isna().all():
        return held
    return held[yes(held, "known_to_social_care")]


def multi_agency_reviews(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    held = _known_to_social_care(reviews_held(data))
    both = yes(held, "health_input") & yes(held, "social_care_input")
    return flow_proportion(held, "meeting_date", both, periods)


def _digits(values: pd.Series) -> pd.Series:
    """NHS numbers compared as bare digits: '943 476 5919' and '9434765919' are one number."""
    return values.astype("string").str.replace(r"\s+", "", regex=True)


def records_linked(data: StagedData, periods: pd.DataFrame) -> pd.DataFrame:
    plans = data.require("ehc_plans")
    persons = data.require("persons")
    referrals = data.require("health_referrals")
    on_health_record = referrals[referrals["nhs_number"].notna()]
    first_seen = on_health_record.groupby(_digits(on_health_record["nhs_number"]))[
        "referral_date"
    ].min()
    linked_from = persons[["person_id"]].assign(
        linked_from=_digits(persons["nhs_number"]).map(first_seen).astype("datetime64[ns]")
    )
    plans = plans[["person_id", "start_date", "cease_date"]].merge(
        linked_from, on="person_id", how="left", validate="many_to_one"
    )
    # Periods x plans, then folded to periods x persons: a child with two plans counts once.
    active = pd.DataFrame(stock_at_period_end(periods, plans["start_date"], plans["cease_date"]))
    linked = pd.DataFrame(stock_at_period_end(periods, plans["linked_from"], never(plans.index)))
    person = plans["person_id"].to_numpy()
    active_person = active.T.groupby(person).any().T.to_numpy()
    linked_person = linked.T.groupby(person).any().T.to_numpy()
    out = periods.copy()
    out["numerator"] = (active_person & linked_person).sum(axis=1)
    out["denominator"] = active_person.sum(axis=1)
    return out


_W3 = ("W3",)
register(
    IndicatorDefinition(
        id="JOIN01",
        title="Plans issued with education, health and social care advice all in",
        sources=("ehc_requests", "ehc_advice"),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W3,
        numerator="plans issued in the period whose assessment had education, health and social "
        "care advice all received on or before the issue date",
        denominator="plans issued in the period",
        compute=complete_advice,
        notes="Placed by month of issue. Advice received on the issue date counts; advice received "
        "later, or never, does not. A plan whose assessment has no advice recorded at all "
        "counts as incomplete. Educational psychology and other advice are not required.",
    )
)
register(
    IndicatorDefinition(
        id="JOIN02",
        title="Reviews with health and social care input",
        sources=("annual_reviews",),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W3,
        numerator="review meetings held in the period with both health and social care input",
        denominator="review meetings held in the period for children known to social care",
        compute=multi_agency_reviews,
        notes="Limited to children known to social care, because social care input is only "
        "expected for them. Where the extract does not record whether children are known to "
        "social care at all (no such column, or every entry blank), every review held counts "
        "instead, and the share is then lower than the true figure. Blank input fields count as "
        "no input.",
    )
)
register(
    IndicatorDefinition(
        id="JOIN03",
        title="Children with a plan whose records link to health records",
        sources=("ehc_plans", "persons", "health_referrals"),
        unit="percent",
        direction="up",
        statistic="proportion",
        weaknesses=_W3,
        numerator="children with an active plan at the period end whose NHS number matches the NHS "
        "number on a health referral dated on or before the period end",
        denominator="children with an active plan at the period end",
        compute=records_linked,
        notes="Measures whether the NHS number held with the council's record finds the child on "
        "a health record; the suite's own matching of children across records is not used, "
        "since that link is what is being tested. NHS numbers are compared without spaces. A "
        "child never referred to a children's health service in the extract cannot match, "
        "so the ceiling is below 100%. A child with two plans counts once.",
    )
)
register(
    survey_indicator(
        "JOIN04",
        "Parents who say services work together",
        _W3,
        asked="services work well together",
    )
)
