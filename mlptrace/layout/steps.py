"""Step sheets: the header lines (title, sentence, formula in symbols, the focus cell's
arithmetic) and the board up to the step, with the focus cell and its inputs marked by role."""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as ex
from ..i18n import catalogue, english
from ..trace import Given, Update
from ..wording import step_sentences
from .board import Board, fits_one_page, focus_cell, page_breaks, matrix_title, number_places, shape_text
from .cells import Cell, Sheet, quoted
from .exercise import (ASKED, answer_sources, answers, asked_expr, asked_value, change_symbols, is_change,
                       shown_name, worked)


@dataclass
class SheetNames:
    """The sheet name of every (update, step): prefixed "U2 " when an epoch has several updates."""
    names: dict

    @classmethod
    def of(cls, updates, steps, t=english) -> "SheetNames":
        several = len(updates) > 1
        def name(u, s):
            return t("U{update} {step}", update=u.index, step=step_label(s, t)) if several else step_label(s, t)
        return cls({(u.index, s.id): name(u, s) for u in updates for s in steps})

    def __call__(self, update: int, step: str) -> str:
        return self.names[(update, step)]


def step_label(step, t=english) -> str:
    """A step's number and title in the reader's language: "3 Hidden layer input 2"."""
    return f"{step.id} {t(step.title)}{step.layer}"


def _given_formula(name, i, j, update, board, sheets, sheet, change=False):
    """A given matrix's cell: a value where it first appears, else a reference back to that."""
    spec = update.spec(name)
    home = sheets(update.index, spec.step)
    if sheet != home:
        return f"{quoted(home)}!{ex.cell_name(*board.address(ex.Ref(name, i, j)))}"
    if update.index > 1 and name == "lr":
        return f"{quoted(sheets(1, spec.step))}!{ex.cell_name(*board.address(ex.Ref(name, i, j)))}"
    if update.index > 1 and spec.step == "2":
        # this update starts from the previous update's results: chain to them, so a change
        # in the first update's weights flows through the whole epoch
        nxt = name + "_next"
        src = sheets(update.index - 1, update.plan.specs[nxt].step)
        later = f"{quoted(src)}!{ex.cell_name(*board.address(ex.Ref(nxt, i, j)))}"
        if change:  # a copy's board holds the change Δ there: the old weight plus it
            return f"{quoted(sheets(update.index - 1, spec.step))}!{ex.cell_name(*board.address(ex.Ref(name, i, j)))}+{later}"
        return later
    return None


class _Everything:
    """Every cell: the formula level writes every number of its arithmetic by name."""

    def __contains__(self, ref) -> bool:
        return True


def _places(update, ctx):
    """``places(ref)``: the decimals a cell shows (``number_places``); in a copy an update
    matrix holds the change Δ, shown with 3 significant digits at least."""
    places = number_places(update, ctx.decimals)
    if not ctx.copy:
        return places

    def copy_places(ref: ex.Ref) -> int:
        if is_change(ref.name):
            return ex.places_for(asked_value(update, ref.name, ref.row, ref.col), ctx.decimals)
        return places(ref)
    return copy_places


def _step_lines(update, step, ctx):
    """The step's text lines (text, role, formula): its formula in symbols and its focus cell's
    arithmetic, itself a formula in live workbooks so it follows an edited weight.

    In a copy (exercise or key) an update step shows the change Δ it computes.  In an exercise
    copy the result is "?" and other answers are written by name, so no line gives away an
    answer the student is asked for on this sheet or an earlier one; the formula level writes
    every number by name, the matrix level has no arithmetic line."""
    level, focus, t = ctx.level, ctx.focus, ctx.t
    by_name = (_Everything() if level == "formula" else answers(update, level, focus)) if ctx.exercise else frozenset()
    places = _places(update, ctx)
    live = ctx.formulas and ex.LiveArithmeticRenderer(ctx.board.address, update.cell_value, places, t)
    lines = []
    for name in step.computes:
        symbols = matrix_line(update, name, t)
        if isinstance(update.spec(name).op, Given):
            lines.append((symbols, "formula_text", None))
            continue
        change = bool(ctx.copy) and is_change(name)
        lines.append((change_symbols(name, symbols, t) if change else symbols, "formula_text", None))
        if ctx.exercise and level == "matrix":
            continue
        i, j = focus_cell(update[name].shape, focus)
        e = asked_expr(update, name, i, j) if change else update.cell_expr(name, i, j)
        head = f"{shown_name(name) if change else name}[{i + 1},{j + 1}]"
        arithmetic = ex.ArithmeticRenderer(update.cell_value, places, by_name, t).render(e)
        value = asked_value(update, name, i, j) if change else update[name][i, j]
        result = ASKED if ctx.exercise else ex.number_text(value, places(ex.Ref(name, i, j)))
        formula = live.line(head, e, ex.Ref(name, i, j)) if live else None
        lines.append((f"{head} = {arithmetic} = {result}", "arithmetic", formula))
    return lines


def matrix_line(update, name, t=english) -> str:
    """A matrix's formula in symbols; for a given matrix what it is, and its shape."""
    spec = update.spec(name)
    symbols = spec.op.symbols(name, spec.operands, t)
    if isinstance(spec.op, Given):
        return f"{symbols}  ({shape_text(update[name].shape)})"
    return symbols


def cell_lines(update, name, i, j, decimals, by_name=frozenset(), exercise=False, t=english) -> tuple[str, str]:
    """What a sheet says about cell (i, j) of ``name``: its matrix's line (``matrix_line``) and
    the cell's arithmetic written out with its numbers (the result "?" in an exercise); a
    given cell's second line is just its number.  Each number has the digits its cell shows."""
    places = number_places(update, decimals)
    value = "?" if exercise else ex.number_text(update[name][i, j], places(ex.Ref(name, i, j)))
    e = update.cell_expr(name, i, j)
    if e is None:
        return matrix_line(update, name, t), f"{name}[{i + 1},{j + 1}] = {value}"
    arithmetic = ex.ArithmeticRenderer(update.cell_value, places, by_name, t).render(e)
    return matrix_line(update, name, t), f"{name}[{i + 1},{j + 1}] = {arithmetic} = {value}"


def header_rows(update) -> int:
    """Rows above the board: title, sentence, the longest step's lines, a blank row."""
    most = max(sum(1 if isinstance(update.spec(n).op, Given) else 2 for n in s.computes)
               for s in update.plan.steps)
    return 2 + most + 1


@dataclass(frozen=True)
class Context:
    """What every sheet of one epoch workbook shares: the run, the epoch, where each matrix
    sits, each sheet's name, the output options (unchanged, as checked) and which copy this is
    (None: the workbook; "exercise": the student's copy; "key": its answer key)."""
    trace: object
    epoch: object
    board: Board
    sheets: SheetNames
    options: object
    copy: str | None = None
    student: object = None  # exercise.Student of a copy: its variant and the student's name

    @property
    def exercise(self) -> bool:
        return self.copy == "exercise"

    @property
    def level(self) -> str | None:
        """The exercise level of a copy (guided, formula, matrix); None for the workbook."""
        return self.options.exercise if self.copy else None

    @property
    def formulas(self) -> bool:
        """Live formulas, except in a student's copy: nothing recomputes around a blank."""
        return self.options.formulas and not self.exercise

    @property
    def focus(self) -> tuple:
        return self.options.focus

    @property
    def decimals(self) -> int:
        return self.options.decimals

    @property
    def t(self):
        """The translate function of the reader's language (``i18n.catalogue``)."""
        return catalogue(self.options.lang)


def step_sheet(update: Update, step, ctx: Context) -> Sheet:
    """The sheet of one step of one update: header lines, then the board up to this step.

    In an exercise copy the asked cells are empty for the student (role "blank", with the
    answer attached for checking) and the arithmetic hides its results; in its key the same
    cells hold the answers (role "focus", with the answer attached, so the key scores full marks).
    """
    board, n_updates = ctx.board, len(ctx.epoch.updates)
    sheet = Sheet(ctx.sheets(update.index, step.id), widths=dict(board.widths), one_page=board.one_page)
    t = ctx.t
    where = t("epoch {epoch}", epoch=ctx.epoch.epoch)
    if n_updates > 1:
        where += t(", update {index} of {count} ({samples})", index=update.index, count=n_updates,
                   samples=samples_text(update.samples, t))
    sheet.add(Cell(1, 1, t("Step {label} — {where}", label=step_label(step, t), where=where), "title"))
    sheet.heights[1] = 21.0
    plan = update.plan
    sheet.text_row(2, step_sentences(plan.hidden, plan.output, t)[step.kind], "text", board.last_col)
    lines = _step_lines(update, step, ctx)
    for k, (text, role, formula) in enumerate(lines):
        sheet.text_row(3 + k, text, role, board.last_col, formula)  # wrapped: printed whole
    order = [s.id for s in update.plan.steps]
    roles = _highlights(update, step, ctx)
    asked = _asked(update, step, ctx) if ctx.copy else set()
    mine = answer_sources(update, board, ctx.sheets, ctx.level, ctx.focus) if ctx.exercise else {}
    own = answers(update, ctx.level, ctx.focus) if ctx.exercise else frozenset()
    for name, spec in update.plan.specs.items():
        if order.index(spec.step) <= order.index(step.id):  # a matrix shows from its step on
            _add_matrix(sheet, update, name, ctx, roles, asked, mine, own)
    if not sheet.one_page:  # the whole board does not fit a page; the board up to this step may
        last = max(c.row for c in sheet.cells)
        sheet.one_page = fits_one_page(sheet.widths, sum(sheet.heights.get(r, 15.0) for r in range(1, last + 1)))
    if not sheet.one_page:  # several pages, each saying the step, its formula and arithmetic
        labels = {c.row for c in sheet.cells if c.role == "label"}
        starts = sorted({row for row, _ in board.titles.values()} & labels)  # the lines of matrices shown
        sheet.breaks = page_breaks(starts, last, sheet.heights, 2 + len(lines))
        sheet.titles = ((1, 2 + len(lines)), 0)
    return sheet


def _asked(update, step, ctx) -> set:
    """The board addresses this sheet asks for (an exercise's blanks, the key's answers)."""
    if step.phase == "given":
        return set()
    return {ctx.board.address(r) for r in answers(update, ctx.level, ctx.focus) if r.name in step.computes}


def _highlights(update, step, ctx) -> dict:
    """{address: "focus" | "input"}: each computed matrix's focus cell and the cells it reads
    (in a copy, the cells its change Δ reads)."""
    board, focus = ctx.board, ctx.focus
    computing = [] if step.phase == "given" else list(step.computes)
    cells = {n: focus_cell(update[n].shape, focus) for n in computing}
    expr = asked_expr if ctx.copy else (lambda u, n, i, j: u.cell_expr(n, i, j))
    roles = {board.address(r): "input" for n, (i, j) in cells.items() for r in ex.refs(expr(update, n, i, j))}
    roles.update({board.address(ex.Ref(n, i, j)): "focus" for n, (i, j) in cells.items()})
    return roles


def _add_matrix(sheet, update, name, ctx, roles, asked, answers, own=frozenset()) -> None:
    """One matrix on the board: its label, column names or shape, and its cells.

    ``asked``: the addresses this sheet asks for (blank in the exercise, the answer in the key);
    ``answers`` (exercise copies): address → (matrix, formula of the student's number) for
    answers asked on earlier sheets, which show what the student typed there; ``own`` (exercise
    copies): every answer cell of the update, as ``exercise.answers``.  In a copy an
    update matrix ``*_next`` shows its change Δ.
    """
    board, data = ctx.board, ctx.trace.data
    values = update[name]
    change = bool(ctx.copy) and is_change(name)
    top, left = board.titles[name]
    sheet.add(Cell(top, left, matrix_title(shown_name(name) if change else name, values.shape), "label"))
    if name in ("X", "y"):
        labels = data.input_names if name == "X" else data.target_names
        sheet.add(*(Cell(top + 1, left + c, label, "header") for c, label in enumerate(labels)))
    else:
        sheet.add(Cell(top + 1, left, shape_text(values.shape), "shape"))
    given = isinstance(update.spec(name).op, Given)
    render = ex.FormulaRenderer(board.address, update.cell_value)
    places = _places(update, ctx)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            addr = board.address(ex.Ref(name, i, j))
            # the data (usually 0s and 1s) without decimals; a weight that happens to be whole
            # keeps them, so a student who types 0.5 over it sees 0.500, not 1
            n = places(ex.Ref(name, i, j))
            role = roles.get(addr, "value")
            value = asked_value(update, name, i, j) if change else float(values[i, j])
            if addr in asked and ctx.exercise:
                check = worked(update, name, i, j, board, sheet.name, ctx.sheets, own, places)
                sheet.add(Cell(*addr, None, "blank", answer=value, whole=n == 0, places=n, worked=check))
                continue
            if answers.get(addr, (None,))[0] == name:
                sheet.add(Cell(*addr, None, role, answers[addr][1], whole=n == 0, places=n))
                continue
            formula = None
            if ctx.formulas:
                formula = (_given_formula(name, i, j, update, board, ctx.sheets, sheet.name, bool(ctx.copy)) if given
                           else render.render(asked_expr(update, name, i, j) if change
                                              else update.cell_expr(name, i, j)))
            sheet.add(Cell(*addr, value, "focus" if addr in asked else role, formula, whole=n == 0, places=n,
                           answer=value if addr in asked else None))


def samples_text(samples, t=english) -> str:
    """The samples an update used, 1-based, ranges folded: "sample 4", "samples 1–3, 7"."""
    nums = [s + 1 for s in samples]
    parts, start = [], 0
    for k in range(1, len(nums) + 1):
        if k == len(nums) or nums[k] != nums[k - 1] + 1:
            a, b = nums[start], nums[k - 1]
            parts.append(f"{a}–{b}" if b > a + 1 else f"{a}, {b}" if b == a + 1 else f"{a}")
            start = k
    if len(nums) == 1:
        return t("sample {numbers}", numbers=parts[0])
    return t("samples {numbers}", numbers=", ".join(parts))
