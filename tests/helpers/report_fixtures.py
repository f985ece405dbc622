"""A small, hand-built report context: one weakness, three indicators, known small counts.

Report and drill-down tests need evidence whose figures are known without running the
batch: here EHC01's reporting quarter rests on three plans (two on time), so every place
that shows it must hide it, while JC03's waiting list is large enough to show. Built with
the real engine (:func:`sendready.evidence.build.build_evidence`) from staged-shape frames.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pandas as pd

from helpers.staged_frames import staged
from sendready.evidence.build import build_evidence
from sendready.indicators import StagedData
from sendready.metadata.profile import Target, load_profile

PERIOD_END = "2019-03-31"
EXTRACT = pd.Timestamp("2019-04-05")
WEAKNESS = "W8"
INDICATORS = ["EHC01", "JC03", "JC04"]
# The quarter's plans: January on time, February late, March on time -> 2 of 3 (66.7%).
QUARTER_PLANS = (("2019-01-15", 100), ("2019-02-15", 200), ("2019-03-15", 100))


def issued_plan(n: int, issued: pd.Timestamp, days: int, **extra: object) -> dict:
    """An ``ehc_requests`` row: request ``n``, its plan issued ``days`` after it arrived
    (``extra`` adds columns, such as the school's URN)."""
    return extra | {
        "request_id": f"R{n:05d}",
        "person_id": f"P{n:07d}",
        "requester": "parent",
        "received_date": issued - pd.Timedelta(days=days),
        "decision": "assess",
        "decision_date": issued - pd.Timedelta(days=days - 30),
        "assessment_outcome": "issue",
        "outcome_date": issued,
        "plan_issued_date": issued,
    }


def requests() -> pd.DataFrame:
    """Eight plans a month (six within 20 weeks) to December 2018, then the quarter's three."""
    rows, n = [], 0
    for month in pd.date_range("2016-04-01", "2018-12-01", freq="MS"):
        for k in range(8):
            n += 1
            rows.append(issued_plan(n, month + pd.Timedelta(days=10 + k), 100 if k < 6 else 200))
    for issued, days in QUARTER_PLANS:
        n += 1
        rows.append(issued_plan(n, pd.Timestamp(issued), days))
    return staged("ehc_requests", rows)


def referrals() -> pd.DataFrame:
    """Twenty referrals a month: fifteen seen after 60 days, five after 200 days."""
    rows, n = [], 0
    for month in pd.date_range("2015-10-01", "2019-03-01", freq="MS"):
        for k in range(20):
            n += 1
            referred = month + pd.Timedelta(days=k)
            wait = 60 if k < 15 else 200
            rows.append(
                {
                    "referral_id": f"H{n:05d}",
                    "person_id": f"P{n:07d}",
                    "service": "slt" if k % 2 else "ot",
                    "provider": "Trust A",
                    "referral_date": referred,
                    "first_contact_date": referred + pd.Timedelta(days=wait),
                }
            )
    frame = staged("health_referrals", rows)
    # Contacts after the extract date are not known yet.
    frame.loc[frame["first_contact_date"] > EXTRACT, "first_contact_date"] = pd.NaT
    return frame


@functools.cache
def small_context() -> SimpleNamespace:
    """A stand-in for :class:`sendready.reports.context.ReportContext` (the parts reports use)."""
    bury = load_profile("bury-2017-wsoa")
    weakness = bury.weakness(WEAKNESS).model_copy(
        update={
            "indicators": INDICATORS,
            "key_indicators": ["EHC01", "JC03"],
            "targets": {"EHC01": Target(value=100.0, source="statutory")},
            "caveats": None,
        }
    )
    profile = bury.model_copy(update={"weaknesses": [weakness]})
    data = StagedData(
        tables={"ehc_requests": requests(), "health_referrals": referrals()}, extract_date=EXTRACT
    )
    evidence = build_evidence(profile, data, PERIOD_END)
    summary = {
        "extract_date": EXTRACT.date().isoformat(),
        "sources": {
            "ehc_requests": {
                "status": "staged",
                "rows_read": 200_000,
                "rows_staged": 199_999,
                "rows_quarantined": 1,
            },
            "health_referrals": {
                "status": "staged",
                "rows_read": 1000,
                "rows_staged": 1000,
                "rows_quarantined": 0,
            },
        },
    }
    ingest = SimpleNamespace(summary=summary, fingerprint="f" * 64)
    return SimpleNamespace(profile=profile, evidence=evidence, data=data, ingest=ingest)
