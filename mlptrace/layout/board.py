"""The board: one fixed place per matrix of the update, the same on every step sheet of a
workbook, so flipping through the sheets reads like the article's sequence of pictures."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import expr as ex
from ..trace import Update


@dataclass
class Board:
    """Fixed places of every matrix: ``places[name]`` is the (row, col) of its cell [0, 0]."""
    places: dict
    titles: dict
    widths: dict
    last_col: int
    one_page: bool = True  # every step prints on one page (else: each as wide as a page, maybe several tall)

    def address(self, ref: ex.Ref) -> tuple[int, int]:
        row, col = self.places[ref.name]
        return row + ref.row, col + ref.col


def bands(plan) -> list[list[str]]:
    """The board's rows of matrices: what is given, the forward pass, the backward pass, updates."""
    names = plan.names
    hidden, out = names[:-1], names[-1]
    return [
        ["X", "y"] + [x for n in names for x in (n.W, n.b)] + ["lr"],
        [x for n in hidden for x in (n.z, n.a)] + [out.z, out.a, out.error],
        [out.slope, out.delta] + [x for n in reversed(hidden) for x in (n.error, n.slope, n.delta)],
        [x for n in names for x in (n.W + "_next", n.b + "_next")],
    ]


def matrix_title(name, shape) -> str:
    """The label above a matrix: its name; X and y (short names) carry their shape too."""
    return f"{name}  ({shape[0]}×{shape[1]})" if name in ("X", "y") else name


def shape_text(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


#: the printable part of a landscape A4 page (margins 0.5 inch left and right, 0.75 inch top
#: and bottom), in points; an 11-pt row is 15 points high, a column of width w is 5.25·w + 3.75
PAGE_POINTS = (770.0, 487.0)
#: a step prints on one page unless that shrinks it below this; then on several, at full size
MIN_SCALE = 0.75
GAP = 2.5  # the width of the empty column between two matrices


def _points(widths: dict) -> float:
    return sum(5.25 * w + 3.75 for w in widths.values())


def page_scale(widths: dict, height: float) -> float:
    """How far a sheet of these column widths (characters) and ``height`` (points) must shrink
    to print on one landscape page (1: not at all)."""
    return min(1.0, PAGE_POINTS[0] / _points(widths), PAGE_POINTS[1] / height)


def fits_one_page(widths: dict, height: float) -> bool:
    """Whether such a sheet prints on one page still large enough to read."""
    return page_scale(widths, height) >= MIN_SCALE


def _label_width(name, shape) -> float:
    """Characters of cell width the label above a matrix needs (labels are 10-pt bold)."""
    return len(matrix_title(name, shape)) * 0.9 + 1


def _span(name, shapes, width) -> int:
    """Columns a matrix takes on its row: its own, or more when its label (or, for a parameter,
    its updated version's label below it) is wider, so no label is cut by the next matrix."""
    names = [name] + ([name + "_next"] if name + "_next" in shapes else [])
    label = max(_label_width(n, shapes[n]) for n in names)
    cols = shapes[name][1]
    return max(cols, math.ceil((label - GAP) / width))


def _wrap_band(band, shapes, width, budget, wide):
    """Split a band into rows of (name, col) no wider than ``budget`` characters.

    ``wide`` holds the matrix columns of the rows above: a matrix here avoids their narrow gap
    columns, so a gap stays narrow and the board no wider than it must be.
    """
    rows, row, col, taken, mine = [], [], 1, set(wide), set()
    for name in band:
        span = _span(name, shapes, width)
        start = _free(col, span, taken)
        cols = set(range(start, start + span))
        if row and _extent(taken | mine | cols, width) > budget:
            rows.append(row)
            taken |= mine
            row, mine = [], set()
            start = _free(1, span, taken)
            cols = set(range(start, start + span))
        row.append((name, start))
        mine |= cols
        col = start + span + 1
    return rows + [row]


def _free(col, span, wide) -> int:
    """The first column from ``col`` where ``span`` columns hold no narrow gap of ``wide``."""
    last = max(wide, default=0)
    while any(c <= last and c not in wide for c in range(col, col + span)):
        col += 1
    return col


def _extent(wide, width) -> float:
    """Characters across columns 1 to the last of ``wide``, the others narrow gaps."""
    last = max(wide)
    return len(wide) * width + (last - len(wide)) * GAP


def _below_parameters(band, titles, places):
    """The updated parameters as one row, each in the columns of the parameter it replaces;
    None when the parameters themselves were wrapped over several rows."""
    old = [name[:-len("_next")] for name in band]
    if len({titles[o][0] for o in old}) != 1:
        return None
    return [[(name, places[o][1]) for name, o in zip(band, old)]]


def number_width(updates, decimals: int) -> float:
    """The one width of every matrix column: the longest number shown, plus a margin."""
    longest = 0
    for u in updates:
        places = number_places(u, decimals)
        for name, v in u.values.items():
            for i, j in np.ndindex(v.shape):
                longest = max(longest, len(ex.number_text(v[i, j], places(ex.Ref(name, i, j)))))
    return float(max(decimals + 5, longest + 1))


def make_board(update: Update, top: int, decimals: int, updates=None, memo: dict | None = None) -> Board:
    """Place every matrix of ``update`` in bands starting at row ``top``.

    Every matrix column has one width, wide enough for every number of ``updates`` (all the
    updates drawn on this board; default ``update`` alone).  Bands wrap onto further rows at
    the width that prints the step largest on one landscape page; when even that is too small
    to read, at the page's width, and the step prints on several pages.  Updated parameters
    sit in the columns of the parameters they replace, right below them, when the parameters
    fit on one row.  ``memo`` (a dict the books of one run share) keeps the wrapping chosen
    for each shape of board, so a run searches for it once, not once a book.
    """
    shapes = {name: v.shape for name, v in update.values.items()}
    width = number_width(updates or [update], decimals)
    key = (tuple(sorted(shapes.items())), width, top)
    if memo is None or key not in memo:
        chosen = _wrapping(update, shapes, top, width)
        if memo is None:
            return _board(update, shapes, top, width, *chosen)
        memo[key] = chosen
    return _board(update, shapes, top, width, *memo[key])


def _wrapping(update, shapes, top, width) -> tuple[float, bool]:
    """(budget, on one page): the width a board's rows wrap at, and whether it prints the step
    on one page (else on several, at full size)."""
    narrowest = max(_span(n, shapes, width) for n in shapes) * width
    best = None
    for budget in range(int(narrowest), int(narrowest) + 400, 5):
        board = _place(update, shapes, top, width, budget)
        rows = max(r for r, _ in board.places.values()) + max(s[0] for s in shapes.values())
        scale = page_scale(board.widths, 15.0 * rows)
        if best is None or scale > best[0] + 1e-9:
            best = (scale, budget)
    scale, budget = best
    if scale < MIN_SCALE:
        return (PAGE_POINTS[0] - 3.75) / 5.25 * 0.9, False
    return budget, True


def _board(update, shapes, top, width, budget, one_page) -> Board:
    board = _place(update, shapes, top, width, budget)
    board.one_page = one_page
    return board


def page_breaks(starts, last: int, heights: dict, header: int) -> list[int]:
    """Rows where a printed page of a sheet starts (``starts``: the rows where a line of
    matrices begins; ``last``: the sheet's last row; ``heights``: row heights in points, 15 by
    default), so that a page ends between two lines of matrices rather than inside one (a
    matrix taller than a page is still split).  Every page after the first repeats rows 1 to
    ``header``, the step and its arithmetic."""
    def points(first, end):
        return sum(heights.get(r, 15.0) for r in range(first, end))
    room = PAGE_POINTS[1] - 30.0  # a little to spare: rows print a touch taller than their height
    repeated = points(1, header + 1)
    breaks, page, above = [], 1, 0.0
    for start, end in zip(starts, starts[1:] + [last + 1]):
        if start > page and above + points(page, end) > room:
            breaks.append(start)
            page, above = start, repeated
    return breaks


def _place(update, shapes, top, width, budget) -> Board:
    places, titles, widths = {}, {}, {}
    row = top
    for k, band in enumerate(bands(update.plan)):
        lines = (k == 3 and _below_parameters(band, titles, places)) or _wrap_band(band, shapes, width, budget,
                                                                                   set(widths))
        for line in lines:
            for name, col in line:
                titles[name] = (row, col)
                places[name] = (row + 2, col)  # title row, then column names or shape
                for c in range(col, col + _span(name, shapes, width)):
                    widths[c] = width
            row += 2 + max(shapes[name][0] for name, _ in line) + 1
    for c in range(1, max(widths) + 1):
        widths.setdefault(c, GAP)
    return Board(places, titles, widths, max(widths))


def number_places(update: Update, decimals: int):
    """``places(ref)``: the decimals cell ``ref`` of ``update`` shows.  The data's whole numbers
    none; every other number at least ``decimals`` and 3 significant digits.  A parameter and
    its update (``wh[1,1]`` and ``wh_next[1,1]``) show the same decimals, as many as it takes
    to read differently: so a reader sees each weight move, in the direction it moved, and the
    numbers of an update's arithmetic line add up to its result."""
    whole = {}

    def places(ref: ex.Ref) -> int:
        if ref.name not in whole:
            v = update[ref.name]
            whole[ref.name] = update.spec(ref.name).step == "1" and bool(np.all(v == np.round(v)))
        if whole[ref.name]:
            return 0
        old = ref.name[:-len("_next")] if ref.name.endswith("_next") else ref.name
        if old + "_next" not in update.values:
            return ex.places_for(update.cell_value(ref), decimals)
        before = update.cell_value(ex.Ref(old, ref.row, ref.col))
        after = update.cell_value(ex.Ref(old + "_next", ref.row, ref.col))
        return max(ex.places_for(after, decimals, before), ex.places_for(before, decimals))

    return places


def focus_cell(shape, focus) -> tuple[int, int]:
    """The 0-based cell of a matrix of ``shape`` that 1-based ``focus`` names, clipped to it."""
    return min(focus[0], shape[0]) - 1, min(focus[1], shape[1]) - 1
