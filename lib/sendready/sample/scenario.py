"""The one declared scenario the sample plants: the truth tests check the suite against.

After the written statement of action (WSoA) took hold (from 1 December 2017) the
indicators of W1, W2, W3, W5 and W6 improve by several baseline standard deviations,
while those of W4 and W7 stay flat and W8's waits worsen: what Ofsted and CQC found at
the May 2019 re-visit (sufficient progress on W1, W2, W3, W5, W6; not on W4, W7, W8 --
docs/domain.md, "Bury, the suite's first area").

Every generator reads its parameters from :data:`EFFECTS`, so the declared truth and the
data cannot drift apart. ``scenario.json`` is written for tests only: no analysis code may
read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sendready.sample import timeline as tl

WEAKNESS_OUTCOMES = {
    "W1": "improves",
    "W2": "improves",
    "W3": "improves",
    "W4": "flat",
    "W5": "improves",
    "W6": "improves",
    "W7": "flat",
    "W8": "worsens",
}


@dataclass(frozen=True)
class Effect:
    """One planted effect.

    Attributes:
        indicator: Catalogue id (docs/indicators.md).
        weakness: The weakness it evidences (``none`` for a statutory control series).
        direction: ``improves``, ``flat`` or ``worsens`` in the indicator's own terms.
        before: The generating parameter before the change (a proportion unless ``unit``
            says otherwise).
        after: The parameter once the change has taken hold.
        unit: What ``before`` and ``after`` measure.
        planted: Where in the raw data the effect lives, for whoever tests against it.
    """

    indicator: str
    weakness: str
    direction: str
    before: float
    after: float
    unit: str
    planted: str


_EFFECTS = (
    # W1 strategic leadership and vision
    Effect(
        "EHC01",
        "W1",
        "improves",
        0.55,
        0.90,
        "proportion",
        "ehc_requests: plan_issued_date - received_date <= 140 days, by month of issue; "
        "requests whose plan would be issued after the change follow the new process",
    ),
    Effect(
        "EHC06",
        "W1",
        "improves",
        0.60,
        0.88,
        "proportion",
        "annual_reviews: meeting_date <= due_date, by month due",
    ),
    Effect(
        "LEAD01",
        "W1",
        "improves",
        0.25,
        0.95,
        "proportion",
        "action_plan: completed_date <= due_date for actions due before the change "
        "(2016 reform plan) vs WSoA actions of improving weaknesses (W4, W7, W8 "
        "actions stay at 0.50)",
    ),
    Effect(
        "LEAD03",
        "W1",
        "improves",
        0.15,
        0.84,
        "proportion",
        "governance: meetings with la, nhs, schools and parent_carer_forum all attended: "
        "the monthly SEND Partnership Board (0.15 -> 0.80) and, from December 2017, the "
        "fortnightly WSoA Delivery Group (0.87)",
    ),
    # W2 co-production
    Effect(
        "COP01",
        "W2",
        "improves",
        0.40,
        0.95,
        "proportion",
        "governance: parent_carer_forum attended, both boards",
    ),
    Effect(
        "COP02",
        "W2",
        "improves",
        0.24,
        3.8,
        "items per month",
        "coproduction: items with parent_carer_forum or young_people and stage design "
        "(1.5 items a month -> 5; families from design 0.3 -> 0.8)",
    ),
    Effect(
        "COP03",
        "W2",
        "improves",
        0.35,
        0.75,
        "proportion",
        "ehcp_audits: grade_voice good or outstanding, by audit month",
    ),
    Effect(
        "COP04",
        "W2",
        "improves",
        0.35,
        0.75,
        "proportion",
        "annual_reviews: cyp_participated among reviews held, by meeting month",
    ),
    Effect(
        "COP05",
        "W2",
        "improves",
        0.30,
        0.62,
        "proportion",
        "surveys: parent answers agree/strongly_agree to the COP05 question, by wave",
    ),
    # W3 joined-up working
    Effect(
        "JOIN01",
        "W3",
        "improves",
        0.50,
        0.85,
        "proportion",
        "ehc_advice: education, health and social_care advice all received on or before "
        "the plan_issued_date, by month of issue (social care advice is what improves)",
    ),
    Effect(
        "JOIN02",
        "W3",
        "improves",
        0.13,
        0.39,
        "proportion",
        "annual_reviews: health_input and social_care_input both true among reviews of "
        "children known_to_social_care (social care input 0.30 -> 0.88; health input "
        "0.60 if also known to health, 0.08 if not, unchanged)",
    ),
    Effect(
        "JOIN03",
        "W3",
        "improves",
        0.65,
        0.95,
        "proportion",
        "health_referrals.nhs_number filled in, by referral month; persons.nhs_number "
        "filled for 62% of plan holders whose plan began before the change, 96% after",
    ),
    Effect(
        "JOIN04",
        "W3",
        "improves",
        0.25,
        0.55,
        "proportion",
        "surveys: parent agree/strongly_agree to the JOIN04 question",
    ),
    # W4 sharing of health information (no sufficient progress)
    Effect(
        "HINF01",
        "W4",
        "flat",
        0.42,
        0.42,
        "proportion",
        "ehc_advice: health advice received <= 42 days after requested_date",
    ),
    Effect(
        "HINF02",
        "W4",
        "flat",
        46.0,
        46.0,
        "days (median)",
        "ehc_advice: median received_date - requested_date for health advice",
    ),
    Effect(
        "HINF03",
        "W4",
        "flat",
        0.12,
        0.12,
        "proportion",
        "ehc_advice: channel portal among health advice received",
    ),
    Effect(
        "HINF04",
        "W4",
        "flat",
        0.22,
        0.22,
        "proportion",
        "surveys: parent agree/strongly_agree to the HINF04 question",
    ),
    # W5 the local offer
    Effect(
        "LO01",
        "W5",
        "improves",
        1.0,
        2.2,
        "multiple of baseline daily users",
        "local_offer_web: users per day, all sections",
    ),
    Effect(
        "LO02",
        "W5",
        "improves",
        0.24,
        0.09,
        "proportion",
        "local_offer_web: zero_result_searches / searches (lower is better)",
    ),
    Effect(
        "LO03",
        "W5",
        "improves",
        0.45,
        0.92,
        "proportion",
        "local_offer_directory: live entries with last_reviewed_date within 365 days of "
        "snapshot_date",
    ),
    Effect(
        "LO04",
        "W5",
        "improves",
        0.25,
        0.80,
        "proportion",
        "local_offer_feedback: responded_date filled and published_in_response true, by "
        "month received (answered 0.5 -> 0.96, published 0.5 -> 0.85; median reply 25 "
        "-> 8 days)",
    ),
    Effect(
        "LO05",
        "W5",
        "improves",
        0.38,
        0.72,
        "proportion",
        "surveys: parent answers yes to the LO05 question",
    ),
    # W6 identification of SEND at school level
    Effect(
        "ID01",
        "W6",
        "improves",
        0.45,
        0.12,
        "sd of school effect (logit)",
        "school_census: spread of schools' SEN support rates (sen_provision K) shrinks "
        "from the 2016/2017 censuses to 2019 (2018 part way); three schools start far "
        "above the funnel and drift in",
    ),
    Effect(
        "ID03",
        "W6",
        "improves",
        0.27,
        0.06,
        "proportion",
        "school_census: primary_need NSA among sen_provision K (lower is better)",
    ),
    Effect(
        "ID06",
        "W6",
        "improves",
        0.15,
        0.88,
        "proportion",
        "training: senco graduated_approach records / workforce senco headcount, "
        "cumulative share trained by the change vs by 31 March 2019",
    ),
    # W7 health practitioners' awareness (no sufficient progress)
    Effect(
        "HAW01",
        "W7",
        "worsens",
        0.32,
        0.26,
        "proportion",
        "health_referrals: ehcp_flag_on_record true on referrals of children who hold a "
        "plan at any time (the record as at the extract), drifting from 0.32 for "
        "referrals in April 2016 to 0.26 by March 2019; false for other children",
    ),
    Effect(
        "HAW02",
        "W7",
        "flat",
        0.45,
        0.45,
        "proportion",
        "annual_reviews: health_input for children known to health (0.60 for children "
        "also known to social care, 0.40 otherwise, before and after)",
    ),
    Effect(
        "HAW03",
        "W7",
        "flat",
        0.35,
        0.35,
        "proportion",
        "ehcp_audits: grade_health_c and grade_health_g both good or outstanding",
    ),
    Effect(
        "HAW04", "W7", "flat", 0.40, 0.40, "proportion", "ehcp_audits: health_practitioner_aware"
    ),
    Effect(
        "HAW05",
        "W7",
        "flat",
        0.10,
        0.10,
        "proportion",
        "training: health_practitioner ehc_plans records (all from a one-off 2015 session) "
        "/ workforce health_practitioner headcount, cumulative",
    ),
    # W8 joint commissioning (no sufficient progress)
    Effect(
        "JC01",
        "W8",
        "flat",
        0.40,
        0.40,
        "proportion",
        "joint_packages: packages with two or more funders",
    ),
    Effect(
        "JC02",
        "W8",
        "flat",
        0.18,
        0.18,
        "proportion",
        "commissioned_services: joint_specification, whenever the contract started",
    ),
    Effect(
        "JC03",
        "W8",
        "worsens",
        1.0,
        1.35,
        "multiple of median wait (camhs, community_paediatrics, neurodevelopmental)",
        "health_referrals: first_contact_date - referral_date drifts up over the window",
    ),
    Effect(
        "JC05",
        "W8",
        "worsens",
        1.0,
        1.35,
        "multiple of median wait",
        "health_referrals: as JC03; slt, ot and physio waits flat",
    ),
    Effect(
        "JC06",
        "W8",
        "flat",
        0.04,
        0.02,
        "proportion",
        "health_referrals: neurodevelopmental first contact within 91 days",
    ),
    Effect("JC07", "W8", "flat", 0.05, 0.05, "proportion", "ehc_plans: personal_budget true"),
    # A statutory series left alone, as a control that must read "no change".
    Effect(
        "EHC03",
        "none",
        "flat",
        0.73,
        0.73,
        "proportion",
        "ehc_requests: decision_date - received_date <= 42 days",
    ),
)

EFFECTS: dict[str, Effect] = {e.indicator: e for e in _EFFECTS}

# The census is a January snapshot: identification practice shifts over a school year,
# not in the seven weeks between the change and the 2018 census.
CENSUS_EFFECT = {2016: 0.0, 2017: 0.0, 2018: 0.35, 2019: 1.0}


def scenario_document(seed: int, scale: float) -> dict:
    """The content of ``scenario.json``."""
    return {
        "description": (
            "Planted truth of the synthetic sample area. After the written statement of "
            "action took hold the indicators of W1, W2, W3, W5 and W6 improve; W4 and W7 "
            "stay flat; W8's waits worsen. For tests only: analysis code must not read it."
        ),
        "seed": seed,
        "scale": scale,
        "change_date": str(tl.CHANGE),
        "ramp_days": tl.RAMP_DAYS,
        "window": {"start": str(tl.START), "end": str(tl.END)},
        "extract_date": str(tl.EXTRACT),
        "inspection": {"start": str(tl.INSPECTION_START), "end": str(tl.INSPECTION_END)},
        "wsoa_submitted": str(tl.WSOA_SUBMITTED),
        "revisit": {"start": str(tl.REVISIT_START), "end": str(tl.REVISIT_END)},
        "census_dates": [str(d) for d in tl.CENSUS_DATES],
        "census_effect": {str(k): v for k, v in CENSUS_EFFECT.items()},
        "weaknesses": dict(WEAKNESS_OUTCOMES),
        "effects": {e.indicator: asdict(e) for e in _EFFECTS},
    }
