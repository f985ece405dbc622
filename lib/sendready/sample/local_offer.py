"""The local offer: website analytics, the service directory and feedback (W5).

Planted (W5 improves): more families use the site, fewer searches find nothing, the
directory is kept current and feedback is answered and published in "you said, we did"
(LO01-LO04).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.scenario import EFFECTS

NAT = np.datetime64("NaT", "D")
# Site sections and weekday users at scale 1 before the change.
SECTIONS = {
    "Home": 35,
    "Education": 18,
    "Health": 10,
    "Social care": 8,
    "Preparing for adulthood": 5,
    "Directory": 25,
}
CATEGORIES = (
    "Education",
    "Health",
    "Social care",
    "Short breaks",
    "Leisure and activities",
    "Support groups",
    "Preparing for adulthood",
    "Childcare",
    "Transport",
    "Advice and information",
)
# Feedback topics; "£" and "é" come through in the file written as UTF-8 with a BOM.
TOPICS = (
    "Short breaks information out of date",
    "Cost of holiday clubs (£) not shown",
    "Broken link to SENDIASS",
    "Transport to school: how to apply",
    "Café and youth club listings missing",
    "Could not find SENCO contact details",
    "Search for autism support returned nothing",
    "Preparing for adulthood pages unclear",
    "Personal budgets explained badly",
    "Speech and language therapy waiting times",
    "Please add Makaton signed events",
    "Direct payments: £ rates not published",
    "Local offer not readable on a phone",
    "Sensory-friendly cinema listings",
)


def make_web(ctx: tl.Context) -> pd.DataFrame:
    """Daily users, sessions, page views and searches per site section."""
    rng = ctx.rng("local_offer_web")
    days = np.arange(tl.START, tl.END + 1)
    weekday = ((days.astype(np.int64) + 3) % 7) < 5  # 1970-01-01 was a Thursday
    month = (days.astype("datetime64[M]").astype(np.int64) % 12) + 1
    dom = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    christmas = ((month == 12) & (dom >= 20)) | ((month == 1) & (dom <= 2))
    seasonal = (
        np.where(weekday, 1.0, 0.55)
        * np.where(month == 8, 0.7, 1.0)
        * np.where(christmas, 0.5, 1.0)
    )
    users_effect = EFFECTS["LO01"]
    zero_effect = EFFECTS["LO02"]
    growth = tl.blend(users_effect.before, users_effect.after, days)
    zero_share = tl.blend(zero_effect.before, zero_effect.after, days)

    parts = []
    for section, base in SECTIONS.items():
        lam = base * ctx.scale * seasonal * growth * np.exp(0.15 * rng.standard_normal(days.size))
        users = rng.poisson(lam)
        sessions = users + rng.poisson(0.25 * users)
        page_views = sessions + rng.poisson(2.2 * sessions)
        searches = rng.binomial(sessions, 0.6 if section == "Directory" else 0.08)
        parts.append(
            tl.frame(
                {
                    "date": days,
                    "section": section,
                    "users": users,
                    "sessions": sessions,
                    "page_views": page_views,
                    "searches": searches,
                    "zero_result_searches": rng.binomial(searches, zero_share),
                }
            )
        )
    web = pd.concat(parts, ignore_index=True)
    order = list(SECTIONS)
    web["_order"] = web["section"].map(order.index)
    return (
        web.sort_values(["date", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _review_dates(
    rng: np.random.Generator, created: np.datetime64, legacy: bool, campaign: bool
) -> np.ndarray:
    """Every date an entry was reviewed: rarely before the change, yearly after it."""
    events = [] if legacy else [created]
    t = created
    while True:
        t = t + np.timedelta64(int(rng.exponential(700)) + 1, "D")
        if t >= tl.CHANGE or t > tl.END:
            break
        events.append(t)
    if campaign:
        t = max(tl.CHANGE, created) + np.timedelta64(int(rng.integers(0, 151)), "D")
        while t <= tl.END:
            events.append(t)
            t = t + np.timedelta64(int(rng.integers(300, 361)), "D")
    return np.array(sorted(events), dtype="datetime64[D]")


def make_directory(ctx: tl.Context) -> pd.DataFrame:
    """Monthly snapshots of the directory: every entry published or recently withdrawn."""
    rng = ctx.rng("local_offer_directory")
    n_initial, n_new = ctx.n(380), ctx.n(110)
    n = n_initial + n_new
    created = np.concatenate(
        [
            tl.uniform_days(rng, tl.day("2012-01-01"), tl.START - 1, n_initial),
            tl.uniform_days(rng, tl.START, tl.END, n_new),
        ]
    )
    retired = rng.random(n) < 0.15
    retire_date = np.where(
        retired, tl.uniform_days(rng, tl.add_days(created, 90), tl.add_days(created, 1500), n), NAT
    )
    category = rng.choice(np.array(CATEGORIES, dtype=object), n)
    legacy = (np.arange(n) < n_initial) & (rng.random(n) < 0.03)
    target = EFFECTS["LO03"].after
    campaign = rng.random(n) < target
    snapshots = (tl.month_starts().astype("datetime64[M]") + 1).astype("datetime64[D]") - 1

    snap_parts, entry_parts, last_parts, live_parts = [], [], [], []
    for i in range(n):
        reviews = _review_dates(rng, created[i], bool(legacy[i]), bool(campaign[i]))
        listed = (created[i] <= snapshots) & (
            np.isnat(retire_date[i]) | (snapshots < tl.add_days(retire_date[i], 90))
        )
        snaps = snapshots[listed]
        pos = np.searchsorted(reviews, snaps, side="right") - 1
        last = reviews[np.maximum(pos, 0)] if reviews.size else np.full(snaps.size, NAT)
        snap_parts.append(snaps)
        entry_parts.append(np.full(snaps.size, i))
        last_parts.append(np.where(pos >= 0, last, NAT))
        live_parts.append(np.isnat(retire_date[i]) | (snaps < retire_date[i]))
    entry = np.concatenate(entry_parts)
    directory = tl.frame(
        {
            "snapshot_date": np.concatenate(snap_parts),
            "entry_id": np.array([f"LO{i + 1:05d}" for i in range(n)], dtype=object)[entry],
            "category": category[entry],
            "last_reviewed_date": np.concatenate(last_parts),
            "live": np.concatenate(live_parts),
        }
    )
    return directory.sort_values(["snapshot_date", "entry_id"], kind="stable").reset_index(
        drop=True
    )


def make_feedback(ctx: tl.Context) -> pd.DataFrame:
    """Comments on the local offer and whether they were answered and published."""
    rng = ctx.rng("local_offer_feedback")
    months = tl.month_starts()
    counts = rng.poisson(18 * ctx.scale, months.size)
    first = np.repeat(months, counts)
    last = (first.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    received = np.sort(tl.uniform_days(rng, first, last, first.size))
    n = received.size
    answered = rng.random(n) < tl.blend(0.5, 0.96, received)
    reply_days = tl.lognormal_days(rng, tl.blend(25.0, 8.0, received), 0.6, n)
    responded = tl.censor(np.where(answered, tl.add_days(received, reply_days), NAT))
    published = rng.random(n) < tl.blend(0.5, 0.85, received)
    return tl.frame(
        {
            "feedback_id": [f"FB{i:05d}" for i in range(1, n + 1)],
            "received_date": received,
            "topic": rng.choice(np.array(TOPICS, dtype=object), n),
            "responded_date": responded,
            "published_in_response": np.where(np.isnat(responded), None, published),
        }
    )
