"""Trails: for every matrix cell of an update, the cells it is computed from and what a page
says about it, so an interactive page can make any cell the focus without doing any maths.

Derived from the same records as the sheets: the inputs are ``expr.refs`` of the cell's
expression (the orange cells), the lines are those a step sheet writes for its focus cell.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as ex
from ..i18n import english
from .book import epoch_context
from .steps import cell_lines


@dataclass(frozen=True)
class Trail:
    """One matrix cell: ``ref`` itself, the cells it reads (``inputs``, none for a given
    matrix) and the two lines a sheet writes about it (formula in symbols, arithmetic)."""
    ref: ex.Ref
    inputs: tuple
    lines: tuple


def update_trails(update, decimals: int, t=english) -> dict:
    """{Ref: Trail} for every cell of every matrix of ``update`` (its words translated by ``t``)."""
    out = {}
    for name, values in update.values.items():
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                e = update.cell_expr(name, i, j)
                ref = ex.Ref(name, i, j)
                out[ref] = Trail(ref, tuple(ex.refs(e)) if e is not None else (),
                                 cell_lines(update, name, i, j, decimals, t=t))
    return out


@dataclass(frozen=True)
class EpochTrails:
    """An epoch's trails for a page: ``board`` (where each matrix sits on every step sheet),
    ``updates`` (sheet name → update index) and ``cells`` (update index → {Ref: Trail})."""
    board: object
    updates: dict
    cells: dict


def epoch_trails(trace, epoch, options, updates=None, boards: dict | None = None) -> EpochTrails:
    """The trails of ``epoch`` (or only of its ``updates``, a list of indices) as its workbook
    places them (``options`` and ``boards`` as for ``epoch_book``)."""
    ctx = epoch_context(trace, epoch, options, boards=boards)
    chosen = [u for u in epoch.updates if updates is None or u.index in updates]
    return EpochTrails(ctx.board, {name: u for (u, _), name in ctx.sheets.names.items()},
                       {u.index: update_trails(u, options.decimals, ctx.t) for u in chosen})
