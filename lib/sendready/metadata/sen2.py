"""The SEN2 person-level return (DfE, January 2023 onwards): its modules, items and codes.

Every local authority in England submits the SEN2 return each January. Since 2023 it is
person-level, in nine modules linked by table ids (module 0 the return's header, then
person, requests, assessment, named plan and plan detail, active plans, placement detail
and SEN need). Management-information systems export it as one CSV file per module for
submission; this module describes those files as data, so that the reader
(:mod:`sendready.ingest.sen2`), the sample writer (:mod:`sendready.sample.sen2`) and the
data dictionary cannot drift apart.

Item names are those of DfE's technical specification in lower case, as the COLLECT
export writes them (``receiveddate``, ``requestoutcome``, ``week20``). Codes follow
DfE's "Special educational needs person level survey: guide" (2023 to 2025 editions).
Systems differ in the letters they export for a few items; an area whose export uses other
letters maps them in its profile (``sen2.codes``), so no code is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sendready.metadata.contracts import ETHNICITY, SEN_TYPES


@dataclass(frozen=True)
class Module:
    """One SEN2 module as exported: a CSV file whose rows link to a parent module.

    Attributes:
        name: The module's key (``person``, ``requests`` ...), also the default file stem.
        title: DfE's name for it, for messages.
        table_id: The column holding each row's own table id.
        parent_id: The column linking a row to its parent module's table id.
        items: The data items the suite reads (other columns are kept in quarantine
            copies but not used).
        required: The module must be supplied.
    """

    name: str
    title: str
    table_id: str
    parent_id: str | None
    items: tuple[str, ...]
    required: bool = True

    @property
    def default_file(self) -> str:
        return f"{self.name}.csv"


MODULES: dict[str, Module] = {
    m.name: m
    for m in (
        Module(
            "person",
            "Module 1: person details",
            "persontableid",
            None,
            (
                "nativeid",
                "surname",
                "forename",
                "personbirthdate",
                "sex",
                "ethnicity",
                "postcode",
                "upn",
                "uniquelearnernumber",
                "upnunknown",
            ),
        ),
        Module(
            "requests",
            "Module 2: requests for EHC needs assessment",
            "requeststableid",
            "persontableid",
            (
                "nativeid",
                "receiveddate",
                "requestsource",
                "rya",
                "requestoutcomedate",
                "requestoutcome",
                "requestmediation",
                "requesttribunal",
                "exported",
            ),
        ),
        Module(
            "assessment",
            "Module 3: EHC needs assessments",
            "assessmenttableid",
            "requeststableid",
            (
                "assessmentoutcome",
                "assessmentoutcomedate",
                "assessmentmediation",
                "assessmenttribunal",
                "othermediation",
                "othertribunal",
                "week20",
            ),
        ),
        Module(
            "namedplan",
            "Module 4a: named plan",
            "namedplantableid",
            "assessmenttableid",
            ("nativeid", "startdate", "pb", "oa", "dp", "ceasedate", "ceasereason"),
        ),
        Module(
            "plandetail",
            "Module 4b: plan detail",
            "plandetailtableid",
            "namedplantableid",
            ("urn", "ukprn", "sensetting", "placementrank"),
            required=False,
        ),
        Module(
            "activeplans",
            "Module 5a: active plans",
            "activeplanstableid",
            "requeststableid",
            ("transferla", "reviewmeeting", "reviewoutcome", "lastreview"),
            required=False,
        ),
        Module(
            "placementdetail",
            "Module 5b: placement detail",
            "placementdetailtableid",
            "activeplanstableid",
            (
                "urn",
                "ukprn",
                "sensetting",
                "placementrank",
                "entrydate",
                "leavingdate",
                "senunitindicator",
                "resourcedprovisionindicator",
            ),
            required=False,
        ),
        Module(
            "senneed",
            "Module 5c: SEN need",
            "senneedtableid",
            "activeplanstableid",
            ("sentype", "sentyperank"),
            required=False,
        ),
    )
}

# --- code lists (DfE's guide), each with its meaning and the suite's own code ----------

# Item 1.5, sex: M, F, U (not known); the Common Basic Data Set's numeric form is also read.
SEX = {"M": "M", "F": "F", "U": "U", "1": "M", "2": "F", "0": "U", "9": "U"}
# Item 1.10, reason the UPN and ULN are not available (CBDS UN1 to UN10).
UPN_UNKNOWN = tuple(f"UN{n}" for n in range(1, 11))
# Item 2.3a, who made the request (returned from 2024).
REQUEST_SOURCE = {
    "P": "parent",
    "Y": "young_person",
    "S": "school",
    "H": "health",
    "O": "other",
}
# Item 2.4, outcome of the request: A decision to assess, N decision not to assess, W
# request withdrawn or ceased before the decision, M moved out of the authority before it.
REQUEST_OUTCOME = {"A": "assess", "N": "not_assess", "W": "withdrawn", "M": "withdrawn"}
# Item 3.1, decision to issue a plan: Y issue, N not issue, S plan issued after an
# assessment completed by another authority, H decision made before the collection
# period; W withdrawn and M moved away before the decision end the assessment with no
# outcome (blank in the suite's terms).
ASSESSMENT_OUTCOME = {
    "Y": "issue",
    "S": "issue",
    "H": "issue",
    "N": "not_issue",
    "W": "",
    "M": "",
}
# Item 4.6, reason the plan ceased: 1 to 9, as the suite holds them.
CEASE_REASON = {str(n): str(n) for n in range(1, 10)}
# Items 4.7c and 5.7c, establishment type where no URN or UKPRN is given.
SEN_SETTING = {
    "OLA": "alternative_provision",
    "OPA": "independent_special",
    "EHE": "ehe",
    "EYP": "early_years",
    "OTH": "alternative_provision",
    "NEET": "none",
    "NIEC": "none",
    "NIEO": "none",
}
# Item 5.8a, SEN type; NSA (no specialist assessment) is for SEN support only.
SEN_TYPE = {t: t for t in SEN_TYPES if t != "NSA"}
# Item 5.4, latest annual review decision (returned from 2024): maintain, amend, cease.
REVIEW_OUTCOME = {"M": "maintain", "A": "amend", "C": "cease"}
ETHNICITY_CODES = {e: e for e in ETHNICITY}
# Yes/no items: the guide's 1/0, and the true/false and Y/N that exports also write.
YES = frozenset({"1", "y", "yes", "true", "t"})
NO = frozenset({"0", "n", "no", "false", "f"})

# Which code list each coded item uses, by (module, item).
CODED_ITEMS: dict[tuple[str, str], dict[str, str]] = {
    ("person", "sex"): SEX,
    ("person", "ethnicity"): ETHNICITY_CODES,
    ("requests", "requestsource"): REQUEST_SOURCE,
    ("requests", "requestoutcome"): REQUEST_OUTCOME,
    ("assessment", "assessmentoutcome"): ASSESSMENT_OUTCOME,
    ("namedplan", "ceasereason"): CEASE_REASON,
    ("plandetail", "sensetting"): SEN_SETTING,
    ("placementdetail", "sensetting"): SEN_SETTING,
    ("senneed", "sentype"): SEN_TYPE,
    ("activeplans", "reviewoutcome"): REVIEW_OUTCOME,
}

# The staged sources a SEN2 return provides; every other source is read from the area's
# own extracts as usual.
PROVIDES = ("persons", "ehc_requests", "ehc_plans")
# The column each converted row carries to say where in the return it came from.
ORIGIN_COLUMN = "sen2_origin"
