"""Area profiles: everything specific to one local area, as validated configuration.

A new local area is a new YAML file, not new code. The schema is a pydantic model so that
a mistake in a council's own profile is reported with the file, the key and what is
wrong, before any data is read.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sendready.core.errors import ProfileError
from sendready.metadata.catalogue import INDICATOR_IDS
from sendready.metadata.indicator_spec import DeclaredIndicator

PROFILE_DIR = "profiles"


class _Strict(BaseModel):
    # Unknown keys are almost always typing mistakes in a hand-written profile.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Area(_Strict):
    name: str
    la_code: str = Field(description="Three-digit DfE local authority code, e.g. 351")
    ons_code: str = Field(description="ONS code, e.g. E08000002")
    icb: str
    nhs_commissioner_at_inspection: str | None = Field(
        None,
        description="The NHS body responsible at the inspection, where it differs from "
        "today's ICB (clinical commissioning groups until July 2022)",
    )
    region: str
    statistical_neighbours: list[str] = Field(default_factory=list)

    @field_validator("la_code")
    @classmethod
    def _three_digits(cls, v: str) -> str:
        if not (len(v) == 3 and v.isdigit()):
            raise ValueError("must be the three-digit DfE local authority code, e.g. '351'")
        return v


class HistoryEvent(_Strict):
    date: dt.date
    event: str
    source: str | None = None


class Framework(_Strict):
    kind: Literal["wsoa-2016", "area-send-2023"]
    inspection_start: dt.date
    inspection_end: dt.date
    published: dt.date | None = None
    plan_submitted: dt.date | None = None
    plan_accepted: dt.date | None = None
    baseline_start: dt.date
    baseline_end: dt.date
    history: list[HistoryEvent] = Field(default_factory=list)
    revisit_date: dt.date | None = Field(
        None,
        description="The first day of the re-visit (or monitoring inspection) whose outcome "
        "the weaknesses record: a pack for a period ending before it must not show the "
        "outcome",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_cadence(cls, raw: object) -> object:
        # cadence was accepted and ignored: a key that changes nothing misleads. The
        # reporting period is the three months ending on --period-end, and every
        # indicator also has a monthly series, so there is nothing for it to choose.
        if isinstance(raw, dict) and "cadence" in raw:
            raise ValueError(
                "cadence is no longer a profile key: remove it. Every pack reports the "
                "three months ending on its --period-end and charts every indicator month "
                "by month; for a pack every month, run with each month end as --period-end"
            )
        return raw

    @model_validator(mode="after")
    def _dates_in_order(self) -> Framework:
        if self.inspection_end < self.inspection_start:
            raise ValueError("inspection_end falls before inspection_start")
        if self.baseline_end <= self.baseline_start:
            raise ValueError("baseline_end must fall after baseline_start")
        return self


class Target(_Strict):
    value: float
    by: dt.date | None = None
    source: str | None = None


class VerdictRule(_Strict):
    """How a weakness's key indicators become one verdict (see sendready.evidence.verdicts)."""

    sustained_improvement_share: float = Field(0.5, ge=0, le=1)
    min_indicators_with_data: int = Field(1, ge=1)


def _suggest_indicator(ind: str) -> str:
    """A hint for a mistyped id: ``JOIN1`` is most likely ``JOIN01``."""
    found = re.fullmatch(r"([A-Za-z]+)\s*0*([0-9]+)", ind.strip())
    if found:
        family = [i for i in INDICATOR_IDS if i.rstrip("0123456789") == found[1].upper()]
        same_number = [i for i in family if int(i[len(found[1]) :]) == int(found[2])]
        if same_number:
            return f" (did you mean {same_number[0]}?)"
        if family:
            return f" (the {found[1].upper()} indicators are {', '.join(family)})"
    close = difflib.get_close_matches(ind, INDICATOR_IDS, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class Weakness(_Strict):
    id: str = Field(pattern=r"^[A-Z][0-9]{1,2}$")
    title: str
    # Reports quote a verbatim title as the inspectors' words; a summary must not be
    # presented as a quotation.
    title_wording: Literal["verbatim", "summary"] = Field(
        "verbatim",
        description="verbatim: the inspectors' own words; summary: a faithful paraphrase",
    )
    # The one-page board view names each finding in a few words so that it can be read in
    # five minutes; the inspectors' full words stay in every other page.
    short_title: str | None = Field(
        None,
        max_length=60,
        description="a few words naming the finding for the one-page board view",
    )
    inspectors_found: str
    success_looks_like: str
    indicators: list[str] = Field(min_length=1)
    key_indicators: list[str] = Field(default_factory=list)
    targets: dict[str, Target] = Field(default_factory=dict)
    revisit_outcome: str | None = None
    caveats: str | None = Field(
        None, description="Limits of the evidence a reader should know (shown in the report)"
    )
    notebook: str | None = None

    @model_validator(mode="after")
    def _indicators_known(self, info: ValidationInfo) -> Weakness:
        context = info.context or {}
        own = set(context.get("declared", ()))
        # Ids a profile's Python modules register are checked when they are registered.
        open_ids = bool(context.get("modules"))
        for ind in self.indicators:
            if ind not in INDICATOR_IDS and ind not in own and not open_ids:
                raise ValueError(
                    f"weakness {self.id} lists indicator {ind!r}, which is not in the indicator "
                    f"catalogue{_suggest_indicator(ind)} nor among the profile's own "
                    "indicators; see `sendready catalogue`"
                )
        repeated = sorted({i for i in self.indicators if self.indicators.count(i) > 1})
        if repeated:
            raise ValueError(f"weakness {self.id} lists indicator(s) {repeated} more than once")
        for ind in [*self.key_indicators, *self.targets]:
            if ind not in self.indicators:
                raise ValueError(
                    f"weakness {self.id} names {ind} as a key indicator or target "
                    f"but {ind} is not in its indicators list"
                )
        return self


class SourceSpec(_Strict):
    file: str | None = None
    code_map: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Per contract column: the area's own code word -> the contract's code",
    )
    sheet: str | None = None
    columns: dict[str, str] = Field(
        default_factory=dict, description="The area's own header -> the contract's column"
    )
    required: bool | None = None
    date_order: Literal["dmy", "mdy"] | None = Field(
        None,
        description="How the file writes dates with slashes: dmy (31/03/2019, the default) "
        "or mdy (03/31/2019). ISO dates (2019-03-31) are read either way.",
    )


class Sen2Spec(_Strict):
    """The area's data is its SEN2 person-level return (see ``sendready.ingest.sen2``)."""

    files: dict[str, str] = Field(
        default_factory=dict,
        description="Module -> file name, where the export does not name it <module>.csv",
    )
    codes: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Item -> {the system's code: DfE's code}, for exports that use their own",
    )

    @field_validator("files")
    @classmethod
    def _modules_known(cls, files: dict[str, str]) -> dict[str, str]:
        from sendready.metadata.sen2 import MODULES

        unknown = sorted(set(files) - set(MODULES))
        if unknown:
            raise ValueError(f"names unknown SEN2 module(s) {unknown}; modules are {list(MODULES)}")
        return files

    @field_validator("codes")
    @classmethod
    def _items_known(cls, codes: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        from sendready.metadata.sen2 import CODED_ITEMS

        items = {item for _, item in CODED_ITEMS}
        unknown = sorted(set(codes) - items)
        if unknown:
            raise ValueError(
                f"names SEN2 item(s) {unknown} that have no code list; coded "
                f"items are {sorted(items)}"
            )
        return codes


class Disclosure(_Strict):
    threshold: int = Field(6, ge=1, description="Counts below this are suppressed")
    rounding: int | None = Field(None, ge=1)


class PlanAction(_Strict):
    """An action of the plan written in the profile (the action_plan source's columns)."""

    id: str
    weakness: str
    owner: str
    due: dt.date
    status: Literal["not_started", "on_track", "at_risk", "overdue", "complete"]
    completed: dt.date | None = None


class Profile(_Strict):
    id: str
    area: Area
    framework: Framework
    weaknesses: list[Weakness] = Field(min_length=1)
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    sen2: Sen2Spec | None = Field(
        None,
        description="Read persons, requests and plans from the area's SEN2 return",
    )
    disclosure: Disclosure = Disclosure()
    verdict_rule: VerdictRule = VerdictRule()
    indicators: list[DeclaredIndicator] = Field(
        default_factory=list, description="The area's own indicators, defined in YAML"
    )
    indicator_modules: list[str] = Field(
        default_factory=list,
        description="Python files of the area's own indicators (paths relative to the profile)",
    )
    actions: list[PlanAction] = Field(
        default_factory=list,
        description="Plan actions, when the area keeps them here rather than in an extract",
    )

    # Field validators (not one model validator) so that an error is reported against the
    # key concerned (`sources`, `weaknesses`) rather than the top of the file.
    @field_validator("weaknesses")
    @classmethod
    def _ids_unique(cls, weaknesses: list[Weakness]) -> list[Weakness]:
        ids = [w.id for w in weaknesses]
        if len(ids) != len(set(ids)):
            raise ValueError(f"weakness ids repeat: {ids}")
        return weaknesses

    @model_validator(mode="after")
    def _revisit_dated(self) -> Profile:
        # An undated outcome would be printed in packs for quarters before anyone knew it.
        recorded = [w.id for w in self.weaknesses if w.revisit_outcome]
        if recorded and self.framework.revisit_date is None:
            raise ValueError(
                f"weaknesses {', '.join(recorded)} record a revisit_outcome, so "
                "framework.revisit_date (the first day of the re-visit) is needed: a pack "
                "shows the outcome only for periods ending on or after it"
            )
        return self

    @field_validator("sources")
    @classmethod
    def _sources_known(cls, sources: dict[str, SourceSpec]) -> dict[str, SourceSpec]:
        from sendready.metadata.contracts import CONTRACTS

        unknown = sorted(set(sources) - set(CONTRACTS))
        if unknown:
            raise ValueError(
                f"names unknown source(s) {unknown}; known sources are {sorted(CONTRACTS)}"
            )
        for name, spec in sources.items():
            contract = CONTRACTS[name]
            bad = sorted(set(spec.columns.values()) - set(contract.column_names))
            if bad:
                raise ValueError(
                    f"sources.{name}.columns maps onto {bad}, which are not columns "
                    f"of the {name} contract ({contract.column_names})"
                )
            _check_code_map(name, spec, contract)
        return sources

    @field_validator("indicators")
    @classmethod
    def _own_ids_new(cls, indicators: list[DeclaredIndicator]) -> list[DeclaredIndicator]:
        ids = [i.id for i in indicators]
        clash = sorted(set(ids) & set(INDICATOR_IDS))
        if clash:
            raise ValueError(
                f"indicator {clash[0]} is a built-in indicator of the catalogue: give the "
                "area's own indicator an id of its own (e.g. XA01)"
            )
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"indicator {repeated[0]} is defined more than once")
        return indicators

    @model_validator(mode="after")
    def _weakness_ids_known(self) -> Profile:
        known = {w.id for w in self.weaknesses}
        for action in self.actions:
            if action.weakness not in known:
                raise ValueError(
                    f"actions: action {action.id} names weakness {action.weakness}, which "
                    f"the profile does not have (its weaknesses are {', '.join(sorted(known))})"
                )
        return self

    def weakness(self, weakness_id: str) -> Weakness:
        for w in self.weaknesses:
            if w.id == weakness_id:
                return w
        raise ProfileError(
            f"Profile {self.id!r} has no weakness {weakness_id!r}.",
            hint=f"Use one of: {', '.join(w.id for w in self.weaknesses)}.",
        )

    def source(self, name: str) -> SourceSpec:
        return self.sources.get(name, SourceSpec())


def _check_code_map(name: str, spec: SourceSpec, contract: object) -> None:
    """Local codes must map onto a code column's own codes."""
    for column, mapping in spec.code_map.items():
        if column not in contract.column_names:
            raise ValueError(
                f"sources.{name}.code_map names {column!r}, which is not a column of the "
                f"{name} contract ({contract.column_names})"
            )
        col = contract.column(column)
        if col.kind != "code":
            raise ValueError(
                f"sources.{name}.code_map.{column}: {column} is a {col.kind} column; only "
                "code columns have codes to map"
            )
        bad = sorted({v for v in mapping.values() if v not in col.codes})
        if bad:
            raise ValueError(
                f"sources.{name}.code_map.{column} maps onto {bad}, which are not codes of "
                f"{column} ({', '.join(col.codes)})"
            )


def builtin_profiles() -> dict[str, Path]:
    """The profiles shipped with the suite, by id."""
    folder = resources.files("sendready.metadata") / PROFILE_DIR
    return {
        Path(p.name).stem: Path(str(p))
        for p in folder.iterdir()
        if p.name.endswith((".yaml", ".yml"))
    }


def resolve_profile_path(name_or_path: str | Path) -> Path:
    """A built-in profile id or a path to an area's own YAML file."""
    builtins = builtin_profiles()
    if str(name_or_path) in builtins:
        return builtins[str(name_or_path)]
    path = Path(name_or_path)
    if path.is_file():
        return path
    raise ProfileError(
        f"No profile called {str(name_or_path)!r}: it is neither a built-in profile nor a file.",
        hint=f"Use a path to a YAML file or one of: {', '.join(sorted(builtins))}.",
    )


def _schema_keys(model: type[BaseModel] = Profile) -> set[str]:
    """Every key the schema knows, to suggest the intended one for a mistyped key."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(field.alias or name)  # a key written as YAML has it (funnel's ``from``)
        for arg in (field.annotation, *getattr(field.annotation, "__args__", ())):
            for inner in (arg, *getattr(arg, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    keys |= _schema_keys(inner)
    return keys


def _describe_location(loc: tuple, raw: dict) -> str:
    """``weaknesses.3.title`` with the weakness id added, as a user reads their file."""
    key = ".".join(str(p) for p in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] in ("weaknesses", "indicators") and isinstance(loc[1], int):
        items = raw.get(loc[0])
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            wid = items[loc[1]].get("id")
            if wid is not None:
                key += f" ({'weakness' if loc[0] == 'weaknesses' else 'indicator'} {wid})"
    return key


def _format_validation_error(path: Path, err: ValidationError, raw: dict) -> str:
    lines = [f"Profile {path} does not match the profile schema:"]
    known = sorted(_schema_keys())
    for e in err.errors():
        key = _describe_location(e["loc"], raw)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden" and e["loc"]:
            close = difflib.get_close_matches(str(e["loc"][-1]), known, n=1)
            msg = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
        elif e["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  - {key}: {msg}")
    return "\n".join(lines)


# Profile file -> (its size, modification and change times, its parsed YAML).
_PARSED: dict[Path, tuple[tuple[int, int, int], object]] = {}


def _parsed_yaml(path: Path) -> object:
    """The file's YAML, parsed again only when the file has changed since the last call.

    A batch worker's kernel opens the same profile twice for each of hundreds of reports
    (a decade of quarters), and parsing it costs more than validating it. A copy is
    returned, so nothing done to one load reaches the next.
    """
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    cached = _PARSED.get(path)
    if cached is None or cached[0] != key:
        cached = (key, yaml.safe_load(path.read_text(encoding="utf-8")))
        _PARSED[path] = cached
    return copy.deepcopy(cached[1])


def load_profile(name_or_path: str | Path) -> Profile:
    """Load and validate a profile.

    Raises:
        ProfileError: naming the file and each key that is wrong.
    """
    path = resolve_profile_path(name_or_path)
    try:
        raw = _parsed_yaml(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Cannot read profile {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"Profile {path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"Profile {path} must be a YAML mapping of keys to values.")
    raw = _with_own_indicators(raw, path)
    context = {
        "declared": [i.get("id") for i in raw.get("indicators") or [] if isinstance(i, dict)],
        "modules": raw.get("indicator_modules") or [],
    }
    try:
        return Profile.model_validate(raw, context=context)
    except ValidationError as exc:
        raise ProfileError(
            _format_validation_error(path, exc, raw),
            hint="Compare it with a built-in profile (`sendready profiles`).",
        ) from None


def _list_of(raw: dict, key: str, path: Path) -> list:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise ProfileError(f"Profile {path}: {key} must be a list.")
    return value


def _beside(path: Path, name: object, key: str) -> Path:
    """A file a profile names, relative to the profile's own folder."""
    found = (path.parent / str(name).replace("\\", "/")).resolve()
    if not found.is_file():
        raise ProfileError(
            f"Profile {path}: {key} names {name!r}, but there is no file {found}.",
            hint="Paths in a profile are relative to the folder the profile is in.",
        )
    return found


def _with_own_indicators(raw: dict, path: Path) -> dict:
    """The profile with ``indicator_files`` read in, module paths made absolute and the
    targets of its own indicators given to the weaknesses that list them.

    Files and modules are named relative to the profile, so a profile and its indicators
    can be kept and moved together.
    """
    raw = dict(raw)
    indicators = list(_list_of(raw, "indicators", path))
    for name in _list_of(raw, "indicator_files", path):
        found = _beside(path, name, "indicator_files")
        try:
            items = yaml.safe_load(found.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            raise ProfileError(f"Indicator file {found} is not valid YAML: {exc}") from None
        if not isinstance(items, list):
            raise ProfileError(f"Indicator file {found} must be a YAML list of indicators.")
        indicators += items
    raw.pop("indicator_files", None)
    if indicators:
        raw["indicators"] = indicators
    modules = _list_of(raw, "indicator_modules", path)
    if modules:
        raw["indicator_modules"] = [str(_beside(path, m, "indicator_modules")) for m in modules]
    targets = {
        i["id"]: i["target"]
        for i in indicators
        if isinstance(i, dict) and isinstance(i.get("target"), dict) and "id" in i
    }
    if targets and isinstance(raw.get("weaknesses"), list):
        raw["weaknesses"] = [_with_targets(w, targets) for w in raw["weaknesses"]]
    return raw


def _with_targets(weakness: object, targets: dict[str, dict]) -> object:
    """A weakness given the declared target of each own indicator it lists and sets none for."""
    if not isinstance(weakness, dict) or not isinstance(weakness.get("indicators"), list):
        return weakness
    own = dict(weakness.get("targets") or {})
    for ind in weakness["indicators"]:
        if ind in targets and ind not in own:
            own[ind] = targets[ind]
    return {**weakness, "targets": own} if own else weakness
