"""Cell-level expressions: how one number of a recorded matrix is made from other cells.

Each recorded matrix knows its operation; the operation builds, for any one cell, a small
expression tree over ``Ref``s to operand cells.  Everything a sheet shows about that cell is
derived from this one tree (as micrograd derives its drawing from ``_prev``/``_op``):

* ``refs``        the cells it is computed from (the orange cells);
* ``formula``     the spreadsheet formula, given where each cell sits;
* ``arithmetic``  the written-out arithmetic with the numbers.

The number itself is the operation's ``apply`` (``trace``); tests compute each formula
independently and compare.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Union

from .i18n import english
from .wording import SIGMOID_GUARD, forms

#: products written out one by one up to this fan-in; beyond it, MMULT/SUMPRODUCT of ranges
EXPLICIT_FAN_IN = 8
#: products written out in the arithmetic line before it abbreviates with "…"
ARITHMETIC_TERMS = 8


@dataclass(frozen=True)
class Ref:
    """Cell (row, col), 0-based, of the matrix called ``name``."""
    name: str
    row: int
    col: int


@dataclass(frozen=True)
class Dot:
    """Σ left[k]·right[k]: a row of one matrix against a row or column of another."""
    left: tuple
    right: tuple


@dataclass(frozen=True)
class Total:
    """Σ terms: the sum down a column."""
    terms: tuple


@dataclass(frozen=True)
class Bin:
    """left op right, op one of + − ×."""
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Apply:
    """An activation (``kind`` "fn") or its slope from the output (``kind`` "slope") of one cell."""
    activation: str
    kind: str
    arg: Ref

    @property
    def reads_arg(self) -> bool:
        """False for a constant slope (linear's 1): its cell reads nothing, so nothing is orange."""
        f = forms(self.activation)
        return "{" in (f.formula if self.kind == "fn" else f.slope_formula)


Expr = Union[Ref, Dot, Total, Bin, Apply]


def refs(e: Expr) -> list[Ref]:
    """Every cell the expression reads, in reading order, without repeats."""
    out: list[Ref] = []

    def walk(x):
        if isinstance(x, Ref):
            out.append(x)
        elif isinstance(x, Dot):
            for a, b in zip(x.left, x.right):
                out.extend((a, b))
        elif isinstance(x, Total):
            out.extend(x.terms)
        elif isinstance(x, Bin):
            walk(x.left)
            walk(x.right)
        elif isinstance(x, Apply) and x.reads_arg:
            out.append(x.arg)

    walk(e)
    return list(dict.fromkeys(out))


# Precedence: a sum is 1, a product 2, anything self-contained 3.
def _prec(e: Expr, explicit: bool) -> int:
    if isinstance(e, Bin):
        return 1 if e.op in "+-" else 2
    if isinstance(e, Dot):
        return 1 if explicit and len(e.left) > 1 else 3
    if isinstance(e, Apply):
        f = forms(e.activation)
        return _written_prec(f.formula if e.kind == "fn" else f.slope_formula)
    return 3


def _written_prec(template: str) -> int:
    """The precedence of an activation's written form, read from its operators outside
    parentheses (``1/(1+EXP(-{x}))`` is a quotient: 2; ``1-{a}*{a}`` a sum: 1; a call: 3)."""
    depth, outside = 0, []
    for k, ch in enumerate(template):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and k > 0:  # a leading minus is a sign, not a subtraction
            outside.append(ch)
    return 1 if {"+", "-"} & set(outside) else 2 if {"*", "/"} & set(outside) else 3


def _wrap(text: str, inner: int, outer: int) -> str:
    return f"({text})" if inner < outer else text


class _Renderer:
    """Shared walk for formulas and arithmetic; subclasses say how atoms and sums look."""

    times = "*"
    minus = "-"

    def render(self, e: Expr) -> str:
        if isinstance(e, Ref):
            return self.ref(e)
        if isinstance(e, Dot):
            return self.dot(e)
        if isinstance(e, Total):
            return self.total(e)
        if isinstance(e, Apply):
            return self.apply(e)
        need = 2 if e.op == "*" else 1
        left = _wrap(self.render(e.left), self.prec(e.left), need)
        # a − (b + c) and a × (b·c) need their right side wrapped one level higher
        right = _wrap(self.render(e.right), self.prec(e.right), need + (e.op == "-"))
        op = {"+": " + " if self.spaced else "+", "-": self.minus, "*": self.times}[e.op]
        return f"{left}{op}{right}"

    def prec(self, e: Expr) -> int:
        return _prec(e, self.explicit(e))

    def explicit(self, e: Expr) -> bool:
        return True


class FormulaRenderer(_Renderer):
    """Spreadsheet formulas; ``address(ref)`` gives (row, col) 1-based on the sheet, and
    ``value(ref)`` the cell's number, for the few formulas that depend on it (a sigmoid whose
    input is so negative that a spreadsheet's EXP would overflow)."""

    spaced = False

    def __init__(self, address: Callable[[Ref], tuple[int, int]], value: Callable[[Ref], float] | None = None):
        self.address, self.value = address, value

    def ref(self, r: Ref) -> str:
        return cell_name(*self.address(r))

    def span(self, cells) -> str:
        return f"{self.ref(cells[0])}:{self.ref(cells[-1])}" if len(cells) > 1 else self.ref(cells[0])

    def explicit(self, e: Expr) -> bool:
        return not isinstance(e, Dot) or len(e.left) <= EXPLICIT_FAN_IN

    def dot(self, e: Dot) -> str:
        if self.explicit(e):
            return "+".join(f"{self.ref(a)}*{self.ref(b)}" for a, b in zip(e.left, e.right))
        same_shape = _orientation(self.address, e.left) == _orientation(self.address, e.right)
        # SUMPRODUCT of a row against a column is #VALUE! everywhere; MMULT takes row × column.
        fn = "SUMPRODUCT" if same_shape else "MMULT"
        return f"{fn}({self.span(e.left)},{self.span(e.right)})"

    def total(self, e: Total) -> str:
        return f"SUM({self.span(e.terms)})"

    def apply(self, e: Apply) -> str:
        f = forms(e.activation)
        if e.kind == "fn":
            guard = f.guarded_formula and self.value is not None and self.value(e.arg) < SIGMOID_GUARD
            return (f.guarded_formula if guard else f.formula).format(x=self.ref(e.arg))
        return f.slope_formula.format(a=self.ref(e.arg))


class WorkedRenderer(FormulaRenderer):
    """A formula that works a cell out again from the numbers its sheet shows, for a check that
    lives on another sheet: each cell named with its ``sheet`` (quoted); with ``places``, every
    number but the student's own (``mine``) rounded to the decimals it shows, so the result is
    what a student gets from the printed numbers.  Sums and products of more than
    ``EXPLICIT_FAN_IN`` cells take their ranges as stored."""

    def __init__(self, address, value, sheet: str, places: Callable[[Ref], int] | None = None,
                 mine=frozenset()):
        super().__init__(address, value)
        self.sheet, self.places, self.mine = sheet, places, mine

    def ref(self, r: Ref) -> str:
        name = f"{self.sheet}!{cell_name(*self.address(r))}"
        return name if self.places is None or r in self.mine else f"ROUND({name},{self.places(r)})"

    def span(self, cells) -> str:
        if len(cells) == 1:
            return self.ref(cells[0])
        return f"{self.sheet}!{cell_name(*self.address(cells[0]))}:{cell_name(*self.address(cells[-1]))}"

    def total(self, e: Total) -> str:
        if self.places is None or len(e.terms) > EXPLICIT_FAN_IN:
            return super().total(e)
        return "(" + "+".join(self.ref(t) for t in e.terms) + ")"


class ArithmeticRenderer(_Renderer):
    """The written-out arithmetic, each number with the decimals its cell shows
    (``places(ref)``); the cells in ``by_name`` (an exercise's answers) are written by name;
    ``t`` translates the few words (relu's slope)."""

    spaced = True
    times = "×"
    minus = " − "

    def __init__(self, value: Callable[[Ref], float], places: Callable[[Ref], int], by_name=frozenset(),
                 t=english):
        self.value, self.places, self.by_name, self.t = value, places, by_name, t

    def ref(self, r: Ref) -> str:
        if r in self.by_name:
            return f"{r.name}[{r.row + 1},{r.col + 1}]"
        text = number_text(self.value(r), self.places(r))
        return f"({text})" if text.startswith("−") else text  # 0.8×(−0.1), never 0.8×−0.1

    def dot(self, e: Dot) -> str:
        terms = [f"{self.ref(a)}×{self.ref(b)}" for a, b in zip(e.left, e.right)]
        if len(terms) > ARITHMETIC_TERMS:
            terms = terms[:ARITHMETIC_TERMS - 2] + ["…", terms[-1]]
        return " + ".join(terms)

    def total(self, e: Total) -> str:
        terms = [self.ref(t) for t in e.terms]
        if len(terms) > ARITHMETIC_TERMS:
            terms = terms[:ARITHMETIC_TERMS - 2] + ["…", terms[-1]]
        return "(" + " + ".join(terms) + ")" if len(terms) > 1 else terms[0]

    def apply(self, e: Apply) -> str:
        f = forms(e.activation)
        if e.kind == "fn":
            return f.arithmetic.format(x=self.ref(e.arg))
        return self.t(f.slope_arithmetic, a=self.ref(e.arg))  # relu's has words


class LiveArithmeticRenderer(ArithmeticRenderer):
    """The written-out arithmetic as a spreadsheet formula that builds the same text from the
    cells (``TEXT`` of each, with the decimals it shows), so it follows an edited weight.

    ``render`` gives the inside of a text literal, with each number spliced in as
    ``"&TEXT(A1,"0.000")&"``; ``line`` wraps a whole line into a formula.
    """

    def __init__(self, address: Callable[[Ref], tuple[int, int]], value, places, t=english):
        super().__init__(value, places, t=t)
        self.address = address

    def ref(self, r: Ref) -> str:
        fmt = text_format(self.places(r), wrap=True)
        return f'"&TEXT({cell_name(*self.address(r))},"{fmt}")&"'

    def line(self, head: str, e: Expr, result: Ref) -> str:
        """The formula (without "=") of ``head`` + " = " + the arithmetic + " = " + the result."""
        body = self.render(e)
        fmt = text_format(self.places(result), wrap=False)
        tail = f'"&TEXT({cell_name(*self.address(result))},"{fmt}")'
        text = '"' + head.replace('"', '""') + " = " + body + " = " + tail
        return text.replace('&""&', "&")


def text_format(places: int, wrap: bool) -> str:
    """The ``TEXT`` format that writes a number as ``number_text`` does (minus sign U+2212),
    a negative one in parentheses when ``wrap``: 0.8×(−0.1)."""
    fmt = number_format(places)
    return f"{fmt};(\\−{fmt})" if wrap else f"{fmt};\\−{fmt}"


def _orientation(address, cells) -> str:
    rows = {address(c)[0] for c in cells}
    return "row" if len(rows) == 1 else "column"


#: the most decimals a number is shown with (a spreadsheet keeps 15 significant digits)
MAX_PLACES = 20
#: two numbers closer than this (relative) may show the same digits
SAME = 1e-12


def places_for(x: float, decimals: int, before: float | None = None) -> int:
    """How many decimals show ``x``: at least ``decimals`` and at least 3 significant digits,
    so no nonzero number reads 0.000; with ``before`` (the value an update replaced), enough
    that the two read differently wherever they differ by more than ``SAME`` (relative)."""
    x = float(x)
    places = decimals
    if x != 0 and math.isfinite(x):
        places = max(places, 2 - math.floor(math.log10(abs(x))))
    if before is not None and abs(x - before) > SAME * max(abs(x), abs(before)):
        while places < MAX_PLACES and f"{x:.{places}f}" == f"{float(before):.{places}f}":
            places += 1
    return min(places, MAX_PLACES)


def number_text(x: float, places: int) -> str:
    """A number as a cell shows it with ``places`` decimals, minus sign U+2212, no "−0"."""
    text = f"{float(x):.{places}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def number_format(places: int) -> str:
    """The spreadsheet number format that shows ``places`` decimals."""
    return "0." + "0" * places if places else "0"


def cell_name(row: int, col: int) -> str:
    """A1-style name of 1-based (row, col)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"
