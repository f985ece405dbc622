"""The indicator catalogue's ids, the stable names profiles use to point at evidence.

Profiles are hand-written, so a mistyped id (``JOIN1`` for ``JOIN01``) must fail when the
profile is loaded rather than show up as a silently empty evidence panel months later.
This list is the contract between profiles and the indicator registry: the registry may
only define ids listed here, and a profile may only name them.
"""

from __future__ import annotations

# Every indicator id, in catalogue order (docs/indicators.md: "Ids are stable: area
# profiles name them"). Add an id here when the catalogue gains one.
INDICATOR_IDS: tuple[str, ...] = (
    # Statutory EHC process (cross-cutting)
    "EHC01",
    "EHC02",
    "EHC03",
    "EHC04",
    "EHC05",
    "EHC06",
    "EHC07",
    "EHC08",
    "EHC09",
    # W1 strategic leadership and vision
    "LEAD01",
    "LEAD02",
    "LEAD03",
    "LEAD04",
    # W2 co-production
    "COP01",
    "COP02",
    "COP03",
    "COP04",
    "COP05",
    # W3 joined-up working
    "JOIN01",
    "JOIN02",
    "JOIN03",
    "JOIN04",
    # W4 sharing of health information
    "HINF01",
    "HINF02",
    "HINF03",
    "HINF04",
    # W5 the local offer
    "LO01",
    "LO02",
    "LO03",
    "LO04",
    "LO05",
    # W6 identification of SEND at school level
    "ID01",
    "ID02",
    "ID03",
    "ID04",
    "ID05",
    "ID06",
    "ID07",
    "ID08",
    # W7 health practitioners' awareness of EHC plans
    "HAW01",
    "HAW02",
    "HAW03",
    "HAW04",
    "HAW05",
    # W8 joint commissioning
    "JC01",
    "JC02",
    "JC03",
    "JC04",
    "JC05",
    "JC06",
    "JC07",
    # Beyond one inspection: placement, training by phase, support while waiting,
    # exclusions, attendance, preparation for adulthood, appeals
    "PLC01",
    "PLC02",
    "TRN01",
    "TRN02",
    "ND01",
    "EXC01",
    "ATT01",
    "PFA01",
    "TRB01",
)
