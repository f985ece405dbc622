"""Indicators declared as data: the YAML schema and its small condition language.

An area (or the suite itself, for its plain counts and proportions) defines an indicator
in YAML: the source, row filters, the date that places a row in a month, and the
conditions of the numerator and denominator. Conditions are written in a small, safe
vocabulary and parsed here into a tree of a few node kinds, checked against the source's
contract (every column must exist; a code compared with a code column must be one of its
codes), so that a mistake is reported when the profile is loaded, naming the indicator
and the key. Nothing is ever passed to ``eval``: the text is read by Python's own parser
and only the node kinds below are accepted; anything else is refused with the list of
what is allowed. :mod:`sendready.indicators.declared` evaluates the tree on pandas.

The vocabulary (:data:`VOCABULARY` says it to users):

* a column name: its value (a yes/no column alone means "yes"; blank is no);
* numbers, quoted text, ``true``/``false`` (``True``/``False``), lists ``["a", "b"]``;
* comparisons ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (a blank on either side is never
  true), membership ``in`` / ``not in`` a list;
* ``blank(column)`` and ``filled(column)``;
* ``days_between(start, end)``: whole days from ``start`` to ``end``;
* ``date_column + 84`` or ``date_column - 7``: a date moved by whole days;
* ``and``, ``or``, ``not`` and brackets.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

VOCABULARY = (
    "column names; numbers, 'quoted text', true/false and lists ['a', 'b']; comparisons "
    "==, !=, <, <=, >, >=; `in` / `not in` a list; blank(column), filled(column); "
    "days_between(start, end) (whole days from start to end); date_column + N or "
    "date_column - N (a date moved by N days); and, or, not, brackets"
)

# --- the tree --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A column's value."""

    name: str


@dataclass(frozen=True)
class Const:
    """A number, text or yes/no written in the condition."""

    value: object


@dataclass(frozen=True)
class Shifted:
    """A date column moved by whole days (``meeting_date + 84``)."""

    column: str
    days: int


@dataclass(frozen=True)
class DaysBetween:
    """Whole days from ``start`` to ``end`` (blank when either is blank)."""

    start: Col | Shifted
    end: Col | Shifted


@dataclass(frozen=True)
class Compare:
    """``left <op> right``; a blank on either side makes it false."""

    op: str
    left: Value
    right: Value


@dataclass(frozen=True)
class Member:
    """The column's value is (``negate``: is not) one of ``values``; a blank is in none."""

    column: str
    values: tuple[object, ...]
    negate: bool = False


@dataclass(frozen=True)
class Blank:
    """The column is blank (``negate``: filled in)."""

    column: str
    negate: bool = False


@dataclass(frozen=True)
class Flag:
    """A yes/no column read as a condition: yes is true, no and blank are false."""

    column: str


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Negation:
    item: Condition


Value = Col | Const | Shifted | DaysBetween
Condition = Compare | Member | Blank | Flag | AllOf | AnyOf | Negation
DateExpression = Col | Shifted

_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}


class ConditionError(ValueError):
    """A condition outside the vocabulary, or naming what the contract does not have."""


def columns_of(node: object) -> list[str]:
    """Every column a tree reads, in order of first mention."""
    found: dict[str, None] = {}

    def walk(item: object) -> None:
        if isinstance(item, Col):
            found.setdefault(item.name, None)
        elif isinstance(item, Member | Blank | Flag | Shifted):
            found.setdefault(item.column, None)
        elif isinstance(item, DaysBetween):
            walk(item.start), walk(item.end)
        elif isinstance(item, Compare):
            walk(item.left), walk(item.right)
        elif isinstance(item, AllOf | AnyOf):
            for part in item.items:
                walk(part)
        elif isinstance(item, Negation):
            walk(item.item)

    walk(node)
    return list(found)


class _Reader:
    """Turns Python's parse of a condition into the tree above, refusing anything else.

    Args:
        columns: The source's columns by name, each with its kind and codes (from the
            contract), so that names and codes can be checked as they are read.
    """

    def __init__(self, columns: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        self.columns = columns

    def column(self, node: ast.AST) -> str:
        if not isinstance(node, ast.Name):
            raise ConditionError(f"expected a column name, found {ast.unparse(node)!r}")
        if node.id not in self.columns:
            raise ConditionError(
                f"{node.id!r} is not a column of the source (its columns are "
                f"{', '.join(self.columns)})"
            )
        return node.id

    def constant(self, node: ast.AST) -> object:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
            return node.value
        if isinstance(node, ast.Name) and node.id in ("true", "false"):
            return node.id == "true"
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int | float)
        ):
            return -node.operand.value
        raise ConditionError(f"expected a number, text or true/false, found {ast.unparse(node)!r}")

    def date(self, node: ast.AST) -> Col | Shifted:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            days = self.constant(node.right)
            if not isinstance(days, int) or isinstance(days, bool):
                raise ConditionError(
                    f"in {ast.unparse(node)!r}, a date can only be moved by a whole number of days"
                )
            column = self.column(node.left)
            self._kind(column, "date", ast.unparse(node))
            return Shifted(column, days if isinstance(node.op, ast.Add) else -days)
        column = self.column(node)
        self._kind(column, "date", ast.unparse(node))
        return Col(column)

    def _kind(self, column: str, kind: str, where: str) -> None:
        if self.columns[column][0] != kind:
            raise ConditionError(
                f"in {where!r}, {column} is a {self.columns[column][0]} column, not a {kind}"
            )

    def value(self, node: ast.AST) -> Value:
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            if name != "days_between" or len(node.args) != 2 or node.keywords:
                raise ConditionError(
                    f"{ast.unparse(node)!r}: the only function giving a value is "
                    "days_between(start, end)"
                )
            return DaysBetween(self.date(node.args[0]), self.date(node.args[1]))
        if isinstance(node, ast.BinOp):
            return self.date(node)
        if isinstance(node, ast.Name) and node.id not in ("true", "false"):
            return Col(self.column(node))
        if not isinstance(node, ast.Constant | ast.UnaryOp | ast.Name):
            raise ConditionError(
                f"{ast.unparse(node)!r} is not a value this vocabulary knows (a column, a "
                "number, 'text', true/false, days_between(start, end) or date_column + N)"
            )
        return Const(self.constant(node))

    def _codes(self, left: Value, values: tuple[object, ...], where: str) -> None:
        """A code compared with a code column must be one of its codes (catches typos)."""
        if not isinstance(left, Col) or self.columns[left.name][0] != "code":
            return
        codes = self.columns[left.name][1]
        unknown = [v for v in values if v not in codes]
        if codes and unknown:
            raise ConditionError(
                f"in {where!r}, {unknown[0]!r} is not one of the codes of {left.name} "
                f"({', '.join(codes)})"
            )

    def compare(self, node: ast.Compare) -> Condition:
        where = ast.unparse(node)
        if len(node.ops) != 1:
            raise ConditionError(f"{where!r}: write one comparison at a time, joined by `and`")
        op, right = node.ops[0], node.comparators[0]
        if isinstance(op, ast.In | ast.NotIn):
            if not isinstance(right, ast.List | ast.Tuple):
                raise ConditionError(f"{where!r}: `in` needs a list, e.g. ['a', 'b']")
            column = self.column(node.left)
            values = tuple(self.constant(v) for v in right.elts)
            self._codes(Col(column), values, where)
            return Member(column, values, negate=isinstance(op, ast.NotIn))
        if type(op) not in _COMPARE:
            raise ConditionError(f"{where!r}: comparisons are ==, !=, <, <=, >, >=, in, not in")
        left, right_value = self.value(node.left), self.value(right)
        if isinstance(right_value, Const):
            self._codes(left, (right_value.value,), where)
        return Compare(_COMPARE[type(op)], left, right_value)

    def condition(self, node: ast.AST) -> Condition:
        if isinstance(node, ast.BoolOp):
            items = tuple(self.condition(v) for v in node.values)
            return AllOf(items) if isinstance(node.op, ast.And) else AnyOf(items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Negation(self.condition(node.operand))
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("blank", "filled") and len(node.args) == 1 and not node.keywords:
                return Blank(self.column(node.args[0]), negate=node.func.id == "filled")
        if isinstance(node, ast.Name) and node.id in self.columns:
            self._kind(node.id, "bool", node.id)
            return Flag(node.id)
        raise ConditionError(f"{ast.unparse(node)!r} is not a condition this vocabulary knows")


def _python_tree(text: str) -> ast.AST:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ConditionError(f"{text!r} cannot be read ({exc.msg})") from None


def parse_condition(text: str, columns: dict[str, tuple[str, tuple[str, ...]]]) -> Condition:
    """The tree of one condition, checked against ``columns`` (name -> kind, codes).

    Raises:
        ConditionError: outside the vocabulary, or naming an unknown column or code.
    """
    return _Reader(columns).condition(_python_tree(text))


def parse_date(text: str, columns: dict[str, tuple[str, tuple[str, ...]]]) -> DateExpression:
    """The tree of a date (a date column, or one moved by whole days)."""
    return _Reader(columns).date(_python_tree(text))


# --- the YAML schema -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Count(_Strict):
    """What is counted, in a condition and in words for readers."""

    when: str | None = Field(
        None, description="A condition in the vocabulary; left out, every row counts"
    )
    words: str = Field(description="What is counted, in plain English")


class Stock(_Strict):
    """Rows open on each period's last day: from ``open_from`` until ``open_until``."""

    open_from: str
    open_until: str | None = None


class FunnelSpec(_Strict):
    """The funnel plot a panel draws beside the control chart (``chart: funnel``).

    Two kinds, told apart by ``from``:

    * ``census`` (the default): each school's share of pupils with the census provision
      ``provision`` (``K`` SEN support, ``E`` EHC plan) at the latest school census on
      or before the period end, as ID01 and ID02 draw it;
    * ``breakdown``: the indicator's own figures, one point per value of its
      ``breakdown`` column (each school, provider or service), from its rows of the
      indicator table for the reporting quarter. Only a proportion has a funnel: a share
      plotted against the number it is taken of.
    """

    from_: Literal["census", "breakdown"] = Field(
        "census",
        alias="from",
        description="census: schools at the school census; breakdown: the indicator's own "
        "figures, one point per value of its breakdown",
    )
    provision: str | None = Field(
        None, description="For a census funnel, the sen_provision code counted (K or E)"
    )
    words: str = Field(description="What the rate counts, as a reader says it")
    units: str | None = Field(
        None,
        description="For a funnel from the breakdown, the units in the plural (default: "
        "schools for a school URN, else the column's name)",
    )

    @model_validator(mode="after")
    def _kind_has_its_keys(self) -> FunnelSpec:
        from sendready.metadata.contracts import SEN_PROVISION

        if self.from_ == "breakdown":
            if self.provision is not None:
                raise ValueError(
                    "provision: a funnel from the breakdown plots the indicator's own "
                    "figures, not a census provision: leave provision out (or write "
                    "from: census)"
                )
            return self
        if self.units is not None:
            raise ValueError(
                "units: a census funnel's units are always schools; units is for "
                "a funnel from the breakdown"
            )
        codes = [c for c in SEN_PROVISION if c != "N"]
        if self.provision not in codes:
            problem = (
                "a census funnel needs the sen_provision code it counts"
                if self.provision is None
                else f"{self.provision!r} is not a sen_provision code a census funnel counts"
            )
            raise ValueError(
                f"provision: {problem} ({' or '.join(codes)}); or write from: breakdown to "
                "draw the indicator's own figures by its breakdown"
            )
        return self


class TargetSpec(_Strict):
    value: float
    by: dt.date | None = None
    source: str | None = None


class DeclaredIndicator(_Strict):
    """One indicator defined in YAML (see the module docstring for the conditions)."""

    id: str = Field(pattern=r"^[A-Z]{1,8}[0-9]{1,3}$")
    title: str
    source: str
    statistic: Literal["proportion", "count"]
    where: list[str] = Field(default_factory=list, description="Row filters, all must hold")
    date: str | None = Field(None, description="The date that places a row in a month")
    stock: Stock | None = None
    numerator: Count
    denominator: Count | None = None
    direction: Literal["up", "down", "neutral"]
    unit: Literal["percent", "count", "days", "per_10000", "gbp"] | None = None
    breakdown: str | None = Field(
        None,
        description="A column to split the figures by (school_urn, provider, service), "
        "besides the whole-area figures",
    )
    grain: Literal["month", "event"] = "month"
    chart: Literal["spc", "funnel"] = "spc"
    funnel: FunnelSpec | None = None
    about_people: bool = True
    weaknesses: list[str] = Field(default_factory=list)
    benchmark_key: str | None = None
    notes: str = ""
    target: TargetSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_filter_as_list(cls, raw: object) -> object:
        if isinstance(raw, dict) and isinstance(raw.get("where"), str):
            return {**raw, "where": [raw["where"]]}
        return raw

    @model_validator(mode="after")
    def _consistent(self) -> DeclaredIndicator:
        from sendready.metadata.contracts import CONTRACTS

        if self.source not in CONTRACTS:
            raise ValueError(
                f"source: {self.source!r} is not a source; known sources are "
                f"{', '.join(sorted(CONTRACTS))}"
            )
        if (self.date is None) == (self.stock is None):
            raise ValueError(
                "give either date (the date that places a row in a month: events counted in "
                "the month they happen) or stock (open_from and open_until: rows open on "
                "each month's last day), not both or neither"
            )
        if self.statistic == "proportion" and self.denominator is None:
            raise ValueError("denominator: a proportion needs its denominator (words at least)")
        if self.statistic == "proportion" and self.numerator.when is None:
            raise ValueError("numerator.when: a proportion needs the numerator's condition")
        if self.statistic == "count" and self.denominator is not None:
            raise ValueError("denominator: a count has no denominator")
        if self.breakdown is not None and self.breakdown not in self.source_columns():
            raise ValueError(
                f"breakdown: {self.breakdown!r} is not a column of {self.source} "
                f"({', '.join(self.source_columns())})"
            )
        self._funnel_fits()
        self.parsed()  # every condition is checked against the contract now
        return self

    def _funnel_fits(self) -> None:
        """``chart: funnel`` has its ``funnel``; one from the breakdown has a breakdown to
        draw, a proportion to draw and no person to name."""
        if (self.chart == "funnel") != (self.funnel is not None):
            raise ValueError(
                "chart: funnel needs funnel (provision and words for schools at the census, "
                "or from: breakdown and words for the indicator's own figures by its "
                "breakdown), and only chart: funnel has one"
            )
        if self.funnel is None or self.funnel.from_ != "breakdown":
            return
        if self.breakdown is None:
            raise ValueError(
                "funnel.from: a funnel from the breakdown draws one point per value of the "
                "indicator's breakdown column: add breakdown: (e.g. school_urn)"
            )
        if self.statistic != "proportion":
            raise ValueError(
                "funnel.from: a funnel from the breakdown plots each unit's share against "
                "the number it is taken of, so the indicator must be a proportion (it is a "
                f"{self.statistic})"
            )
        from sendready.metadata.contracts import CONTRACTS

        column = next(c for c in CONTRACTS[self.source].columns if c.name == self.breakdown)
        if column.identifying:
            raise ValueError(
                f"funnel.from: {self.breakdown} identifies a person, and a funnel names "
                "its units: break the indicator down by a school, provider or service "
                "column instead"
            )

    @property
    def value_unit(self) -> str:
        return self.unit or ("percent" if self.statistic == "proportion" else "count")

    def source_columns(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        from sendready.metadata.contracts import CONTRACTS

        return {c.name: (c.kind, c.codes) for c in CONTRACTS[self.source].columns}

    def parsed(self) -> ParsedIndicator:
        """The conditions as trees (raises ValueError naming the key that is wrong)."""
        columns = self.source_columns()

        def read(key: str, text: str | None, parse=parse_condition):
            if text is None:
                return None
            try:
                return parse(text, columns)
            except ConditionError as exc:
                raise ValueError(f"{key}: {exc}. Allowed: {VOCABULARY}") from None

        stock = None
        if self.stock is not None:
            stock = (
                read("stock.open_from", self.stock.open_from, parse_date),
                read("stock.open_until", self.stock.open_until, parse_date),
            )
        return ParsedIndicator(
            where=tuple(read(f"where[{n}]", w) for n, w in enumerate(self.where)),
            date=read("date", self.date, parse_date),
            stock=stock,
            numerator=read("numerator.when", self.numerator.when),
            denominator=read(
                "denominator.when", self.denominator.when if self.denominator else None
            ),
        )


@dataclass(frozen=True)
class ParsedIndicator:
    """A declared indicator's conditions, parsed."""

    where: tuple[Condition, ...]
    date: DateExpression | None
    stock: tuple[DateExpression, DateExpression | None] | None
    numerator: Condition | None
    denominator: Condition | None

    def columns(self) -> list[str]:
        """Every column the definition reads, in order of first mention."""
        parts: list[object] = [*self.where, self.date, self.numerator, self.denominator]
        if self.stock is not None:
            parts += list(self.stock)
        found: dict[str, None] = {}
        for part in parts:
            for column in columns_of(part):
                found.setdefault(column, None)
        return list(found)
