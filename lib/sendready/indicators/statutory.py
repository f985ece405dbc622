"""Shared helpers of the statutory EHC process indicators (EHC01-EHC09).

The indicators themselves are declared in ``definitions/statutory.yaml``, in the same
vocabulary an area uses for its own (:mod:`sendready.indicators.declared`); the helper
here serves the Python indicators and drill-downs that count the same decisions.
"""

from __future__ import annotations

import pandas as pd

from sendready.indicators.registry import StagedData


def _decisions(data: StagedData) -> pd.DataFrame:
    requests = data.require("ehc_requests")
    # A withdrawn request is not a decision on whether to assess.
    return requests[
        requests["decision"].isin(["assess", "not_assess"]) & requests["decision_date"].notna()
    ]
