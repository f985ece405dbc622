"""Source contracts: what each raw extract must look like before the suite will trust it.

A contract names a source's columns, their types, which are required, the codes they may
hold (docs/domain.md, codes), the key that makes a row unique, and the rules that relate one
field to another. The contracts are data, not code, so that the validator, the synthetic
sample generator and the data dictionary all read the same definition and cannot drift
apart.

Column kinds:
    ``id``      an identifier held as text (leading zeros matter);
    ``text``    free text, kept as a string and escaped wherever it is displayed;
    ``code``    one of ``codes``;
    ``date``    a calendar date (ISO, dd/mm/yyyy or an Excel serial number on input);
    ``int``     a whole number;
    ``number``  a decimal number;
    ``bool``    yes/no (true/false, y/n, 1/0 on input).

Identifier formats (``format``): ``upn`` (13 characters with the DfE check letter),
``nhs_number`` (10 digits, modulus 11), ``postcode`` (UK format), ``urn`` (6 digits),
``person_id`` (``P`` and 7 digits), ``weakness_id`` (a letter and a number, W1 or P3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The file formats an extract may come in, by suffix (the readers module reads each).
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}

ColumnKind = Literal["id", "text", "code", "date", "int", "number", "bool"]

# Words that case-management systems and the people using them put in a field to mean
# "no value" (compared ignoring case and surrounding spaces). In an optional date or code
# column (one that allows blanks) such a word is read as a blank and counted per column;
# in a column that must be filled in it is still a fault. A column's own code is never a
# placeholder there (``none`` is a setting type). A bare ``NA`` is not in the list: it is
# kept as written (and so reported as an unknown code), being too often an abbreviation.
PLACEHOLDERS = frozenset(
    {
        "n/a",
        "n.a.",
        "not applicable",
        "tbc",
        "tba",
        "tbd",
        "unknown",
        "not known",
        "none",
        "nil",
        "null",
        "-",
        "--",
        "?",
    }
)

# School census SEN provision and SEN type (primary need) codes (docs/domain.md).
SEN_PROVISION = ("N", "K", "E")
SEN_TYPES = (
    "SPLD",
    "MLD",
    "SLD",
    "PMLD",
    "SEMH",
    "SLCN",
    "HI",
    "VI",
    "MSI",
    "PD",
    "ASD",
    "DS",
    "OTH",
    "NSA",
)
# SEN2 cease reasons 1-9 (docs/domain.md, the SEN2 return), held as text codes.
CEASE_REASONS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
# DfE main ethnicity codes used in the school census.
ETHNICITY = (
    "WBRI",
    "WIRI",
    "WIRT",
    "WOTH",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "AIND",
    "APKN",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
)
GENDER = ("F", "M", "U")
HEALTH_SERVICES = (
    "slt",
    "ot",
    "physio",
    "community_paediatrics",
    "camhs",
    "neurodevelopmental",
)
# Reg 10(4) of the SEND Regulations 2014: reasons the 20-week clock stops counting;
# ``not_recorded`` when an exception applied but the source does not say which (the SEN2
# return's 20-week item is yes or no).
EXCEPTIONS_20WK = (
    "school_closure",
    "personal_circumstances",
    "away_from_area",
    "missed_appointment",
    "not_recorded",
)
SCHOOL_PHASES = (
    "nursery",
    "primary",
    "middle",
    "secondary",
    "all_through",
    "special",
    "pru",
    "post16",
)
SETTING_TYPES = (
    "early_years",
    "mainstream",
    "resourced_provision",
    "special",
    "independent_special",
    "alternative_provision",
    "post16",
    "ehe",
    "none",
)
AUDIT_GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
SURVEY_ANSWERS = (
    "strongly_agree",
    "agree",
    "neutral",
    "disagree",
    "strongly_disagree",
    "yes",
    "no",
    "dont_know",
)


@dataclass(frozen=True)
class Column:
    """One column of a source.

    Attributes:
        name: The contract's column name; an area's own header is mapped onto it in the
            profile.
        kind: How values are parsed and checked (see the module docstring).
        required: The column must be present in the file for the source to load at all.
            A column that only some indicators need is not required: an area may leave it
            out (or leave it blank throughout).
        indicators_need: For a column that is not required: the indicators that read it
            cannot do without it, so when it is absent or blank in every row they read
            "no data: <source>.<column> not supplied" (rather than 0%) while the rest of
            the pack runs. False for optional columns the indicators read a blank in as
            "no" or fall back without (mediation, discharge date).
        nullable: Blank values are allowed. A required column may still allow blanks
            (a decision not yet made); an optional column that is present is checked too.
        codes: Allowed values for ``code`` columns.
        format: Identifier format checked for ``id`` columns.
        minimum: Smallest allowed value for numbers (and ``int``).
        maximum: Largest allowed value for numbers (and ``int``).
        future_allowed: For dates: may fall after the extract date (a due date, a
            contract end). Every other date after the extract date is an error.
        identifying: Identifies a person; used for linkage only and never displayed.
        description: What the column holds, in the words of the field.
    """

    name: str
    kind: ColumnKind
    required: bool = True
    nullable: bool = False
    codes: tuple[str, ...] = ()
    format: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    future_allowed: bool = False
    identifying: bool = False
    description: str = ""
    indicators_need: bool = False


@dataclass(frozen=True)
class DateOrder:
    """Where both dates are present, ``later`` must not fall before ``earlier``."""

    earlier: str
    later: str

    @property
    def name(self) -> str:
        return f"{self.later}_not_before_{self.earlier}"

    def describe(self) -> str:
        return f"`{self.later}` cannot fall before `{self.earlier}`"


@dataclass(frozen=True)
class NotGreater:
    """Where both numbers are present, ``smaller`` must not exceed ``larger``."""

    smaller: str
    larger: str

    @property
    def name(self) -> str:
        return f"{self.smaller}_not_above_{self.larger}"

    def describe(self) -> str:
        return f"`{self.smaller}` cannot exceed `{self.larger}`"


@dataclass(frozen=True)
class OnlyWhen:
    """``column`` may hold ``values`` (any value when empty) only when ``when`` holds one
    of ``when_values`` (any value when empty).

    Example: primary need NSA only with SEN provision K; a plan issue date only when the
    assessment outcome is ``issue``.
    """

    column: str
    when: str
    when_values: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        what = "_".join(v.lower() for v in self.values) or self.column
        return f"{what}_only_when_{self.when}"

    def describe(self) -> str:
        what = f"`{self.column}` of {', '.join(self.values)}" if self.values else f"`{self.column}`"
        cond = (
            f"`{self.when}` is {' or '.join(self.when_values)}"
            if self.when_values
            else f"`{self.when}` is filled in"
        )
        return f"{what} is allowed only when {cond}"


@dataclass(frozen=True)
class RequiredWhen:
    """``column`` must be filled in when ``when`` holds one of ``when_values`` (any value
    when empty)."""

    column: str
    when: str
    when_values: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.column}_required_when_{self.when}"

    def describe(self) -> str:
        cond = (
            f"`{self.when}` is {' or '.join(self.when_values)}"
            if self.when_values
            else f"`{self.when}` is filled in"
        )
        return f"`{self.column}` must be filled in when {cond}"


Rule = DateOrder | NotGreater | OnlyWhen | RequiredWhen


@dataclass(frozen=True)
class Contract:
    """The agreed shape of one raw source.

    Attributes:
        name: Source name, used for file names of staged and quarantined data.
        grain: What one row is.
        columns: The columns, in the order of the template file.
        key: Columns that together identify a row; duplicates are quarantined.
        rules: Cross-field rules.
        required: The source must be supplied for ingest to run at all.
        default_file: The file name looked for when the profile does not name one.
        serves: What the suite uses the source for.
    """

    name: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    required: bool = False
    default_file: str = ""
    serves: str = ""
    extra: dict = field(default_factory=dict)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, kind: ColumnKind, **kw) -> Column:
    return Column(name=name, kind=kind, **kw)


def _opt(name: str, kind: ColumnKind, **kw) -> Column:
    """A column that may be blank."""
    return Column(name=name, kind=kind, nullable=True, **kw)


PERSON_ID = _c(
    "person_id",
    "id",
    format="person_id",
    identifying=True,
    description="Pseudonymous identifier linking a child across sources",
)

CONTRACTS: dict[str, Contract] = {}


def _register(contract: Contract) -> None:
    CONTRACTS[contract.name] = contract


_register(
    Contract(
        name="persons",
        grain="child or young person",
        serves="linkage across sources, age, equality breakdowns",
        required=True,
        key=("person_id",),
        columns=(
            PERSON_ID,
            _opt(
                "upn",
                "id",
                format="upn",
                identifying=True,
                description="Unique pupil number (13 characters, check letter first)",
            ),
            _opt(
                "nhs_number",
                "id",
                format="nhs_number",
                identifying=True,
                description="NHS number (10 digits with a modulus 11 check digit)",
            ),
            _c("forename", "text", identifying=True, description="Forename"),
            _c("surname", "text", identifying=True, description="Surname"),
            _c("date_of_birth", "date", identifying=True, description="Date of birth"),
            _c("gender", "code", codes=GENDER, description="F female, M male, U not known"),
            _opt("ethnicity", "code", codes=ETHNICITY, description="DfE main ethnicity code"),
            _opt(
                "postcode", "id", format="postcode", identifying=True, description="Home postcode"
            ),
        ),
    )
)

_register(
    Contract(
        name="ehc_requests",
        grain="request for an EHC needs assessment",
        serves="20-week, 6-week and 16-week timeliness; refusal rates",
        required=True,
        key=("request_id",),
        columns=(
            _c("request_id", "id", description="Request reference"),
            PERSON_ID,
            _c(
                "received_date", "date", description="Date the local authority received the request"
            ),
            _c(
                "requester",
                "code",
                codes=("parent", "young_person", "school", "health", "other"),
                description="Who made the request",
            ),
            _opt(
                "school_urn",
                "id",
                format="urn",
                description="URN of the school attended when the request was made",
            ),
            _opt(
                "decision",
                "code",
                codes=("assess", "not_assess", "withdrawn"),
                description="Decision on whether to assess; blank while pending",
            ),
            _opt("decision_date", "date", description="Date the decision was notified"),
            _opt(
                "assessment_outcome",
                "code",
                codes=("issue", "not_issue", "ongoing"),
                description="Outcome of the assessment",
            ),
            _opt("outcome_date", "date", description="Date the outcome was decided"),
            _opt("plan_issued_date", "date", description="Date the final EHC plan was issued"),
            _opt(
                "exception_20wk",
                "code",
                codes=EXCEPTIONS_20WK,
                description="Reg 10(4) exception that stops the 20-week clock; blank if none",
            ),
            _opt("mediation", "bool", required=False, description="Mediation took place"),
            _opt(
                "tribunal",
                "bool",
                required=False,
                description="An appeal went to the SEND Tribunal",
            ),
        ),
        rules=(
            DateOrder("received_date", "decision_date"),
            DateOrder("decision_date", "outcome_date"),
            DateOrder("received_date", "plan_issued_date"),
            RequiredWhen("decision_date", "decision"),
            OnlyWhen("decision_date", "decision"),
            OnlyWhen("assessment_outcome", "decision", ("assess",)),
            RequiredWhen("outcome_date", "assessment_outcome", ("issue", "not_issue")),
            RequiredWhen("plan_issued_date", "assessment_outcome", ("issue",)),
            OnlyWhen("plan_issued_date", "assessment_outcome", ("issue",)),
        ),
    )
)

_register(
    Contract(
        name="ehc_advice",
        grain="advice requested during an EHC needs assessment",
        serves="6-week advice return; joined-up advice",
        key=("advice_id",),
        columns=(
            _c("advice_id", "id", description="Advice reference"),
            _c("request_id", "id", description="The request whose assessment asked for the advice"),
            _c(
                "advice_type",
                "code",
                codes=("education", "health", "social_care", "ep", "other"),
                description="Kind of advice",
            ),
            _c("provider", "text", description="Organisation asked for the advice"),
            _opt(
                "discipline",
                "text",
                description="Discipline of the adviser (e.g. slt, paediatrics)",
            ),
            _c("requested_date", "date", description="Date the advice was requested"),
            _opt("received_date", "date", description="Date the advice was received"),
            _opt(
                "channel",
                "code",
                codes=("portal", "email", "post"),
                required=False,
                indicators_need=True,
                description="How the advice arrived",
            ),
        ),
        rules=(
            DateOrder("requested_date", "received_date"),
            OnlyWhen("channel", "received_date"),
        ),
    )
)

_register(
    Contract(
        name="ehc_plans",
        grain="EHC plan",
        serves="caseload, need mix, personal budgets",
        required=True,
        key=("plan_id",),
        columns=(
            _c("plan_id", "id", description="Plan reference"),
            PERSON_ID,
            _c("start_date", "date", description="Date the plan was first issued"),
            _opt("cease_date", "date", description="Date the plan ceased"),
            _opt(
                "cease_reason",
                "code",
                codes=CEASE_REASONS,
                description="SEN2 cease reason 1-9 (1 maximum age ... 9 other)",
            ),
            _c(
                "primary_need",
                "code",
                codes=tuple(t for t in SEN_TYPES if t != "NSA"),
                description="Primary SEN type (NSA is not valid for a plan)",
            ),
            _c(
                "setting_type",
                "code",
                codes=SETTING_TYPES,
                description="Kind of setting named in the plan",
            ),
            _opt("school_urn", "id", format="urn", description="URN of the setting"),
            _opt(
                "personal_budget",
                "bool",
                required=False,
                indicators_need=True,
                description="The plan includes a personal budget",
            ),
        ),
        rules=(
            DateOrder("start_date", "cease_date"),
            RequiredWhen("cease_reason", "cease_date"),
            OnlyWhen("cease_reason", "cease_date"),
        ),
    )
)

_register(
    Contract(
        name="annual_reviews",
        grain="annual review of an EHC plan",
        serves="review timeliness, participation, multi-agency input",
        key=("review_id",),
        columns=(
            _c("review_id", "id", description="Review reference"),
            _c("plan_id", "id", description="The plan reviewed"),
            _c("due_date", "date", future_allowed=True, description="Date the review was due"),
            _opt("meeting_date", "date", description="Date the review meeting was held"),
            _opt(
                "decision",
                "code",
                codes=("maintain", "amend", "cease"),
                description="Decision after the review",
            ),
            # Columns only some indicators read: an area without them still loads its
            # reviews, and those indicators read "no data: <column> not supplied".
            _opt(
                "decision_date",
                "date",
                required=False,
                indicators_need=True,
                description="Date the decision was notified",
            ),
            _opt(
                "amended_plan_date",
                "date",
                required=False,
                indicators_need=True,
                description="Date the amended plan was finalised",
            ),
            _opt(
                "cyp_participated",
                "bool",
                required=False,
                indicators_need=True,
                description="The child or young person took part",
            ),
            _opt(
                "parent_attended",
                "bool",
                required=False,
                indicators_need=True,
                description="A parent or carer attended",
            ),
            _opt(
                "health_input",
                "bool",
                required=False,
                indicators_need=True,
                description="Health gave advice or attended",
            ),
            _opt(
                "social_care_input",
                "bool",
                required=False,
                indicators_need=True,
                description="Social care gave advice or attended",
            ),
            _opt(
                "known_to_social_care",
                "bool",
                required=False,
                description="The child is known to social care",
            ),
            _opt(
                "ncy",
                "int",
                required=False,
                indicators_need=True,
                minimum=-2,
                maximum=14,
                description="National curriculum year of the child at the meeting (Year 12 "
                "and above for young people past compulsory school age, up to 14)",
            ),
            _opt(
                "pfa_outcomes",
                "bool",
                required=False,
                indicators_need=True,
                description="The reviewed plan sets outcomes for preparation for adulthood "
                "(employment, independent living, community, health)",
            ),
        ),
        rules=(
            DateOrder("meeting_date", "decision_date"),
            DateOrder("meeting_date", "amended_plan_date"),
            OnlyWhen("decision", "meeting_date"),
            OnlyWhen("amended_plan_date", "decision", ("amend",)),
        ),
    )
)

_register(
    Contract(
        name="school_census",
        grain="pupil at a census date",
        serves="identification of SEND by school (funnel plots), NSA share",
        required=False,
        key=("census_date", "person_id"),
        columns=(
            _c("census_date", "date", description="Census day (January census)"),
            _c("school_urn", "id", format="urn", description="School URN"),
            _c("school_name", "text", description="School name"),
            _c("phase", "code", codes=SCHOOL_PHASES, description="School phase"),
            PERSON_ID,
            _opt(
                "upn",
                "id",
                format="upn",
                required=False,
                identifying=True,
                description="Unique pupil number",
            ),
            _c(
                "ncy",
                "int",
                minimum=-2,
                maximum=14,
                description="National curriculum year (-2 to 0 early years, 1-14)",
            ),
            _c(
                "sen_provision",
                "code",
                codes=SEN_PROVISION,
                description="N no SEN, K SEN support, E EHC plan",
            ),
            _opt("primary_need", "code", codes=SEN_TYPES, description="Primary SEN type"),
            _opt(
                "attendance_percent",
                "number",
                required=False,
                indicators_need=True,
                minimum=0,
                maximum=100,
                description="Sessions attended in the autumn term before the census, as a "
                "percentage of possible sessions",
            ),
        ),
        rules=(
            RequiredWhen("primary_need", "sen_provision", ("K", "E")),
            OnlyWhen("primary_need", "sen_provision", ("K", "E")),
            OnlyWhen("primary_need", "sen_provision", ("K",), values=("NSA",)),
        ),
    )
)

_register(
    Contract(
        name="placements",
        grain="placement named in an EHC plan, from the day it began",
        serves="placement history: new plans naming a special school, moves to special",
        required=False,
        key=("placement_id",),
        columns=(
            _c("placement_id", "id", description="Placement reference"),
            _c("plan_id", "id", description="The EHC plan that names the placement"),
            PERSON_ID,
            _c("start_date", "date", description="Date the placement began"),
            _opt("end_date", "date", description="Date the placement ended; blank if open"),
            _c(
                "setting_type",
                "code",
                codes=SETTING_TYPES,
                description="Kind of setting named for the placement",
            ),
            _c(
                "reason",
                "code",
                codes=("new_plan", "move", "phase_transfer", "other"),
                description="Why the placement began: the plan's first placement, a move "
                "between settings, a planned phase transfer, or another reason",
            ),
        ),
        rules=(DateOrder("start_date", "end_date"),),
    )
)

_register(
    Contract(
        name="exclusions",
        grain="suspension or permanent exclusion of a pupil",
        serves="suspensions and exclusions of pupils with SEND",
        required=False,
        key=("exclusion_id",),
        columns=(
            _c("exclusion_id", "id", description="Exclusion reference"),
            PERSON_ID,
            _c("school_urn", "id", format="urn", description="URN of the excluding school"),
            _c("start_date", "date", description="First day of the suspension or exclusion"),
            _c(
                "category",
                "code",
                codes=("suspension", "permanent"),
                description="Suspension (fixed period) or permanent exclusion",
            ),
            _c(
                "sen_provision",
                "code",
                codes=SEN_PROVISION,
                description="The pupil's SEN provision on the day: N none, K SEN support, "
                "E EHC plan",
            ),
        ),
    )
)

_register(
    Contract(
        name="health_referrals",
        grain="referral to a children's health service",
        serves="waiting times; EHC plan flags on health records",
        key=("referral_id",),
        columns=(
            _c("referral_id", "id", description="Referral reference"),
            PERSON_ID,
            _opt(
                "nhs_number",
                "id",
                format="nhs_number",
                identifying=True,
                description="NHS number on the health record",
            ),
            _c("service", "code", codes=HEALTH_SERVICES, description="Service referred to"),
            _c("provider", "text", description="Provider of the service"),
            _c("referral_date", "date", description="Date the referral was received"),
            _opt("triage_date", "date", description="Date the referral was triaged"),
            _opt("first_contact_date", "date", description="Date of first clinical contact"),
            _opt(
                "discharge_date",
                "date",
                required=False,
                description="Date discharged without being seen (closes the wait)",
            ),
            _opt(
                "ehcp_flag_on_record",
                "bool",
                required=False,
                indicators_need=True,
                description="The health record flags that the child has an EHC plan",
            ),
            _opt(
                "support_offered_date",
                "date",
                required=False,
                indicators_need=True,
                description="Date support was first offered while the child waited (e.g. a "
                "parent programme, advice to the school); blank if none was offered",
            ),
        ),
        rules=(
            DateOrder("referral_date", "triage_date"),
            DateOrder("referral_date", "support_offered_date"),
            DateOrder("referral_date", "first_contact_date"),
            DateOrder("referral_date", "discharge_date"),
        ),
    )
)

_GRADE_COLS = (
    ("grade_voice", "section A: the child's views, interests and aspirations"),
    ("grade_health_c", "section C: health needs"),
    ("grade_health_g", "section G: health provision"),
    ("grade_social_care_d", "section D: social care needs"),
    ("grade_social_care_h", "section H: social care provision"),
    ("grade_outcomes", "section E: outcomes"),
    ("grade_overall", "the plan overall"),
)

_register(
    Contract(
        name="ehcp_audits",
        grain="multi-agency audit of an EHC plan",
        serves="plan quality, voice, health awareness",
        key=("audit_id",),
        columns=(
            _c("audit_id", "id", description="Audit reference"),
            _c("plan_id", "id", description="Plan audited"),
            _c("audit_date", "date", description="Date of the audit"),
            _c(
                "auditor_org",
                "code",
                codes=("la", "nhs", "school", "parent_carer_forum", "joint"),
                description="Organisation that led the audit",
            ),
            *(
                _opt(name, "code", codes=AUDIT_GRADES, description=f"Grade for {what}")
                for name, what in _GRADE_COLS
            ),
            _opt(
                "health_practitioner_aware",
                "bool",
                description="The health practitioner involved knew of the plan",
            ),
        ),
    )
)

_register(
    Contract(
        name="training",
        grain="staff training completion",
        serves="workforce awareness of the graduated approach and EHC plans",
        key=("record_id",),
        columns=(
            _c("record_id", "id", description="Training record reference"),
            _c("organisation", "text", description="Employing organisation"),
            _c(
                "staff_group",
                "code",
                codes=(
                    "senco",
                    "teacher",
                    "health_practitioner",
                    "social_worker",
                    "send_officer",
                    "other",
                ),
                description="Staff group",
            ),
            _c(
                "course",
                "code",
                codes=("graduated_approach", "ehc_plans", "coproduction", "local_offer", "other"),
                description="Course completed",
            ),
            _c("completed_date", "date", description="Date completed"),
            _opt(
                "phase",
                "code",
                required=False,
                indicators_need=True,
                codes=SCHOOL_PHASES,
                description="Phase of the school, for school staff (blank for other employers)",
            ),
        ),
    )
)

_register(
    Contract(
        name="workforce",
        grain="staff group in an organisation at a period end",
        serves="training denominators",
        key=("organisation", "staff_group", "period"),
        columns=(
            _c("organisation", "text", description="Employing organisation"),
            _c(
                "staff_group",
                "code",
                codes=(
                    "senco",
                    "teacher",
                    "health_practitioner",
                    "social_worker",
                    "send_officer",
                    "other",
                ),
                description="Staff group",
            ),
            _c("period", "date", description="Date the headcount applies to"),
            # A million or more in one staff group of one organisation is not a headcount but
            # a keying or export error (an id or a sum pasted into the column); staged, it
            # would silently drive training coverage to nothing.
            _c(
                "headcount",
                "int",
                minimum=0,
                maximum=999_999,
                description="Staff in scope of training",
            ),
            _opt(
                "phase",
                "code",
                required=False,
                indicators_need=True,
                codes=SCHOOL_PHASES,
                description="Phase of the school, for school staff (blank for other employers)",
            ),
        ),
    )
)

_register(
    Contract(
        name="surveys",
        grain="one answer to one survey question",
        serves="co-production, awareness, 'tell it once'",
        key=("response_id", "question_id"),
        columns=(
            _c("response_id", "id", description="One respondent's response"),
            _c("survey", "text", description="Survey name"),
            _c("wave_date", "date", description="Date the survey wave closed"),
            _c(
                "respondent",
                "code",
                codes=("parent", "cyp", "practitioner"),
                description="Who answered",
            ),
            _c("question_id", "id", description="Question answered (see survey_questions)"),
            _opt(
                "answer", "code", codes=SURVEY_ANSWERS, description="Answer given; blank if skipped"
            ),
        ),
    )
)

_register(
    Contract(
        name="survey_questions",
        grain="survey question",
        serves="survey labels and the indicators they feed",
        key=("question_id",),
        columns=(
            _c("question_id", "id", description="Question identifier"),
            _c("text", "text", description="Question wording"),
            _c("scale", "code", codes=("agree5", "yes_no"), description="Answer scale"),
            _opt(
                "weakness_tags", "text", description="Weaknesses the question evidences, e.g. W2;W4"
            ),
            _opt("indicator_id", "id", required=False, description="Indicator the question feeds"),
        ),
    )
)

_register(
    Contract(
        name="local_offer_web",
        grain="day by local offer site section",
        serves="reach and findability of the local offer",
        key=("date", "section"),
        columns=(
            _c("date", "date", description="Day"),
            _c("section", "text", description="Site section"),
            _c("users", "int", minimum=0, description="Users"),
            _c("sessions", "int", minimum=0, description="Sessions"),
            _c("page_views", "int", minimum=0, description="Page views"),
            _c("searches", "int", minimum=0, description="Searches"),
            _c("zero_result_searches", "int", minimum=0, description="Searches with no result"),
        ),
        rules=(
            NotGreater("users", "sessions"),
            NotGreater("zero_result_searches", "searches"),
        ),
    )
)

_register(
    Contract(
        name="local_offer_directory",
        grain="local offer directory entry at a monthly snapshot",
        serves="currency of the directory",
        key=("snapshot_date", "entry_id"),
        columns=(
            _c("snapshot_date", "date", description="Date the snapshot was taken"),
            _c("entry_id", "id", description="Directory entry"),
            _c("category", "text", description="Category of service"),
            _opt("last_reviewed_date", "date", description="Date the entry was last reviewed"),
            _c("live", "bool", description="The entry was published at the snapshot"),
        ),
        rules=(DateOrder("last_reviewed_date", "snapshot_date"),),
    )
)

_register(
    Contract(
        name="local_offer_feedback",
        grain="comment on the local offer",
        serves="'you said, we did'",
        key=("feedback_id",),
        columns=(
            _c("feedback_id", "id", description="Feedback reference"),
            _c("received_date", "date", description="Date received"),
            _c("topic", "text", description="Topic"),
            _opt("responded_date", "date", description="Date answered"),
            _opt(
                "published_in_response",
                "bool",
                required=False,
                indicators_need=True,
                description="The answer was published in the annual 'you said, we did'",
            ),
        ),
        rules=(DateOrder("received_date", "responded_date"),),
    )
)

_register(
    Contract(
        name="action_plan",
        grain="action in the written statement of action or priority action plan",
        serves="delivery of the plan",
        key=("action_id",),
        columns=(
            _c("action_id", "id", description="Action reference"),
            _c("weakness_id", "id", format="weakness_id", description="Weakness or priority area"),
            _c("owner_org", "text", description="Organisation that owns the action"),
            _c("due_date", "date", future_allowed=True, description="Date due"),
            _c(
                "status",
                "code",
                codes=("not_started", "on_track", "at_risk", "overdue", "complete"),
                description="Status at the extract date",
            ),
            _opt("completed_date", "date", description="Date completed"),
        ),
        rules=(
            RequiredWhen("completed_date", "status", ("complete",)),
            OnlyWhen("completed_date", "status", ("complete",)),
        ),
    )
)

_register(
    Contract(
        name="governance",
        grain="organisation at a board meeting",
        serves="leadership; parent carer forum at the table",
        key=("meeting_date", "board", "organisation"),
        columns=(
            _c("meeting_date", "date", description="Date of the meeting"),
            _c("board", "text", description="Board"),
            _c(
                "organisation",
                "code",
                codes=(
                    "la",
                    "nhs",
                    "schools",
                    "parent_carer_forum",
                    "social_care",
                    "young_people",
                    "other",
                ),
                description="Organisation expected at the meeting",
            ),
            _c("attended", "bool", description="The organisation was represented"),
        ),
    )
)

_register(
    Contract(
        name="coproduction",
        grain="co-produced piece of work",
        serves="co-production",
        key=("item_id",),
        columns=(
            _c("item_id", "id", description="Item reference"),
            _c("date", "date", description="Date the work started"),
            _c(
                "kind",
                "code",
                codes=(
                    "strategy",
                    "policy",
                    "service_design",
                    "training",
                    "communication",
                    "commissioning",
                    "other",
                ),
                description="Kind of work",
            ),
            _c("title", "text", description="Title"),
            _c("parent_carer_forum", "bool", description="The parent carer forum took part"),
            _c("young_people", "bool", description="Young people took part"),
            _c(
                "stage",
                "code",
                codes=("design", "delivery", "review"),
                description="Stage at which families first took part",
            ),
        ),
    )
)

_register(
    Contract(
        name="joint_packages",
        grain="funded package of support",
        serves="joint commissioning",
        key=("package_id",),
        columns=(
            _c("package_id", "id", description="Package reference"),
            PERSON_ID,
            _c("start_date", "date", description="Start"),
            _opt(
                "end_date",
                "date",
                future_allowed=True,
                description="Last day the package runs (blank while it continues)",
            ),
            _c("education_gbp", "number", minimum=0, description="Annual education funding (GBP)"),
            _c("health_gbp", "number", minimum=0, description="Annual health funding (GBP)"),
            _c(
                "social_care_gbp",
                "number",
                minimum=0,
                description="Annual social care funding (GBP)",
            ),
        ),
        rules=(DateOrder("start_date", "end_date"),),
    )
)

_register(
    Contract(
        name="commissioned_services",
        grain="commissioned service contract",
        serves="joint commissioning",
        key=("service_id",),
        columns=(
            _c("service_id", "id", description="Service reference"),
            _c("name", "text", description="Service name"),
            _c(
                "commissioner",
                "code",
                codes=("la", "nhs", "joint"),
                description="Who commissions it",
            ),
            _c(
                "joint_specification",
                "bool",
                description="Specified jointly by education, health and care",
            ),
            _c(
                "outcomes_framework",
                "bool",
                description="Contract monitored against shared outcomes",
            ),
            _c("start_date", "date", description="Contract start"),
            _opt(
                "end_date",
                "date",
                future_allowed=True,
                description="Last day the contract is in force (blank while it continues)",
            ),
            _c("annual_value_gbp", "number", minimum=0, description="Annual value (GBP)"),
        ),
        rules=(DateOrder("start_date", "end_date"),),
    )
)

_register(
    Contract(
        name="quotes",
        grain="quotation from a family, young person or practitioner",
        serves="voices in reports (consented quotes only, escaped)",
        key=("quote_id",),
        columns=(
            _c("quote_id", "id", description="Quote reference"),
            _c("weakness_id", "id", format="weakness_id", description="Weakness it speaks to"),
            _c("date", "date", description="Date given"),
            _c(
                "source", "code", codes=("parent", "cyp", "practitioner"), description="Who said it"
            ),
            _c("text", "text", description="The words"),
            _c("consent", "bool", description="Consent to publish was given"),
        ),
    )
)

_register(
    Contract(
        name="benchmarks",
        grain="published figure for a geography and period",
        serves="comparison with England, region and statistical neighbours",
        # breakdown belongs to the key: the need mix (ID04) publishes one figure per need
        # for the same indicator, geography and period. Blank for undivided figures.
        key=("indicator_id", "geography", "period", "breakdown"),
        columns=(
            _c("indicator_id", "id", description="Indicator id from the catalogue"),
            _c("geography", "text", description="England, a region or a local authority"),
            _c("period", "text", description="Period, e.g. 2019 for a calendar year"),
            _c("value", "number", description="Published value (percentages as 0-100)"),
            _opt("numerator", "number", minimum=0, description="Numerator where published"),
            _opt("denominator", "number", minimum=0, description="Denominator where published"),
            _c("source", "text", description="Publication the figure comes from"),
            _opt(
                "breakdown",
                "text",
                required=False,
                description="Part of the whole the figure describes, e.g. need=ASD; blank "
                "for the whole",
            ),
        ),
    )
)

for _contract in CONTRACTS.values():
    object.__setattr__(_contract, "default_file", _contract.default_file or f"{_contract.name}.csv")


def get_contract(name: str) -> Contract:
    """Return the contract for a source, with a clear error for an unknown name."""
    try:
        return CONTRACTS[name]
    except KeyError:
        from sendready.core.errors import SendreadyError

        raise SendreadyError(
            f"Unknown source {name!r}.",
            hint=f"Use one of: {', '.join(sorted(CONTRACTS))}.",
        ) from None
