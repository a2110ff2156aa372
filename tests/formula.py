"""The tests' one reader of spreadsheet formulas, written independently of mlptrace: column
letters, the cells a formula reads, and its value computed in plain Python.

Covers what mlptrace writes: + − * /, comparisons, cell references and ranges (with or without
a sheet name, ``$`` anchors), and the functions EXP, TANH, MAX, IF, SUM, SUMPRODUCT and MMULT
(of a row against a column).
"""
from __future__ import annotations

import math
import re

_REF = re.compile(r"(?<![A-Za-z0-9_.])(?:('(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?"
                  r"\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?(?![A-Za-z0-9_(])")


def col_number(letters: str) -> int:
    """1-based column number of letters: A → 1, Z → 26, AA → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letter(n: int) -> str:
    """Letters of 1-based column ``n``: 1 → A, 27 → AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cells(c1, r1, c2, r2) -> list[tuple[int, int]]:
    c2, r2 = (c2, r2) if c2 else (c1, r1)
    return [(row, col) for row in range(int(r1), int(r2) + 1)
            for col in range(col_number(c1), col_number(c2) + 1)]


def references(formula: str) -> set[tuple[str | None, int, int]]:
    """Every cell a formula reads, ranges expanded: {(sheet or None, row, col)}, 1-based."""
    out = set()
    for sheet, c1, r1, c2, r2 in _REF.findall(formula.lstrip("=")):
        sheet = sheet.strip("'").replace("''", "'") if sheet else None
        out.update((sheet, row, col) for row, col in _cells(c1, r1, c2, r2))
    return out


def _numbers(*args) -> list[float]:
    """The numbers of a function's arguments, ranges (lists) spread out."""
    return [x for a in args for x in (a if isinstance(a, list) else [a])]


def _products(a, b):
    a, b = _numbers(a), _numbers(b)
    assert len(a) == len(b), (a, b)
    return math.fsum(x * y for x, y in zip(a, b))


_FUNCTIONS = {
    "EXP": math.exp, "TANH": math.tanh, "MAX": lambda *a: max(_numbers(*a)), "SUM": lambda *a: math.fsum(_numbers(*a)),
    "IF": lambda test, yes, no: yes if test else no,
    "SUMPRODUCT": _products, "MMULT": _products,  # a row against a column: one number
}


def evaluate(formula: str, value) -> float:
    """The formula's number, reading same-sheet cell (row, col) as ``value(row, col)``."""
    def cell(m):
        assert not m.group(1), f"another sheet in {formula!r}"
        cells = _cells(*m.group(2, 3, 4, 5))
        numbers = [repr(float(value(r, c))) for r, c in cells]
        return f"[{','.join(numbers)}]" if m.group(4) else f"({numbers[0]})"
    text = _REF.sub(cell, formula.lstrip("="))
    leftover = set(re.findall(r"[A-Za-z_]+", re.sub(r"[0-9.]e[+-]?[0-9]", "", text))) - set(_FUNCTIONS)
    assert not leftover, f"unknown names {leftover} in {formula!r}"
    with_ops = text.replace("<>", "!=").replace("=", "==").replace("<==", "<=").replace(">==", ">=")
    return float(eval(with_ops, {"__builtins__": {}}, dict(_FUNCTIONS)))  # noqa: S307 (our own text)
