"""How large a run's workbooks will be, known before any training, and the limits they must keep.

Every recorded epoch is one workbook: an overview and, for every update of the epoch, one sheet
per step, each holding the board up to that step.  Its size follows from the data's shape, the
batch size and the hidden layer sizes alone, so a run that a spreadsheet cannot hold, or that
would need gigabytes of memory to write, is refused at once with what to change.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import MAX_COLS, MAX_ROWS, MlptraceError
from .layout.board import bands
from .trace import Plan

#: the budget of one workbook: written sheet by sheet, one costs about 300 bytes of memory per
#: cell (10,000 rows of 4 inputs, 1.9 million cells, peaked at 548 MB), so this keeps a run's
#: peak under about 800 MB; and sheets, each a page, beyond which a handout is no handout
MAX_CELLS = 2_500_000
MAX_SHEETS = 1_000
#: the rows above the board on a step sheet (title, sentence, formula, arithmetic), at least
HEADER_ROWS = 4


@dataclass(frozen=True)
class Size:
    """One epoch workbook: ``sheets``; at least ``rows`` and ``cols`` on its largest sheet;
    ``cells`` (matrix numbers, about what the writer holds)."""
    sheets: int
    rows: int
    cols: int
    cells: int


def _shapes(plan: Plan, batch: int) -> dict[str, tuple[int, int]]:
    """The shape of every matrix of one update of ``batch`` samples."""
    sizes, shapes = plan.sizes, {"X": (batch, plan.sizes[0]), "y": (batch, plan.sizes[-1]), "lr": (1, 1)}
    for n, fan_in, fan_out in zip(plan.names, sizes[:-1], sizes[1:]):
        shapes.update({n.W: (fan_in, fan_out), n.b: (1, fan_out),
                       n.W + "_next": (fan_in, fan_out), n.b + "_next": (1, fan_out)})
        shapes.update({name: (batch, fan_out) for name in (n.z, n.a, n.error, n.slope, n.delta)})
    return shapes


def estimate(samples: int, inputs: int, outputs: int, hidden, batch_size: int | None) -> Size:
    """The size of each epoch workbook of a run on ``samples`` × (``inputs`` + ``outputs``)
    data with ``hidden`` layer sizes and ``batch_size`` (None: all)."""
    plan = Plan([inputs, *hidden, outputs])
    batch = samples if batch_size is None else min(batch_size, samples)
    updates = math.ceil(samples / batch)
    shapes = _shapes(plan, batch)
    # at least: each band's tallest matrix below its title rows (wrapping adds rows), and the
    # widest matrix (never split); a sheet beyond these is certainly too large
    rows = HEADER_ROWS + sum(3 + max(shapes[name][0] for name in band) for band in bands(plan))
    cols = max(c for _, c in shapes.values())
    full, rest = divmod(samples, batch)  # the last batch is smaller
    cells = full * _cells(plan, batch) + (_cells(plan, rest) if rest else 0)
    return Size(sheets=1 + updates * len(plan.steps), rows=rows, cols=cols, cells=cells)


def _cells(plan: Plan, batch: int) -> int:
    """The numbers on the step sheets of one update of ``batch`` samples."""
    shapes = _shapes(plan, batch)
    shown, cells = 0, 0
    for step in plan.steps:  # a step sheet shows every matrix computed so far
        shown += sum(r * c for r, c in (shapes[name] for name in step.computes))
        cells += shown
    return cells


def of_trace(trace) -> Size:
    """The size of each epoch workbook of a trained ``trace``."""
    return estimate(*trace.data.X.shape, trace.data.y.shape[1], trace.config.hidden, trace.config.batch_size)


def check(size: Size, at_once: int = 1) -> None:
    """Raise MlptraceError, naming the limit and what to change, for workbooks beyond a
    spreadsheet's limits or beyond the budget of MAX_CELLS cells (shared by the ``at_once``
    workbooks that parallel workers make) and MAX_SHEETS sheets."""
    if size.rows > MAX_ROWS:
        raise MlptraceError(f"a step sheet would need about {size.rows:,} rows, more than the {MAX_ROWS:,} "
                            "a spreadsheet has: use fewer rows of data or a smaller --batch-size")
    if size.cols > MAX_COLS:
        raise MlptraceError(f"a step sheet would need {size.cols:,} columns, more than the {MAX_COLS:,} "
                            "a spreadsheet has: use fewer columns of data or smaller --hidden layers")
    if size.sheets > MAX_SHEETS:
        raise MlptraceError(f"each workbook would have {size.sheets:,} sheets (one per step of every update), "
                            f"more than {MAX_SHEETS:,}: use a larger --batch-size or fewer rows of data")
    if size.cells * at_once > MAX_CELLS:
        together = f" ({at_once} written at once by --variants)" if at_once > 1 else ""
        raise MlptraceError(f"each workbook would hold about {size.cells:,} numbers{together}, more than the "
                            f"{MAX_CELLS:,} that keep writing within about 1 GB of memory: "
                            "use fewer rows of data or smaller --hidden layers")
