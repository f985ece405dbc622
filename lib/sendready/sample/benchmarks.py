"""Published comparator figures for the sample's ``benchmarks`` source.

These are real published statistics (DfE, "Education, health and care plans", the SEN2
release; also shipped in ``comparators/data/published_benchmarks.csv``), not synthetic:
an area would copy them from the DfE release, so the sample does the same.
"""

from __future__ import annotations

import pandas as pd

_SEN2 = (
    "DfE, Education, health and care plans (explore-education-statistics), "
    "sen2_mi.csv, no_exc_20week_rate"
)
_RELEASE_2024 = "DfE, Education, health and care plans, reporting year 2025 (calendar year 2024)"

_NEED_MIX = "DfE, Education, health and care plans, January 2025: primary need of EHC plans"

# (indicator, geography, period, value, numerator, denominator, source, breakdown)
_FIGURES = (
    # EHC plans issued within 20 weeks excluding exceptions (SEN2, sen2_mi.csv).
    *(
        (("EHC01", "England", y, v, None, None, _SEN2))
        for y, v in (("2015", 59.2), ("2016", 58.6), ("2017", 64.9), ("2018", 60.1), ("2019", 60.4))
    ),
    *(
        (("EHC01", "North West", y, v, None, None, _SEN2))
        for y, v in (("2015", 58.2), ("2016", 65.7), ("2017", 80.1), ("2018", 63.1), ("2019", 60.1))
    ),
    *(
        (("EHC01", "Bury", y, v, num, den, _SEN2))
        for y, v, num, den in (
            ("2015", 100.0, 28, 28),
            ("2016", 100.0, 86, 86),
            ("2017", 100.0, 149, 149),
            ("2018", 100.0, 187, 187),
            ("2019", 78.9, 168, 213),
        )
    ),
    # Other 2024 figures from the release of June 2025 (calendar year 2024).
    ("EHC03", "England", "2024", 84.8, None, None, _RELEASE_2024),
    ("EHC03", "Bury", "2024", 94.9, None, None, _RELEASE_2024),
    ("EHC04", "England", "2024", 25.2, None, None, _RELEASE_2024),
    ("EHC04", "Bury", "2024", 32.9, None, None, _RELEASE_2024),
    ("EHC07", "England", "2024", 44.4, None, None, _RELEASE_2024),
    ("EHC07", "Bury", "2024", 49.8, None, None, _RELEASE_2024),
    # Primary need of EHC plans, January 2025, England / Bury (the same release).
    *(
        (("ID04", geography, "2025-01", value, None, None, _NEED_MIX, f"need={need}"))
        for need, england, bury in (
            ("ASD", 31.5, 23.3),
            ("SLCN", 21.3, 29.0),
            ("SEMH", 20.7, 24.5),
            ("MLD", 10.6, 11.6),
            ("PD", 3.9, 4.7),
            ("SLD", 3.9, 1.9),
            ("SPLD", 2.4, 1.0),
        )
        for geography, value in (("England", england), ("Bury", bury))
    ),
)


def make_benchmarks() -> pd.DataFrame:
    frame = pd.DataFrame(
        [f if len(f) == 8 else (*f, "") for f in _FIGURES],
        columns=[
            "indicator_id",
            "geography",
            "period",
            "value",
            "numerator",
            "denominator",
            "source",
            "breakdown",
        ],
    )
    return frame
