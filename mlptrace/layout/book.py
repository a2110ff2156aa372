"""A whole epoch workbook: the overview, then every step of every update."""
from __future__ import annotations

from .board import make_board
from .cells import Book
from .overview import overview_sheet
from .steps import SheetNames, SheetOptions, header_rows, step_sheet


def epoch_book(trace, epoch, *, focus=(1, 1), decimals=3, formulas=True, copy=None) -> Book:
    """The workbook of one recorded epoch: the overview, then every step of every update.

    ``copy`` is None for the normal workbook, "exercise" for the student copy (focus cells
    blank, plain numbers elsewhere, so nothing recomputes around a blank) or "key" for its
    answer key.
    """
    exercise = copy == "exercise"
    formulas = formulas and not exercise
    steps = trace.plan.steps
    sheets = SheetNames.of(epoch.updates, steps)
    first = epoch.updates[0]  # the largest batch: its board fits every update
    board = make_board(first, header_rows(first) + 1, decimals)
    out = [overview_sheet(trace, epoch, sheets, decimals=decimals, formulas=formulas, copy=copy)]
    options = SheetOptions(focus, decimals, formulas, trace.data.input_names, trace.data.target_names, exercise)
    for u in epoch.updates:
        for s in steps:
            out.append(step_sheet(u, s, board, sheets, epoch=epoch.epoch, n_updates=len(epoch.updates),
                                  options=options))
    return Book(out, decimals)
