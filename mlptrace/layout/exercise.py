"""Exercise copies: which cells are the student's answers, and what the copies say about them."""
from __future__ import annotations

from .. import expr as ex
from ..trace import Given
from .board import focus_cell
from .cells import quoted


def answers(update, focus) -> set:
    """The cells of an update that are exercise answers: the focus cell of every computed
    matrix and, from the second update on, of every parameter (the previous update's answer)."""
    return {ex.Ref(n, *focus_cell(update[n].shape, focus)) for n, spec in update.plan.specs.items()
            if not isinstance(spec.op, Given) or (update.index > 1 and n + "_next" in update.plan.specs)}


def answer_sources(update, board, sheets, focus) -> dict:
    """{address: (matrix, the student's cell it shows)} for an exercise's answers on a sheet."""
    out = {}
    for r in answers(update, focus):
        if isinstance(update.spec(r.name).op, Given):  # a parameter: the last update's answer
            nxt = r.name + "_next"
            home, src = sheets(update.index - 1, update.plan.specs[nxt].step), ex.Ref(nxt, r.row, r.col)
        else:
            home, src = sheets(update.index, update.spec(r.name).step), r
        out[board.address(r)] = (r.name, f"{quoted(home)}!{ex.cell_name(*board.address(src))}")
    return out


EXERCISE_NOTE = (
    "Exercise: on every step sheet the yellow cells are empty. Compute each one by hand from the "
    "orange cells, following the formula above the board, and type your number in. The cell turns "
    "green when your number is within 0.005 of the right one, red otherwise. Later sheets show the "
    "numbers you typed; each check compares with the right answer, so correct your reds first.")
KEY_NOTE = "Answer key: every cell filled in; the yellow cells hold the answers of the exercise copy."
