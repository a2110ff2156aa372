"""The cell model: pure cells with roles, charts as specifications, sheets and books.

A sheet is a list of ``Cell``s in spreadsheet coordinates (1-based row and column), each with a
*role* ("focus", "input", "value", "label", …) that a writer maps to a style.  No colours, no
files: the writers (xlsx, html) turn these into what a reader sees.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)  # slots: a large sheet holds millions of cells
class Cell:
    """One cell: 1-based (row, col), its value, its role and, for live sheets, its formula.

    ``formula`` is spreadsheet text without the leading "="; ``span`` > 1 merges that many
    columns for wrapped text; ``link`` names a sheet the cell jumps to.
    """
    row: int
    col: int
    value: object
    role: str
    formula: str | None = None
    span: int = 1
    link: str | None = None
    answer: float | None = None  # an answer cell (a copy's blank, or the key's filled one): the right number
    whole: bool = False          # a number of a matrix of whole numbers (the data): no decimals
    url: str | None = None       # a file this cell opens (relative path)
    places: int | None = None    # decimals shown (None: the book's decimals)
    #: a copy's answer cell: (formulas of the answer worked out from the numbers its sheet shows,
    #: the answer cells (sheet, A1) they read) — right too when it agrees with one of them
    worked: tuple | None = None


@dataclass(frozen=True)
class Series:
    """A chart line: its name and the 1-based column and rows of its numbers on a sheet."""
    name: str
    sheet: str
    col: int
    first_row: int
    last_row: int


@dataclass(frozen=True)
class Chart:
    """A native line chart of ``series`` against the x values in ``x`` (a Series), placed at
    1-based (row, col), ``width`` × ``height`` in centimetres."""
    title: str
    x_title: str
    y_title: str
    x: Series
    series: tuple
    row: int
    col: int
    width: float = 16.0
    height: float = 8.0
    x_max: float | None = None  # the x axis ends here (None: the chart program decides)
    x_step: float | None = None  # between two ticks of the x axis (None: the chart program decides)
    x_places: int = 0            # decimals of the axes' numbers, chosen by their range
    y_places: int | None = None  # (None: the chart program decides)
    log_y: bool = False          # a logarithmic y axis


@dataclass
class Sheet:
    """A sheet's cells, charts, column widths (characters), row heights (points) and how it
    prints (``one_page``: the whole sheet on one page, else one page wide unless not
    ``fit_width``; ``hidden``: not at all)."""
    name: str
    cells: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)
    heights: dict = field(default_factory=dict)
    charts: list = field(default_factory=list)
    one_page: bool = False
    hidden: bool = False  # data behind charts: kept in the file, not shown or printed
    breaks: list = field(default_factory=list)  # a printed page starts at each of these rows
    fit_width: bool = True  # printed as wide as a page (else at full size, over pages across)
    titles: tuple = (0, 0)  # ((first, last) row, the first columns) printed again on every page; 0: none

    def add(self, *cells: Cell) -> None:
        self.cells.extend(cells)

    def fit(self, col: int, texts) -> None:
        """Widen column ``col`` (never narrow it) so that each of ``texts`` fits in one line."""
        self.widths[col] = max([self.widths.get(col, 9)] + [text_width(x) + 1 for x in texts])

    def text_row(self, row: int, text: str, role: str, span: int, formula: str | None = None) -> None:
        """A wrapped line of text across ``span`` columns, with a height that fits it."""
        width = sum(self.widths.get(c, 9) for c in range(1, span + 1))
        lines = max(1, math.ceil(text_width(text) * 1.1 / max(width, 1)))
        self.add(Cell(row, 1, text, role, formula, span=span))
        self.heights[row] = 15.0 * lines + 2 if lines > 1 else self.heights.get(row, 15.0)


@dataclass
class Book:
    """A workbook: sheets in order, the number of decimals to display, the language of its texts
    (the writer picks a font that has its letters) and, for a student's copy, the page header
    of every sheet (``header``: its variant and name line) and whether every cell but the
    answers is protected from typing (``protect``).

    With ``names`` (every sheet's name, in order), ``sheets`` may be an iterator that makes
    each sheet only when it is reached, so a writer holds one sheet at a time.
    """
    sheets: list
    decimals: int
    lang: str = "en"
    header: str | None = None
    protect: bool = False
    names: tuple = ()


def text_width(text: str) -> int:
    """The width of ``text`` in a spreadsheet's column units: a wide (Chinese) character counts
    two, as it takes the room of about two digits."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def quoted(sheet: str) -> str:
    """A sheet name as a formula refers to it: 'U2 3 Hidden layer input'."""
    return "'" + sheet.replace("'", "''") + "'"
