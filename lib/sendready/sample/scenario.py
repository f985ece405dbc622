"""A scenario: the declared truth the sample plants, read from a YAML file.

A scenario names, for every catalogue indicator the sample generates, the generating
parameter the raw data follow over the decade (a ``value`` that never changes, or a list
of ``changes``, each a ``step``, a ``ramp`` or a ``drift`` from ``before`` to ``after``),
and, for each weakness or priority action of the built-in profiles, the truth those
changes imply (``improves``, ``flat`` or ``worsens``). Every generator reads its
parameters through :meth:`Scenario.value`, so the declared truth and the data cannot
drift apart, and a scenario is changed by editing data, not code.

Shipped scenarios live in ``scenarios/`` beside this module (``bury``, ``mixed``,
``null``, ``warwickshire``); :func:`load_scenario` also reads a path. ``scenario.json``,
written with the sample, records the truth for tests only: no analysis code may read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from sendready.core.errors import SendreadyError
from sendready.metadata.catalogue import INDICATOR_IDS

SCENARIO_DIR = Path(__file__).parent / "scenarios"
SHAPES = ("step", "ramp", "drift")
TRUTHS = ("improves", "flat", "worsens")
# A ramp that gives no end date takes hold over this many days.
DEFAULT_RAMP_DAYS = 60
# The indicators whose generating parameter is not a proportion, with the range allowed.
NOT_PROPORTIONS = {
    "COP02": (0.0, 100.0),
    "HINF02": (1.0, 400.0),
    "LO01": (0.05, 20.0),
    "ID01": (0.0, 2.0),
    "JC03": (0.2, 5.0),
    "JC05": (0.2, 5.0),
}


@dataclass(frozen=True)
class Change:
    """One change of an indicator's generating parameter.

    Attributes:
        before: The parameter up to ``when``.
        after: The parameter once the change has taken hold.
        when: The day the change begins.
        shape: ``step`` (all at once on ``when``), ``ramp`` (linear over ``until - when``,
            60 days unless ``until`` is given) or ``drift`` (linear from ``when`` to
            ``until``, usually years).
        until: The day the change is complete (``ramp``, ``drift``).
    """

    before: float
    after: float
    when: np.datetime64
    shape: str
    until: np.datetime64

    def fraction(self, days: np.ndarray) -> np.ndarray:
        """How far this change has taken hold on each day: 0 before, 1 once complete."""
        days = np.asarray(days, dtype="datetime64[D]")
        if self.shape == "step":
            return (days >= self.when).astype(float)
        span = max(int((self.until - self.when).astype(np.int64)), 1)
        return np.clip((days - self.when).astype(np.int64) / span, 0.0, 1.0)


@dataclass(frozen=True)
class IndicatorEffect:
    """An indicator's planted parameter over time, and where it lives in the raw data."""

    indicator: str
    start: float
    changes: tuple[Change, ...]
    unit: str
    planted: str

    def value(self, days: np.ndarray | np.datetime64) -> np.ndarray:
        """The generating parameter on each day (an array shaped like ``days``)."""
        days = np.asarray(days, dtype="datetime64[D]")
        out = np.full(days.shape, self.start, dtype=float)
        for change in self.changes:
            out = out + (change.after - change.before) * change.fraction(days)
        return out

    def at(self, day: np.datetime64 | str) -> float:
        """The parameter on one day."""
        return float(self.value(np.datetime64(day, "D")))

    @property
    def direction(self) -> str:
        """Net direction of the parameter over the decade (for documents only)."""
        end = self.changes[-1].after if self.changes else self.start
        return "flat" if np.isclose(end, self.start) else ("up" if end > self.start else "down")


@dataclass(frozen=True)
class Scenario:
    """A whole declared truth: indicator effects and what they imply per weakness."""

    name: str
    description: str
    scale: float
    effects: dict[str, IndicatorEffect]
    truths: dict[str, dict[str, str]] = field(default_factory=dict)
    source: str = ""

    def value(self, indicator: str, days: np.ndarray | np.datetime64) -> np.ndarray:
        return self.effects[indicator].value(days)

    def at(self, indicator: str, day: np.datetime64 | str) -> float:
        return self.effects[indicator].at(day)

    def document(self) -> dict:
        """The scenario as plain data (what ``scenario.json`` records)."""
        return {
            "name": self.name,
            "description": self.description,
            "truths": {k: dict(v) for k, v in self.truths.items()},
            "effects": {
                ind: {
                    "unit": e.unit,
                    "planted": e.planted,
                    "start": e.start,
                    "changes": [
                        {
                            "before": c.before,
                            "after": c.after,
                            "when": str(c.when),
                            "shape": c.shape,
                            "until": str(c.until),
                        }
                        for c in e.changes
                    ],
                }
                for ind, e in self.effects.items()
            },
        }


def _fail(where: str, what: str) -> SendreadyError:
    return SendreadyError(
        f"Scenario {where}: {what}",
        hint="Correct the scenario file (see lib/sendready/sample/scenarios/bury.yaml for "
        "the layout) or choose a shipped scenario: " + ", ".join(shipped_scenarios()) + ".",
    )


def _number(where: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, f"{key} must be a number, not {value!r}.")
    return float(value)


def _date(where: str, key: str, value: object) -> np.datetime64:
    if isinstance(value, dt.date):
        return np.datetime64(value.isoformat()[:10], "D")
    try:
        return np.datetime64(dt.date.fromisoformat(str(value)).isoformat(), "D")
    except ValueError:
        raise _fail(where, f"{key} must be a date such as 2017-12-01, not {value!r}.") from None


def _check_range(where: str, indicator: str, key: str, value: float) -> None:
    lo, hi = NOT_PROPORTIONS.get(indicator, (0.0, 1.0))
    if not lo <= value <= hi:
        raise _fail(where, f"{key} = {value:g} is outside {lo:g} to {hi:g} for {indicator}.")


def _change(where: str, indicator: str, raw: object) -> Change:
    if not isinstance(raw, dict):
        raise _fail(where, "each change must be a mapping with before, after, when and shape.")
    unknown = set(raw) - {"before", "after", "when", "shape", "until"}
    if unknown:
        raise _fail(where, f"unknown key(s) {sorted(unknown)} in a change.")
    for key in ("before", "after", "when", "shape"):
        if key not in raw:
            raise _fail(where, f"a change lacks {key!r}.")
    shape = raw["shape"]
    if shape not in SHAPES:
        raise _fail(where, f"shape must be one of {', '.join(SHAPES)}, not {shape!r}.")
    before = _number(where, "before", raw["before"])
    after = _number(where, "after", raw["after"])
    for key, value in (("before", before), ("after", after)):
        _check_range(where, indicator, key, value)
    when = _date(where, "when", raw["when"])
    if "until" in raw:
        until = _date(where, "until", raw["until"])
    elif shape == "drift":
        raise _fail(where, "a drift needs 'until', the day it ends.")
    else:
        until = when + np.timedelta64(DEFAULT_RAMP_DAYS if shape == "ramp" else 0, "D")
    if until < when:
        raise _fail(where, f"'until' ({until}) is before 'when' ({when}).")
    return Change(before, after, when, shape, until)


def _effect(name: str, indicator: str, raw: object) -> IndicatorEffect:
    where = f"{name!r}, indicator {indicator}"
    if indicator not in INDICATOR_IDS:
        raise _fail(where, "is not a catalogue indicator id (docs/indicators.md).")
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with 'value' or 'changes'.")
    unknown = set(raw) - {"value", "changes", "unit", "planted", "better"}
    if unknown:
        raise _fail(where, f"unknown key(s) {sorted(unknown)}.")
    if ("value" in raw) == ("changes" in raw):
        raise _fail(where, "give either 'value' (no change) or a list of 'changes', not both.")
    changes: tuple[Change, ...] = ()
    if "value" in raw:
        start = _number(where, "value", raw["value"])
        _check_range(where, indicator, "value", start)
    else:
        if not isinstance(raw["changes"], list) or not raw["changes"]:
            raise _fail(where, "'changes' must be a non-empty list.")
        changes = tuple(_change(where, indicator, c) for c in raw["changes"])
        start = changes[0].before
        for previous, change in zip(changes, changes[1:], strict=False):
            if change.when < previous.until:
                raise _fail(
                    where, f"the change of {change.when} begins before the one before it ends."
                )
            if not np.isclose(change.before, previous.after):
                raise _fail(
                    where,
                    f"the change of {change.when} starts from {change.before:g}, but the one "
                    f"before it ended at {previous.after:g}.",
                )
    return IndicatorEffect(
        indicator=indicator,
        start=start,
        changes=changes,
        unit=str(raw.get("unit", "proportion")),
        planted=str(raw.get("planted", "")),
    )


def _truths(name: str, raw: object) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        raise _fail(repr(name), "'truths' must map a profile id to {weakness: truth}.")
    out = {}
    for profile, table in raw.items():
        if not isinstance(table, dict):
            raise _fail(repr(name), f"truths of {profile!r} must map weakness ids to a truth.")
        for weakness, truth in table.items():
            if truth not in TRUTHS:
                raise _fail(
                    repr(name),
                    f"truth of {weakness} in {profile} must be one of {', '.join(TRUTHS)}, "
                    f"not {truth!r}.",
                )
        out[str(profile)] = {str(k): str(v) for k, v in table.items()}
    return out


# Every indicator a generator reads. A scenario must declare each of them.
REQUIRED = (
    "EHC01",
    "EHC03",
    "EHC06",
    "EHC08",
    "LEAD01",
    "LEAD03",
    "COP01",
    "COP02",
    "COP03",
    "COP04",
    "COP05",
    "JOIN01",
    "JOIN02",
    "JOIN03",
    "JOIN04",
    "HINF01",
    "HINF02",
    "HINF03",
    "HINF04",
    "LO01",
    "LO02",
    "LO03",
    "LO04",
    "LO05",
    "ID01",
    "ID03",
    "ID06",
    "HAW01",
    "HAW02",
    "HAW03",
    "HAW04",
    "HAW05",
    "JC01",
    "JC02",
    "JC03",
    "JC05",
    "JC06",
    "JC07",
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


def scenario_from_mapping(raw: object, name: str = "scenario", source: str = "") -> Scenario:
    """Validate a parsed scenario document and build the :class:`Scenario`.

    Raises:
        SendreadyError: Naming the scenario, the indicator and the key at fault.
    """
    if not isinstance(raw, dict):
        raise _fail(repr(name), "the file must hold a mapping (name, description, indicators).")
    unknown = set(raw) - {"name", "description", "scale", "truths", "indicators"}
    if unknown:
        raise _fail(repr(name), f"unknown top-level key(s) {sorted(unknown)}.")
    name = str(raw.get("name", name))
    indicators = raw.get("indicators")
    if not isinstance(indicators, dict):
        raise _fail(repr(name), "'indicators' must map indicator ids to their effect.")
    missing = [i for i in REQUIRED if i not in indicators]
    if missing:
        raise _fail(repr(name), f"no effect declared for {', '.join(missing)}.")
    scale = _number(repr(name), "scale", raw.get("scale", 1.0))
    effects = {ind: _effect(name, str(ind), spec) for ind, spec in indicators.items()}
    return Scenario(
        name=name,
        description=str(raw.get("description", "")).strip(),
        scale=scale,
        effects=effects,
        truths=_truths(name, raw.get("truths", {})),
        source=source,
    )


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with the suite."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load_scenario(name_or_path: str | Path = "bury") -> Scenario:
    """A shipped scenario by name (``bury``, ``mixed``, ``null``, ``warwickshire``) or a YAML
    file by path."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or path.is_file()):
        path = SCENARIO_DIR / f"{text}.yaml"
        if not path.is_file():
            raise SendreadyError(
                f"There is no shipped scenario called {text!r}.",
                hint="Choose one of " + ", ".join(shipped_scenarios()) + ", or give the path "
                "of a scenario YAML file.",
            )
    if not path.is_file():
        raise SendreadyError(
            f"The scenario file {path} does not exist.", hint="Check the path given to --scenario."
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise _fail(str(path), f"it is not valid YAML ({err}).") from None
    return scenario_from_mapping(raw, name=path.stem, source=str(path.name))
