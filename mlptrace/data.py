"""Training data: the built-in sets and CSV files with a header row.

A data set is inputs ``X`` (samples × inputs), targets ``y`` (samples × outputs) and the column
names that label them on the sheets.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from .errors import MAX_NUMBER, MAX_ROWS, MlptraceError, read_text, visible


@dataclass(frozen=True)
class Dataset:
    """Inputs and targets with their column names.

    X : (samples, inputs) float array;  y : (samples, outputs) float array.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    input_names: tuple[str, ...]
    target_names: tuple[str, ...]


def _table(name, rows, n_inputs):
    arr = np.array(rows, dtype=float)
    inputs = tuple(f"x{k + 1}" for k in range(n_inputs))
    targets = ("y",) if arr.shape[1] - n_inputs == 1 else tuple(
        f"y{k + 1}" for k in range(arr.shape[1] - n_inputs))
    return Dataset(name, arr[:, :n_inputs], arr[:, n_inputs:], inputs, targets)


def _moons(seed: int, n: int = 40) -> Dataset:
    """Two interleaved half-moons, ``n`` points, drawn from ``seed`` (no global random state)."""
    rng = np.random.default_rng([seed, 2])
    half = n // 2
    t = np.linspace(0, math.pi, half)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    X = np.round(np.r_[upper, lower] + rng.normal(scale=0.1, size=(2 * half, 2)), 3)
    y = np.r_[np.zeros(half), np.ones(half)][:, None]
    return Dataset("moons", X, y, ("x1", "x2"), ("y",))


BUILTIN = {
    # The article's data, exactly.
    "article": lambda seed: _table("article", [[1, 0, 1, 0, 1], [1, 0, 1, 1, 1], [0, 1, 0, 1, 0]], 4),
    "xor": lambda seed: _table("xor", [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], 2),
    "and": lambda seed: _table("and", [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]], 2),
    "or": lambda seed: _table("or", [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]], 2),
    "moons": _moons,
}


def load(spec: str, targets: tuple[str, ...] | None = None, seed: int = 0) -> Dataset:
    """Return the built-in set called ``spec``, or read the CSV file at that path.

    ``targets`` names the target columns of a CSV (default: the last column); ``seed`` draws
    the generated sets.  Raises MlptraceError naming the problem for any bad file.
    """
    if spec in BUILTIN:
        if targets:
            raise MlptraceError(f"--targets only applies to a CSV file, not the built-in data {spec!r}")
        return BUILTIN[spec](seed)
    if not spec.lower().endswith(".csv") and not os.path.exists(spec):
        raise MlptraceError(
            f"unknown data {spec!r}: use one of {', '.join(BUILTIN)} or a .csv file")
    return read_csv(spec, targets)


#: separators a CSV may use; Excel writes ';' where the decimal mark is a comma
SEPARATORS = (",", ";", "\t")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)


def _separator(text: str) -> tuple[str, str]:
    """The separator of a CSV and its text without Excel's ``sep=;`` line: the one named on
    that line, else the first of , ; tab that the header row holds."""
    first, _, rest = text.partition("\n")
    line = first.rstrip("\r")
    if line.lower().startswith("sep=") and len(line) == 5:
        return line[4], rest
    return next((s for s in SEPARATORS if s in line), ","), text


def _read_rows(path: str) -> list[list[str]]:
    text = read_text(path, "data file", "CSV")
    sep, text = _separator(text)
    lines = text.count("\n")
    if lines > MAX_ROWS:  # told before the rows are read, which takes long
        raise MlptraceError(f"data file {path!r} has about {lines:,} lines, more than the {MAX_ROWS:,} rows "
                            "a spreadsheet has: use fewer rows")
    # only \n, \r and \r\n end a row: NEL, form feed or U+2028 stay in their cell, visibly
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows, start = [], 1
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows.append(row)
            start = reader.line_num + 1  # where the next row begins (a quoted cell spans lines)
    except csv.Error as exc:
        problem = ("a quote (\") is opened and never closed" if "end of data" in str(exc)
                   else f"{exc} (a quote must enclose the whole cell)")
        raise MlptraceError(f"{visible(path)}: line {start}: {problem}") from None
    if not rows:
        raise MlptraceError(f"data file {path!r} is empty")
    return rows


def _where(path: str, line: int, column: str, text: str) -> str:
    """Where a bad cell is, for its message (made only then: a large file has a million cells)."""
    return f"{visible(path)}: line {line}, column {column!r}: {text!r}"


def _number(cell: str, path: str, line: int, column: str) -> float:
    text = cell.strip()
    if _NUMBER.fullmatch(text) is None:
        where = _where(path, line, column, text)
        # not float(): it reads 1_000, full-width １ and Arabic-Indic ٣ as numbers, a spreadsheet does not
        if _NOT_FINITE.fullmatch(text):
            raise MlptraceError(f"{where} is not a finite number")
        if _DECIMAL_COMMA.fullmatch(text):
            raise MlptraceError(f"{where} has a decimal comma: write {text.replace(',', '.')}")
        raise MlptraceError(f"{where} is not a number (digits 0-9, a point, an exponent like 1e-3)")
    value = float(text)
    if not abs(value) <= MAX_NUMBER:
        raise MlptraceError(f"{_where(path, line, column, text)} is beyond ±9.99999999999999E+307, the largest number a spreadsheet holds")
    return value


def _check_header(path: str, header: list[str]) -> None:
    for name in header:
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") for ch in name):
            raise MlptraceError(f"data file {path!r}: column name {name!r} holds a control "
                                "character or a line break; a sheet cannot show it")


def read_csv(path: str, targets: tuple[str, ...] | None = None) -> Dataset:
    """Read a CSV with a header row and numeric cells; ``targets`` are header names."""
    rows = _read_rows(path)
    header = [h.strip() for h in rows[0]]
    if len(rows) < 2:
        raise MlptraceError(f"data file {path!r} has a header row but no data rows")
    if len(header) < 2:
        raise MlptraceError(f"data file {path!r} needs at least two columns (inputs and a target)")
    if any(not h for h in header) or len(set(header)) != len(header):
        raise MlptraceError(f"data file {path!r}: every column needs its own non-empty name in the header")
    _check_header(path, header)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise MlptraceError(
                f"{visible(path)}: line {line} has {len(row)} cells but the header has {len(header)}")
    targets = tuple(targets) if targets else (header[-1],)
    unknown = [t for t in targets if t not in header]
    if unknown:
        raise MlptraceError(f"--targets: no column {unknown[0]!r} in {visible(path)} (columns: {', '.join(header)})")
    if len(set(targets)) == len(header):
        raise MlptraceError("--targets names every column: at least one must stay an input")
    values = np.array([[_number(c, path, line, header[k]) for k, c in enumerate(row)]
                       for line, row in enumerate(rows[1:], start=2)])
    t_idx = [header.index(t) for t in dict.fromkeys(targets)]
    i_idx = [k for k in range(len(header)) if k not in t_idx]
    name = visible(os.path.basename(path))
    return Dataset(name, values[:, i_idx], values[:, t_idx],
                   tuple(header[k] for k in i_idx), tuple(header[k] for k in t_idx))
