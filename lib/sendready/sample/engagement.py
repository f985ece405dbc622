"""Surveys, board attendance, co-production and the action plan.

Planted: after the change parents feel listened to (COP05) and see services working
together (JOIN04), know the local offer (LO05); the parent carer forum and every partner
are at the board (COP01, LEAD03); more work is co-produced from the design stage
(COP02); actions of the improving weaknesses are delivered on time (LEAD01). "Tell it
once" (HINF04) does not improve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.scenario import EFFECTS, WEAKNESS_OUTCOMES

NAT = np.datetime64("NaT", "D")
WAVES = tuple(
    tl.day(d)
    for d in (
        "2016-05-31",
        "2016-11-30",
        "2017-05-31",
        "2017-11-30",
        "2018-05-31",
        "2018-11-30",
        "2019-03-31",
    )
)
# question_id: (respondent, text, scale, weakness tags, indicator id, (agree before, after))
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
    "PQ03": ("parent", "I only had to tell my child's story once", "agree5", "W4", "HINF04", None),
    "PQ04": ("parent", "Are you aware of the local offer website?", "yes_no", "W5", "LO05", None),
    "PQ05": (
        "parent",
        "Health professionals who see my child know about their EHC plan",
        "agree5",
        "W7",
        "",
        (0.30, 0.30),
    ),
    "PQ06": (
        "parent",
        "Overall I am satisfied with the support for my child's SEND",
        "agree5",
        "W1;W2",
        "",
        (0.35, 0.52),
    ),
    "YQ01": ("cyp", "People listen to what I say about my plan", "agree5", "W2", "", (0.40, 0.62)),
    "YQ02": ("cyp", "Do you know what the local offer is?", "yes_no", "W5", "", (0.30, 0.55)),
    "XQ01": (
        "practitioner",
        "I understand the graduated approach to SEN support",
        "agree5",
        "W6",
        "",
        (0.50, 0.82),
    ),
    "XQ02": (
        "practitioner",
        "I know where to find the EHC plan of a child I work with",
        "agree5",
        "W7",
        "",
        (0.45, 0.45),
    ),
    "XQ03": (
        "practitioner",
        "Partners work well together for children with SEND",
        "agree5",
        "W3",
        "",
        (0.35, 0.62),
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


def _agree_share(qid: str) -> tuple[float, float]:
    indicator, shares = QUESTIONS[qid][4], QUESTIONS[qid][5]
    if shares is not None:
        return shares
    return EFFECTS[indicator].before, EFFECTS[indicator].after


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
                before, after = _agree_share(qid)
                agree = float(tl.blend(before, after, np.array([wave]))[0])
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


def make_governance(ctx: tl.Context) -> pd.DataFrame:
    """Attendance at the SEND Partnership Board (monthly), the Joint Commissioning Group
    (every other month) and, once the WSoA was accepted, its fortnightly delivery group."""
    rng = ctx.rng("governance")
    # Attendance probabilities before and after: all four partners present at the SEND
    # board rises from about 15% to 80% of meetings (LEAD03); the forum (COP01) more so.
    forum = (EFFECTS["COP01"].before, EFFECTS["COP01"].after)
    board = {
        "la": (0.97, 0.99),
        "nhs": (0.65, 0.93),
        "schools": (0.60, 0.92),
        "parent_carer_forum": forum,
        "social_care": (0.70, 0.90),
    }
    group = {"la": (0.95, 0.97), "nhs": (0.70, 0.72), "parent_carer_forum": (0.30, forum[1])}
    delivery = {
        "la": (0.99, 0.99),
        "nhs": (0.95, 0.95),
        "schools": (0.95, 0.95),
        "parent_carer_forum": (0.97, 0.97),
    }
    meetings = _third_tuesdays()
    fortnightly = np.arange(tl.CHANGE + 6, tl.END + 1, 14)  # Thursdays from 7 December 2017
    rows = []
    for name, orgs, dates in (
        ("SEND Partnership Board", board, meetings),
        ("Joint Commissioning Group", group, meetings[::2] + np.timedelta64(7, "D")),
        ("WSoA Delivery Group", delivery, fortnightly),
    ):
        for org, (before, after) in orgs.items():
            rows.append(
                tl.frame(
                    {
                        "meeting_date": dates,
                        "board": name,
                        "organisation": org,
                        "attended": rng.random(dates.size) < tl.blend(before, after, dates),
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
    rate = tl.blend(1.5, 5.0, months)
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
    forum = rng.random(n) < tl.blend(0.45, 0.92, dates)
    young = rng.random(n) < tl.blend(0.15, 0.45, dates)
    design = rng.random(n) < tl.blend(0.30, 0.80, dates)
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


def make_action_plan(ctx: tl.Context) -> pd.DataFrame:
    """The 2016 reform implementation plan's actions and the WSoA's (W1-W8)."""
    rng = ctx.rng("action_plan")
    rows = []
    # The 2016 SEND reform implementation plan: mostly late (the baseline for LEAD01).
    for i in range(30):
        due = tl.day("2016-05-01") + np.timedelta64(int(rng.integers(0, 540)), "D")
        rows.append((f"R16.{i + 1:02d}", f"W{i % 8 + 1}", due, EFFECTS["LEAD01"].before))
    # The WSoA: nine actions per weakness, most due within the 16 months to March 2019.
    for w in range(1, 9):
        on_time = EFFECTS["LEAD01"].after if WEAKNESS_OUTCOMES[f"W{w}"] == "improves" else 0.50
        for i in range(9):
            due = tl.day("2017-12-15") + np.timedelta64(int(rng.integers(0, 560)), "D")
            rows.append((f"W{w}.{i + 1}", f"W{w}", due, on_time))
    out = []
    for action_id, weakness, due, p_on_time in rows:
        u = rng.random()
        if due > tl.EXTRACT:  # not yet due at the extract
            if rng.random() < 0.15 * p_on_time:
                done = due - np.timedelta64(int(rng.integers(10, 200)), "D")
                status, completed = ("complete", done) if done <= tl.END else ("on_track", NAT)
            else:
                status = (
                    "on_track"
                    if u < p_on_time
                    else "at_risk"
                    if u < p_on_time + 0.6 * (1 - p_on_time)
                    else "not_started"
                )
                completed = NAT
        elif u < p_on_time:
            status = "complete"
            completed = due - np.timedelta64(int(rng.integers(0, 60)), "D")
        elif u < p_on_time + 0.5 * (1 - p_on_time):
            completed = due + np.timedelta64(int(rng.integers(7, 240)), "D")
            status, completed = ("complete", completed) if completed <= tl.END else ("overdue", NAT)
        else:
            status, completed = "overdue", NAT
        out.append(
            {
                "action_id": action_id,
                "weakness_id": weakness,
                "owner_org": _OWNERS[int(rng.integers(0, len(_OWNERS)))],
                "due_date": due,
                "status": status,
                "completed_date": completed,
            }
        )
    return pd.DataFrame(out)


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
    before = tl.uniform_days(rng, tl.START, tl.WSOA_SUBMITTED, n)
    after = tl.uniform_days(rng, tl.CHANGE + 60, tl.END, n)
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
