"""Surveys, board attendance, co-production and the action plan.

The scenario sets how many parents feel listened to (COP05), see services working
together (JOIN04), only tell their story once (HINF04) and know the local offer (LO05);
how often the parent carer forum (COP01) and every partner (LEAD03) are at the boards;
how much work is co-produced from the design stage (COP02); and how many plan actions
are delivered on time (LEAD01). Survey questions without an indicator of their own follow
the indicator closest to them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl

NAT = np.datetime64("NaT", "D")
# Surveys every May and November, and one as the window closes.
WAVES = tuple(tl.day(f"{y}-{md}") for y in range(2016, 2026) for md in ("05-31", "11-30")) + (
    tl.END,
)
# question_id: (respondent, text, scale, weakness tags, indicator id, the indicator whose
# scenario value a question without one of its own follows)
QUESTIONS = {
    "PQ01": (
        "parent",
        "I feel listened to by the people who plan my child's support",
        "agree5",
        "W2",
        "COP05",
        None,
    ),
    "PQ02": (
        "parent",
        "Education, health and care services work well together for my child",
        "agree5",
        "W3",
        "JOIN04",
        None,
    ),
    "PQ03": ("parent", "I only had to tell my child's story once", "agree5", "W4", "HINF04", ""),
    "PQ04": ("parent", "Are you aware of the local offer website?", "yes_no", "W5", "LO05", ""),
    "PQ05": (
        "parent",
        "Health professionals who see my child know about their EHC plan",
        "agree5",
        "W7",
        "",
        "HAW04",
    ),
    "PQ06": (
        "parent",
        "Overall I am satisfied with the support for my child's SEND",
        "agree5",
        "W1;W2",
        "",
        "COP05",
    ),
    "YQ01": ("cyp", "People listen to what I say about my plan", "agree5", "W2", "", "COP04"),
    "YQ02": ("cyp", "Do you know what the local offer is?", "yes_no", "W5", "", "LO05"),
    "XQ01": (
        "practitioner",
        "I understand the graduated approach to SEN support",
        "agree5",
        "W6",
        "",
        "ID06",
    ),
    "XQ02": (
        "practitioner",
        "I know where to find the EHC plan of a child I work with",
        "agree5",
        "W7",
        "",
        "HAW04",
    ),
    "XQ03": (
        "practitioner",
        "Partners work well together for children with SEND",
        "agree5",
        "W3",
        "",
        "JOIN04",
    ),
}
RESPONDENTS_PER_WAVE = {"parent": 200, "cyp": 50, "practitioner": 80}


def survey_questions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "question_id": qid,
                "text": text,
                "scale": scale,
                "weakness_tags": tags,
                "indicator_id": indicator,
            }
            for qid, (_, text, scale, tags, indicator, _) in QUESTIONS.items()
        ]
    )


def _agree_share(ctx: tl.Context, qid: str, wave: np.datetime64) -> float:
    indicator = QUESTIONS[qid][4] or QUESTIONS[qid][5]
    # ID06 is a training rate; practitioners' understanding rises with it from one half.
    value = ctx.at(indicator, wave)
    return float(np.clip(0.45 + 0.6 * value, 0, 0.95)) if indicator == "ID06" else value


def make_surveys(ctx: tl.Context) -> pd.DataFrame:
    """One row per answer: parents, young people and practitioners, every six months."""
    rng = ctx.rng("surveys")
    parts = []
    for wave in WAVES:
        for respondent, base in RESPONDENTS_PER_WAVE.items():
            expected = ctx.n(base)
            k = expected + int(rng.integers(-(expected // 10), expected // 10 + 1))
            prefix = {"parent": "F", "cyp": "Y", "practitioner": "X"}[respondent]
            ids = np.array(
                [f"{prefix}{str(wave)[2:4]}{str(wave)[5:7]}-{i:05d}" for i in range(1, k + 1)],
                dtype=object,
            )
            survey = (
                "SEND practitioner survey" if respondent == "practitioner" else "SEND family survey"
            )
            for qid, spec in QUESTIONS.items():
                if spec[0] != respondent:
                    continue
                agree = _agree_share(ctx, qid, wave)
                u = rng.random(k)
                if spec[2] == "yes_no":
                    answer = np.where(
                        u < agree,
                        "yes",
                        np.where(u < agree + (1 - agree) * 0.85, "no", "dont_know"),
                    )
                else:
                    cut = np.cumsum(
                        [agree * 0.35, agree * 0.65, (1 - agree) * 0.3, (1 - agree) * 0.45]
                    )
                    answer = np.array(
                        ["strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"]
                    )[np.searchsorted(cut, u)]
                answer = np.where(rng.random(k) < 0.03, "", answer)  # skipped
                parts.append(
                    tl.frame(
                        {
                            "response_id": ids,
                            "survey": survey,
                            "wave_date": wave,
                            "respondent": respondent,
                            "question_id": qid,
                            "answer": answer,
                        }
                    )
                )
    surveys = pd.concat(parts, ignore_index=True)
    return surveys.sort_values(
        ["wave_date", "response_id", "question_id"], kind="stable"
    ).reset_index(drop=True)


def _third_tuesdays() -> np.ndarray:
    months = tl.month_starts()
    weekday = (months.astype(np.int64) + 3) % 7  # Monday = 0
    first_tuesday = months + ((1 - weekday) % 7).astype("timedelta64[D]")
    return first_tuesday + np.timedelta64(14, "D")


LA_ATTENDS = 0.98


def _attendance(ctx: tl.Context, dates: np.ndarray) -> dict[str, np.ndarray]:
    """Each partner's chance of attending: the forum's is COP01; the NHS's and schools'
    are equal and make all four present (LEAD03) with the council's 0.98."""
    forum = np.clip(ctx.value("COP01", dates), 0.0, 1.0)
    others = np.sqrt(ctx.value("LEAD03", dates) / (LA_ATTENDS * np.maximum(forum, 0.01)))
    others = np.clip(others, 0.05, 0.995)
    return {
        "la": np.full(dates.size, LA_ATTENDS),
        "nhs": others,
        "schools": others,
        "parent_carer_forum": forum,
        "social_care": others,
    }


def make_governance(ctx: tl.Context) -> pd.DataFrame:
    """Attendance at the SEND Partnership Board (monthly), the Joint Commissioning Group
    (every other month) and the fortnightly delivery groups of the WSoA (from December
    2017 to the 2019 re-visit) and of the priority action plan (from July 2024)."""
    rng = ctx.rng("governance")
    meetings = _third_tuesdays()
    # Thursdays from 7 December 2017, and from 4 July 2024.
    wsoa = np.arange(tl.WSOA_DELIVERY + 6, tl.REVISIT_END + 1, 14)
    priority = np.arange(tl.PRIORITY_PLAN + 3, tl.END + 1, 14)
    rows = []
    for name, orgs, dates in (
        ("SEND Partnership Board", None, meetings),
        ("Joint Commissioning Group", ("la", "nhs", "parent_carer_forum"), meetings[::2] + 7),
        ("WSoA Delivery Group", ("la", "nhs", "schools", "parent_carer_forum"), wsoa),
        ("Priority Action Plan Board", ("la", "nhs", "schools", "parent_carer_forum"), priority),
    ):
        chance = _attendance(ctx, dates)
        for org in orgs or chance:
            rows.append(
                tl.frame(
                    {
                        "meeting_date": dates,
                        "board": name,
                        "organisation": org,
                        "attended": rng.random(dates.size) < chance[org],
                    }
                )
            )
    gov = pd.concat(rows, ignore_index=True)
    return gov.sort_values(["meeting_date", "board"], kind="stable").reset_index(drop=True)


_COPRO_TITLES = {
    "strategy": ("SEND strategy refresh", "Preparing for adulthood strategy"),
    "policy": (
        "Short breaks statement",
        "Graduated approach guidance for schools",
        "Transport policy review",
    ),
    "service_design": (
        "EHC plan template redesign",
        "Local offer website redesign",
        "Neurodevelopmental pathway redesign",
        "Annual review paperwork",
    ),
    "training": ("Co-production training for officers", "Person-centred planning training"),
    "communication": (
        "SEND newsletter",
        "Parent carer forum coffee mornings",
        "You said, we did report",
    ),
    "commissioning": ("Short breaks recommissioning", "Speech and language therapy specification"),
    "other": ("Young people's SEND charter", "Parent survey design"),
}


def make_coproduction(ctx: tl.Context) -> pd.DataFrame:
    """Pieces of work and when families joined them."""
    rng = ctx.rng("coproduction")
    months = tl.month_starts()
    # COP02 items a month are co-produced with families from the design stage: that many
    # and more items in all, with families and design each at the square root of the share.
    target = ctx.value("COP02", months)
    rate = np.maximum(target / 0.7, 1.5)
    counts = rng.poisson(rate)
    first = np.repeat(months, counts)
    last = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    dates = np.sort(tl.uniform_days(rng, first, last, first.size))
    n = dates.size
    kinds = np.array(list(_COPRO_TITLES), dtype=object)
    kind = kinds[rng.integers(0, kinds.size, n)]
    title = np.array(
        [_COPRO_TITLES[k][rng.integers(0, len(_COPRO_TITLES[k]))] for k in kind], dtype=object
    )
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month_rate = rate[np.searchsorted(months, dates, side="right") - 1]
    month_target = target[np.searchsorted(months, dates, side="right") - 1]
    each = np.sqrt(np.clip(month_target / month_rate, 0.0, 1.0))
    family = rng.random(n) < each
    forum = family & (rng.random(n) < 0.9)
    young = (family & ~forum) | (family & (rng.random(n) < 0.35))
    design = rng.random(n) < each
    stage = np.where(design, "design", np.where(rng.random(n) < 0.6, "delivery", "review"))
    return tl.frame(
        {
            "item_id": [f"CP{i:04d}" for i in range(1, n + 1)],
            "date": dates,
            "kind": kind,
            "title": [f"{t} {y}" for t, y in zip(title, year, strict=True)],
            "parent_carer_forum": forum,
            "young_people": young,
            "stage": stage,
        }
    )


_OWNERS = (
    "Bury Council",
    "Bury CCG",
    "Bury Council and Bury CCG",
    "Bury2gether",
    "Schools' SENCO network",
)


# The plans whose actions the action log holds: (prefix, weakness ids, first and last due
# day, actions per weakness). The 2016 reform plan, the WSoA, the local area's SEND
# strategy between the inspections, and the 2024 priority action plan.
PLANS = (
    ("R16", tuple(f"W{w}" for w in range(1, 9)), "2016-05-01", "2017-10-23", 4),
    ("", tuple(f"W{w}" for w in range(1, 9)), "2017-12-15", "2019-06-27", 9),
    ("S19", tuple(f"W{w}" for w in range(1, 9)), "2019-07-01", "2024-06-30", 20),
    ("", tuple(f"P{p}" for p in range(1, 7)), "2024-08-01", "2026-06-30", 14),
)


def _action_status(
    rng: np.random.Generator, due: np.datetime64, p_on_time: float
) -> tuple[str, np.datetime64]:
    u = rng.random()
    if due > tl.EXTRACT:  # not yet due at the extract
        if rng.random() < 0.15 * p_on_time:
            done = due - np.timedelta64(int(rng.integers(10, 200)), "D")
            return ("complete", done) if done <= tl.END else ("on_track", NAT)
        status = (
            "on_track"
            if u < p_on_time
            else "at_risk"
            if u < p_on_time + 0.6 * (1 - p_on_time)
            else "not_started"
        )
        return status, NAT
    if u < p_on_time:
        return "complete", due - np.timedelta64(int(rng.integers(0, 60)), "D")
    if u < p_on_time + 0.5 * (1 - p_on_time):
        completed = due + np.timedelta64(int(rng.integers(7, 240)), "D")
        return ("complete", completed) if completed <= tl.END else ("overdue", NAT)
    return "overdue", NAT


def make_action_plan(ctx: tl.Context) -> pd.DataFrame:
    """Every plan's actions; each is done on time with the scenario's LEAD01 at its due
    date."""
    rng = ctx.rng("action_plan")
    out = []
    for prefix, weaknesses, first, last, per_weakness in PLANS:
        span = int((tl.day(last) - tl.day(first)).astype(np.int64))
        for weakness in weaknesses:
            for i in range(per_weakness):
                due = tl.day(first) + np.timedelta64(int(rng.integers(0, span + 1)), "D")
                status, completed = _action_status(rng, due, ctx.at("LEAD01", due))
                out.append(
                    {
                        "action_id": f"{prefix}.{weakness}.{i + 1}"
                        if prefix
                        else f"{weakness}.{i + 1}",
                        "weakness_id": weakness,
                        "owner_org": _OWNERS[int(rng.integers(0, len(_OWNERS)))],
                        "due_date": due,
                        "status": status,
                        "completed_date": completed,
                    }
                )
    return (
        pd.DataFrame(out)
        .sort_values(["due_date", "action_id"], kind="stable")
        .reset_index(drop=True)
    )


# Quotes: (weakness, source, text, given after the change). Some have no consent to be
# published; those must never appear in a report.
_QUOTES = (
    (
        "W1",
        "parent",
        "Nobody seemed to be in charge of SEND; every meeting started again from scratch.",
        False,
    ),
    (
        "W1",
        "practitioner",
        "It was not clear who was leading the reforms or where we were heading.",
        False,
    ),
    (
        "W1",
        "parent",
        "The board now reports back to parents every term and we can see what has changed.",
        True,
    ),
    (
        "W1",
        "practitioner",
        "For the first time there is one plan and everyone knows their part in it.",
        True,
    ),
    ("W2", "parent", "We were consulted after the decisions had been made.", False),
    ("W2", "cyp", "No one asked me what I wanted in my plan.", False),
    (
        "W2",
        "parent",
        "Bury2gether was in the room from the first draft of the new EHC plan template.",
        True,
    ),
    ("W2", "cyp", "I wrote my own page for my review and they read it out.", True),
    (
        "W3",
        "parent",
        "Health, school and social care each had a different version of my daughter.",
        False,
    ),
    ("W3", "practitioner", "Social care advice often arrived after the plan was finished.", False),
    ("W3", "parent", "At the review everyone was there, including her social worker.", True),
    ("W3", "practitioner", "We now get the social care advice in time to use it.", True),
    ("W4", "parent", "I have told my son's story to eleven different professionals.", False),
    ("W4", "practitioner", "Health reports still come by post weeks after the deadline.", False),
    ("W4", "parent", "I still had to repeat everything to the new paediatrician.", True),
    (
        "W4",
        "practitioner",
        "The portal exists but hardly any health advice comes through it.",
        True,
    ),
    (
        "W5",
        "parent",
        "I had never heard of the local offer until a parent told me at the school gate.",
        False,
    ),
    ("W5", "cyp", "I searched for clubs and it said there were no results.", False),
    (
        "W5",
        "parent",
        "The new local offer had the café and the holiday clubs, with prices in £.",
        True,
    ),
    ("W5", "parent", "They answered my comment and put it in the 'you said, we did' page.", True),
    (
        "W6",
        "practitioner",
        "Whether a child got SEN support depended on which school they went to.",
        False,
    ),
    ("W6", "parent", "One school said he had SEN, the next said he didn't.", False),
    (
        "W6",
        "practitioner",
        "The graduated approach training gave all our SENCOs the same language.",
        True,
    ),
    ("W6", "parent", "The new school picked up exactly what the last one had recorded.", True),
    ("W7", "parent", "The physio didn't know my daughter had an EHC plan.", False),
    ("W7", "practitioner", "Plans are not flagged on our health system, so we rarely know.", False),
    ("W7", "parent", "Still, at clinic nobody had read her plan.", True),
    ("W7", "practitioner", "I only find out a child has a plan when the parent tells me.", True),
    ("W8", "parent", "We spent over £300 on private speech therapy while we waited.", False),
    (
        "W8",
        "practitioner",
        "Education and health commission separately and the gaps are where the children fall.",
        False,
    ),
    ("W8", "parent", "The autism assessment wait is now longer than when we started.", True),
    ("W8", "parent", "Eighteen months on the waiting list and still no appointment.", True),
)


def make_quotes(ctx: tl.Context) -> pd.DataFrame:
    rng = ctx.rng("quotes")
    n = len(_QUOTES)
    # The quotes speak of the first story: before the WSoA, and between it and the re-visit.
    before = tl.uniform_days(rng, tl.START, tl.WSOA_SUBMITTED, n)
    after = tl.uniform_days(rng, tl.WSOA_DELIVERY + 60, tl.REVISIT_START, n)
    dates = np.where([q[3] for q in _QUOTES], after, before)
    consent = rng.random(n) < 0.75
    frame = tl.frame(
        {
            "quote_id": [f"Q{i:03d}" for i in range(1, n + 1)],
            "weakness_id": [q[0] for q in _QUOTES],
            "date": dates,
            "source": [q[1] for q in _QUOTES],
            "text": [q[2] for q in _QUOTES],
            "consent": consent,
        }
    )
    return frame.sort_values(["date", "quote_id"], kind="stable").reset_index(drop=True)
