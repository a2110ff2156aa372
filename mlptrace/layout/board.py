"""The board: one fixed place per matrix of the update, the same on every step sheet of a
workbook, so flipping through the sheets reads like the article's sequence of pictures."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as ex
from ..trace import Update


@dataclass
class Board:
    """Fixed places of every matrix: ``places[name]`` is the (row, col) of its cell [0, 0]."""
    places: dict
    titles: dict
    widths: dict
    last_col: int

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


MAX_BOARD_COLUMNS = 24  # wider boards wrap onto further rows, so a printed page stays readable


def _wrap_band(band, shapes, limit):
    """Split a band into rows of (name, col) that fit in ``limit`` columns."""
    rows, row, col = [], [], 1
    for name in band:
        cols = shapes[name][1]
        if row and col + cols - 1 > limit:
            rows.append(row)
            row, col = [], 1
        row.append((name, col))
        col += cols + 1
    return rows + [row]


def _below_parameters(band, titles, places):
    """The updated parameters as one row, each in the columns of the parameter it replaces;
    None when the parameters themselves were wrapped over several rows."""
    old = [name[:-len("_next")] for name in band]
    if len({titles[o][0] for o in old}) != 1:
        return None
    return [[(name, places[o][1]) for name, o in zip(band, old)]]


def make_board(update: Update, top: int, decimals: int) -> Board:
    """Place every matrix of ``update`` in bands starting at row ``top``.

    Updated parameters sit in the columns of the parameters they replace, right below them,
    when the parameters fit on one row.
    """
    shapes = {name: v.shape for name, v in update.values.items()}
    number_width = decimals + 5
    places, titles, widths = {}, {}, {}
    row = top
    limit = max(MAX_BOARD_COLUMNS, max(s[1] for s in shapes.values()))
    for k, band in enumerate(bands(update.plan)):
        lines = (k == 3 and _below_parameters(band, titles, places)) or _wrap_band(band, shapes, limit)
        for line in lines:
            for name, col in line:
                rows, cols = shapes[name]
                titles[name] = (row, col)
                places[name] = (row + 2, col)  # title row, then column names or shape
                need = (len(matrix_title(name, shapes[name])) * 0.9 + 1) / cols  # labels are 10 pt
                for c in range(col, col + cols):
                    widths[c] = max(widths.get(c, 0), number_width, need)
            row += 2 + max(shapes[name][0] for name, _ in line) + 1
    for c in range(1, max(widths) + 1):
        widths.setdefault(c, 2.5)  # the gaps between matrices
    return Board(places, titles, widths, max(widths))


def focus_cell(shape, focus) -> tuple[int, int]:
    """The 0-based cell of a matrix of ``shape`` that 1-based ``focus`` names, clipped to it."""
    return min(focus[0], shape[0]) - 1, min(focus[1], shape[1]) - 1
