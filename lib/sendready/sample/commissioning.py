"""Joint commissioning: funded packages and commissioned services (W8, not met).

The scenario sets the share of packages with two or more funders (JC01, by package
start) and of contracts let with a joint specification (JC02, by contract start).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sendready.sample import timeline as tl
from sendready.sample.ehc import EhcData

NAT = np.datetime64("NaT", "D")
PACKAGES_PER_YEAR = 47  # at scale 1
SERVICE_NAMES = (
    "Speech and language therapy in schools",
    "Short breaks: overnight care",
    "Short breaks: holiday play schemes",
    "Portage home visiting",
    "SENDIASS",
    "Independent supporters",
    "Autism outreach",
    "Sensory support service",
    "Wheelchair service",
    "Healthy Young Minds (CAMHS)",
    "Community paediatrics",
    "Continence service",
    "Specialist nursing in special schools",
    "Occupational therapy",
    "Physiotherapy",
    "Educational psychology traded service",
    "Home to school transport",
    "Travel training",
    "Supported internships",
    "Personal assistants for young people",
    "Early help for families of disabled children",
    "Parent carer forum grant",
    "Specialist equipment",
    "Complex needs residential placements",
    "Sleep support service",
    "Behaviour support outreach",
    "Hospital school",
    "Neurodevelopmental assessment pathway",
    "Community learning disability nursing",
    "Preparing for adulthood transition team",
)


def make_joint_packages(ctx: tl.Context, ehc: EhcData) -> pd.DataFrame:
    """Packages for children with complex needs, funded by one to three partners."""
    rng = ctx.rng("joint_packages")
    plans = ehc.plans
    complex_need = (
        plans["setting_type"].isin(["special", "independent_special"]).to_numpy()
        | plans["primary_need"].isin(["SLD", "PMLD", "MSI"]).to_numpy()
    )
    candidates = np.flatnonzero(complex_need)
    years = (tl.END - tl.START).astype(np.int64) / 365.25
    n = min(ctx.n(PACKAGES_PER_YEAR * years), candidates.size)
    plan = rng.choice(candidates, n, replace=False)
    plan_start = plans["start_date"].to_numpy().astype("datetime64[D]")[plan]
    cease = plans["cease_date"].to_numpy().astype("datetime64[D]")[plan]
    last = np.where(np.isnat(cease), tl.END, cease - 1)
    first = np.minimum(np.maximum(plan_start, tl.day("2015-09-01")), last)
    start = tl.uniform_days(rng, first, last, n)
    end = np.where(rng.random(n) < 0.6, tl.add_days(start, 365), NAT)
    two_or_more = rng.random(n) < ctx.value("JC01", start)
    second = rng.random(n) < 0.5  # which partner joins education when there are two
    health = two_or_more & (second | (rng.random(n) < 0.3))
    social = two_or_more & (~second | (rng.random(n) < 0.3))
    frame = tl.frame(
        {
            "person_id": plans["person_id"].to_numpy()[plan],
            "start_date": start,
            "end_date": end,
            "education_gbp": np.round(rng.lognormal(np.log(18_000), 0.6, n), 2),
            "health_gbp": np.where(health, np.round(rng.lognormal(np.log(9_000), 0.7, n), 2), 0.0),
            "social_care_gbp": np.where(
                social, np.round(rng.lognormal(np.log(12_000), 0.7, n), 2), 0.0
            ),
        }
    )
    frame = frame.sort_values(["start_date", "person_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "package_id", [f"JP{i:05d}" for i in range(1, n + 1)])
    return frame


def make_services(ctx: tl.Context) -> pd.DataFrame:
    """Contracts for SEND services, re-let on the same terms when they expire.

    A service keeps its commissioner and outcomes framework from one contract to the
    next; whether a contract has a joint specification follows the scenario's JC02 on the
    day it starts (one draw per service, so a flat JC02 keeps each service's terms). A
    large county has more services, but not pro rata.
    """
    rng = ctx.rng("commissioned_services")
    n = max(10, int(round(30 * ctx.scale**0.5)))
    names = [
        SERVICE_NAMES[i % len(SERVICE_NAMES)]
        + (f" (lot {i // len(SERVICE_NAMES) + 1})" if i >= len(SERVICE_NAMES) else "")
        for i in range(n)
    ]
    commissioner = rng.choice(
        np.array(["la", "nhs", "joint"], dtype=object), n, p=[0.5, 0.35, 0.15]
    )
    joint_u = rng.random(n)
    outcomes = rng.random(n) < 0.25
    value = rng.lognormal(np.log(250_000), 0.9, n)
    rows = []
    for i in range(n):
        start = tl.day("2012-04-01") + np.timedelta64(int(rng.integers(0, 1460)), "D")
        while start <= tl.END:
            years = int(rng.integers(2, 6))
            # The re-let contract starts the day after the old one ends (end dates are
            # inclusive), so each day has exactly one contract of the service in force.
            end = tl.add_days(start, 365 * years)
            rows.append(
                {
                    "name": names[i],
                    "commissioner": commissioner[i],
                    "joint_specification": bool(joint_u[i] < ctx.at("JC02", start)),
                    "outcomes_framework": outcomes[i],
                    "start_date": start,
                    "end_date": end,
                    "annual_value_gbp": float(np.round(value[i], 0)),
                }
            )
            value[i] *= 1.02  # uplift at re-letting
            start = end + 1
    services = pd.DataFrame(rows).sort_values(["start_date", "name"], kind="stable")
    services.insert(0, "service_id", [f"CS{i:04d}" for i in range(1, len(services) + 1)])
    # The newest contracts run on with no end date agreed yet.
    services.loc[services["end_date"] > tl.END + np.timedelta64(730, "D"), "end_date"] = NAT
    return services.reset_index(drop=True)
