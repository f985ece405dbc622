"""Indicators: the catalogue (docs/indicators.md) computed from staged tables.

Importing this package registers every definition; :func:`compute_indicators` is the one
entry point.
"""

from sendready.indicators import (
    commissioning,  # noqa: F401  (registers JC01-JC07)
    coproduction,  # noqa: F401  (registers COP01-COP05)
    health_awareness,  # noqa: F401  (registers HAW01-HAW05)
    health_information,  # noqa: F401  (registers HINF01-HINF04)
    identification,  # noqa: F401  (registers ID01-ID06)
    joined_up,  # noqa: F401  (registers JOIN01-JOIN04)
    leadership,  # noqa: F401  (registers LEAD01-LEAD04)
    local_offer,  # noqa: F401  (registers LO01-LO05)
    placement,  # noqa: F401  (registers PLC02)
    school_training,  # noqa: F401  (registers TRN01-TRN02)
)
from sendready.indicators.declared import register_builtin_definitions
from sendready.indicators.engine import compute_indicator, compute_indicators
from sendready.indicators.registry import REGISTRY, IndicatorDefinition, NoData, StagedData

register_builtin_definitions()  # EHC01-EHC09 and others (definitions/*.yaml)

__all__ = [
    "REGISTRY",
    "IndicatorDefinition",
    "NoData",
    "StagedData",
    "compute_indicator",
    "compute_indicators",
]
