"""The local offer: website analytics, the service directory and feedback (W5).

The scenario sets how many families use the site (LO01), how many searches find nothing
(LO02), how current the directory is kept (LO03) and how often feedback is answered and
published in "you said, we did" (LO04).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl

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
    growth = ctx.value("LO01", days)
    zero_share = ctx.value("LO02", days)

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
    rng: np.random.Generator, created: np.ndarray, days: np.ndarray, hazard: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every review of every entry: a Poisson process whose daily rate is ``hazard``.

    With a rate of ``-ln(1 - p)`` a year, a share ``p`` of entries has been reviewed in
    the last 365 days, which is what LO03 counts. Candidate days are drawn at the highest
    rate and kept with probability rate / highest (thinning), all entries at once.
    """
    top = float(hazard.max()) if hazard.size else 0.0
    n = created.size
    span = days.size
    counts = rng.poisson(top * span, n)
    entry = np.repeat(np.arange(n), counts)
    offset = rng.integers(0, span, entry.size)
    keep = rng.random(entry.size) * top < hazard[offset]
    entry, when = entry[keep], days[offset[keep]]
    keep = when >= created[entry]
    entry, when = entry[keep], when[keep]
    order = np.lexsort((when, entry))
    return entry[order], when[order]


def make_directory(ctx: tl.Context) -> pd.DataFrame:
    """Monthly snapshots of the directory: every entry published or recently withdrawn."""
    rng = ctx.rng("local_offer_directory")
    years = (tl.END - tl.START).astype(np.int64) / 365.25
    n_initial, n_new = ctx.n(380), ctx.n(37 * years)
    n = n_initial + n_new
    created = np.concatenate(
        [
            tl.uniform_days(rng, tl.day("2012-01-01"), tl.START - 1, n_initial),
            tl.uniform_days(rng, tl.START, tl.END, n_new),
        ]
    )
    retired = rng.random(n) < 0.15 * years / 3
    retire_date = np.where(
        retired, tl.uniform_days(rng, tl.add_days(created, 90), tl.add_days(created, 1500), n), NAT
    )
    category = rng.choice(np.array(CATEGORIES, dtype=object), n)
    days = np.arange(tl.day("2014-01-01"), tl.END + 1)
    share = np.clip(ctx.value("LO03", np.maximum(days, tl.START)), 0.0, 0.995)
    hazard = -np.log1p(-share) / 365.25
    entry, when = _review_dates(rng, created, days, hazard)
    # An entry's creation counts as a review.
    entry = np.concatenate([entry, np.arange(n)])
    when = np.concatenate([when, created])
    order = np.lexsort((when, entry))
    entry, when = entry[order], when[order]

    snapshots = (tl.month_starts().astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    listed = (created[:, None] <= snapshots[None, :]) & (
        np.isnat(retire_date)[:, None] | (snapshots[None, :] < (retire_date + 90)[:, None])
    )
    e_idx, s_idx = np.nonzero(listed)
    snaps = snapshots[s_idx]
    # Last review on or before each snapshot: search the entry's sorted review days.
    key = entry.astype(np.int64) * 100_000 + (when - tl.day("2000-01-01")).astype(np.int64)
    probe = e_idx.astype(np.int64) * 100_000 + (snaps - tl.day("2000-01-01")).astype(np.int64)
    pos = np.searchsorted(key, probe, side="right") - 1
    found = (pos >= 0) & (entry[np.maximum(pos, 0)] == e_idx)
    last = np.where(found, when[np.maximum(pos, 0)], NAT)
    live = np.isnat(retire_date[e_idx]) | (snaps < retire_date[e_idx])
    directory = tl.frame(
        {
            "snapshot_date": snaps,
            "entry_id": np.array([f"LO{i + 1:05d}" for i in range(n)], dtype=object)[e_idx],
            "category": category[e_idx],
            "last_reviewed_date": last,
            "live": live,
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
    # LO04 = answered x published, each with probability its square root; replies come
    # faster where more are answered (25 days at half answered, 8 days at all).
    each = np.sqrt(np.clip(ctx.value("LO04", received), 0.0, 1.0))
    answered = rng.random(n) < each
    reply_median = np.clip(25.0 - (each - 0.5) * 34.0, 6.0, 40.0)
    reply_days = tl.lognormal_days(rng, reply_median, 0.6, n)
    responded = tl.censor(np.where(answered, tl.add_days(received, reply_days), NAT))
    published = rng.random(n) < each
    return tl.frame(
        {
            "feedback_id": [f"FB{i:05d}" for i in range(1, n + 1)],
            "received_date": received,
            "topic": rng.choice(np.array(TOPICS, dtype=object), n),
            "responded_date": responded,
            "published_in_response": np.where(np.isnat(responded), None, published),
        }
    )
