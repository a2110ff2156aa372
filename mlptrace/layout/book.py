"""A whole epoch workbook: the overview, then every step of every update."""
from __future__ import annotations

from ..i18n import catalogue
from .board import make_board
from .cells import Book
from .exercise import Student
from .overview import overview_sheet
from .steps import Context, SheetNames, header_rows, step_sheet


def epoch_book(trace, epoch, options, copy=None, student=None, one_by_one: bool = False,
               boards: dict | None = None) -> Book:
    """The workbook of one recorded epoch: the overview, then every step of every update.

    ``options`` is the run's OutputConfig; ``copy`` is None for the normal workbook,
    "exercise" for the student copy (focus cells blank, plain numbers elsewhere, so nothing
    recomputes around a blank) or "key" for its answer key; ``student`` (exercise.Student) says
    whose copy it is (default: variant 1 of 1, no name).  ``one_by_one`` makes each step sheet
    only when the writer reaches it (the book's ``names`` say what comes), so a large epoch
    never holds all its sheets at once.  ``boards``: a dict the books of one run share
    (``make_board``'s memo).
    """
    if copy and student is None:
        student = Student(1, 1)
    ctx = epoch_context(trace, epoch, options, copy, student, boards)
    steps = trace.plan.steps
    overview = overview_sheet(ctx)
    names = (overview.name, *(ctx.sheets(u.index, s.id) for u in epoch.updates for s in steps))

    def sheets():
        yield overview
        for u in epoch.updates:
            for s in steps:
                yield step_sheet(u, s, ctx)
    header, protect = (student.header(ctx.t) if copy else None), copy == "exercise"
    if one_by_one:
        return Book(sheets(), options.decimals, options.lang, header, protect, names)
    return Book(list(sheets()), options.decimals, options.lang, header, protect)


def epoch_context(trace, epoch, options, copy=None, student=None, boards: dict | None = None) -> Context:
    """What every sheet of an epoch's workbook shares: above all the board, the same for all."""
    first = epoch.updates[0]  # the largest batch: its board fits every update
    board = make_board(first, header_rows(first) + 1, options.decimals, epoch.updates, boards)
    names = SheetNames.of(epoch.updates, trace.plan.steps, catalogue(options.lang))
    return Context(trace, epoch, board, names, options, copy, student)
