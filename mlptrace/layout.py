"""Where every number and word goes: pure cells with roles, no colours, no files.

A sheet is a list of ``Cell``s in spreadsheet coordinates (1-based row and column), each with a
*role* ("focus", "input", "value", "label", …) that the writer maps to a style.  The board — one
fixed place per matrix of the update — is the same on every step sheet of a workbook, so
flipping through the sheets reads like the article's sequence of pictures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import expr as ex
from .trace import Given, Update

ARTICLE_SLIPS = (
    "Two slips in the article's prose, not in its code: the step-8 picture multiplies d_output by lr "
    "(the code does not; lr enters only in steps 11 and 12), and the step-12 text updates bh with the "
    "output delta (the code, and mlptrace, use d_hiddenlayer). These workbooks follow the code.")


@dataclass(frozen=True)
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
    answer: float | None = None  # exercise blanks: the number the student should find
    whole: bool = False          # a number of a matrix of whole numbers (the data): no decimals
    url: str | None = None       # a file this cell opens (relative path)


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


@dataclass
class Sheet:
    """A sheet's cells, charts, column widths (characters), row heights (points) and how it
    prints (``one_page``: the whole sheet on one page, else one page wide; ``hidden``: not at all)."""
    name: str
    cells: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)
    heights: dict = field(default_factory=dict)
    charts: list = field(default_factory=list)
    one_page: bool = False
    hidden: bool = False  # data behind charts: kept in the file, not shown or printed

    def add(self, *cells: Cell) -> None:
        self.cells.extend(cells)

    def text_row(self, row: int, text: str, role: str, span: int) -> None:
        """A wrapped line of text across ``span`` columns, with a height that fits it."""
        width = sum(self.widths.get(c, 9) for c in range(1, span + 1))
        lines = max(1, math.ceil(len(text) * 1.1 / max(width, 1)))
        self.add(Cell(row, 1, text, role, span=span))
        self.heights[row] = 15.0 * lines + 2 if lines > 1 else self.heights.get(row, 15.0)


@dataclass
class Book:
    """A workbook: sheets in order and the number of decimals to display."""
    sheets: list
    decimals: int


# ---------------------------------------------------------------- the board


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


def _title(name, shape) -> str:
    """The label above a matrix: its name; X and y (short names) carry their shape too."""
    return f"{name}  ({shape[0]}×{shape[1]})" if name in ("X", "y") else name


def _shape(shape) -> str:
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
                need = (len(_title(name, shapes[name])) * 0.9 + 1) / cols  # labels are 10 pt
                for c in range(col, col + cols):
                    widths[c] = max(widths.get(c, 0), number_width, need)
            row += 2 + max(shapes[name][0] for name, _ in line) + 1
    for c in range(1, max(widths) + 1):
        widths.setdefault(c, 2.5)  # the gaps between matrices
    return Board(places, titles, widths, max(widths))


# ---------------------------------------------------------------- step sheets


@dataclass
class SheetNames:
    """The sheet name of every (update, step): prefixed "U2 " when an epoch has several updates."""
    names: dict

    @classmethod
    def of(cls, updates, steps) -> "SheetNames":
        several = len(updates) > 1
        return cls({(u.index, s.id): (f"U{u.index} " if several else "") + s.label
                    for u in updates for s in steps})

    def __call__(self, update: int, step: str) -> str:
        return self.names[(update, step)]


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _given_formula(name, i, j, update, board, sheets, sheet):
    """A given matrix's cell: a value where it first appears, else a reference back to that."""
    spec = update.spec(name)
    home = sheets(update.index, spec.step)
    if sheet != home:
        return f"{_quoted(home)}!{ex.cell_name(*board.address(ex.Ref(name, i, j)))}"
    if update.index > 1 and name == "lr":
        return f"{_quoted(sheets(1, spec.step))}!{ex.cell_name(*board.address(ex.Ref(name, i, j)))}"
    if update.index > 1 and spec.step == "2":
        # this update starts from the previous update's results: chain to them, so a change
        # in the first update's weights flows through the whole epoch
        nxt = name + "_next"
        src = sheets(update.index - 1, update.plan.specs[nxt].step)
        return f"{_quoted(src)}!{ex.cell_name(*board.address(ex.Ref(nxt, i, j)))}"
    return None


def _focus(shape, focus) -> tuple[int, int]:
    return min(focus[0], shape[0]) - 1, min(focus[1], shape[1]) - 1


def _answers(update, focus) -> set:
    """The cells of an update that are exercise answers: the focus cell of every computed
    matrix and, from the second update on, of every parameter (the previous update's answer)."""
    return {ex.Ref(n, *_focus(update[n].shape, focus)) for n, spec in update.plan.specs.items()
            if not isinstance(spec.op, Given) or (update.index > 1 and n + "_next" in update.plan.specs)}


def _answer_sources(update, board, sheets, focus) -> dict:
    """{address: (matrix, the student's cell it shows)} for an exercise's answers on a sheet."""
    out = {}
    for r in _answers(update, focus):
        if isinstance(update.spec(r.name).op, Given):  # a parameter: the last update's answer
            nxt = r.name + "_next"
            home, src = sheets(update.index - 1, update.plan.specs[nxt].step), ex.Ref(nxt, r.row, r.col)
        else:
            home, src = sheets(update.index, update.spec(r.name).step), r
        out[board.address(r)] = (r.name, f"{_quoted(home)}!{ex.cell_name(*board.address(src))}")
    return out


def _step_lines(update, step, focus, decimals, exercise=False):
    """The step's text lines: its formula in symbols and its focus cell's arithmetic.  In an
    exercise copy the result is "?" and other answers are written by name, so no line gives
    away an answer the student is asked for on this sheet or an earlier one."""
    by_name = _answers(update, focus) if exercise else frozenset()
    lines = []
    for name in step.computes:
        spec = update.spec(name)
        shape = update[name].shape
        if isinstance(spec.op, Given):
            lines.append((f"{spec.op.symbols(name, spec.operands)}  ({shape[0]}×{shape[1]})", "formula_text"))
            continue
        i, j = _focus(shape, focus)
        e = update.cell_expr(name, i, j)
        arithmetic = ex.ArithmeticRenderer(update.cell_value, decimals, by_name).render(e)
        result = "?" if exercise else ex.number_text(update[name][i, j], decimals)
        lines.append((spec.op.symbols(name, spec.operands), "formula_text"))
        lines.append((f"{name}[{i + 1},{j + 1}] = {arithmetic} = {result}", "arithmetic"))
    return lines


def header_rows(update) -> int:
    """Rows above the board: title, sentence, the longest step's lines, a blank row."""
    most = max(sum(1 if isinstance(update.spec(n).op, Given) else 2 for n in s.computes)
               for s in update.plan.steps)
    return 2 + most + 1


@dataclass(frozen=True)
class SheetOptions:
    """What every step sheet of a workbook shares: highlighted cell, decimals, live formulas,
    the column names of X and y, and whether it is the student's exercise copy."""
    focus: tuple = (1, 1)
    decimals: int = 3
    formulas: bool = True
    input_names: tuple = ()
    target_names: tuple = ()
    exercise: bool = False


def step_sheet(update: Update, step, board: Board, sheets: SheetNames, *, epoch: int,
               n_updates: int, options: SheetOptions = SheetOptions()) -> Sheet:
    """The sheet of one step of one update: header lines, then the board up to this step.

    In an exercise copy (``options.exercise``) the focus cells are empty for the student (role
    "blank", with the answer attached for checking) and the arithmetic hides its results.
    """
    sheet = Sheet(sheets(update.index, step.id), widths=dict(board.widths), one_page=True)
    where = f"epoch {epoch}"
    if n_updates > 1:
        where += f", update {update.index} of {n_updates} ({_samples(update.samples)})"
    sheet.add(Cell(1, 1, f"Step {step.label} — {where}", "title"))
    sheet.heights[1] = 21.0
    sheet.text_row(2, step.says, "text", board.last_col)
    for k, (text, role) in enumerate(_step_lines(update, step, options.focus, options.decimals, options.exercise)):
        sheet.add(Cell(3 + k, 1, text, role))
    order = [s.id for s in update.plan.steps]
    roles = _highlights(update, step, board, options.focus)
    answers = _answer_sources(update, board, sheets, options.focus) if options.exercise else {}
    for name, spec in update.plan.specs.items():
        if order.index(spec.step) <= order.index(step.id):  # a matrix shows from its step on
            _add_matrix(sheet, update, name, board, sheets, roles, options, answers)
    return sheet


def _highlights(update, step, board, focus) -> dict:
    """{address: "focus" | "input"}: each computed matrix's focus cell and the cells it reads."""
    computing = [] if step.phase == "given" else list(step.computes)
    cells = {n: _focus(update[n].shape, focus) for n in computing}
    roles = {board.address(r): "input" for n, (i, j) in cells.items() for r in ex.refs(update.cell_expr(n, i, j))}
    roles.update({board.address(ex.Ref(n, i, j)): "focus" for n, (i, j) in cells.items()})
    return roles


def _add_matrix(sheet, update, name, board, sheets, roles, options, answers) -> None:
    """One matrix on the board: its label, column names or shape, and its cells.

    In an exercise copy each answer cell (``answers``: address → (matrix, source)) is blank on
    its own step's sheet and, on later sheets, shows what the student typed there.
    """
    values = update[name]
    top, left = board.titles[name]
    sheet.add(Cell(top, left, _title(name, values.shape), "label"))
    if name in ("X", "y"):
        labels = options.input_names if name == "X" else options.target_names
        sheet.add(*(Cell(top + 1, left + c, label, "header") for c, label in enumerate(labels)))
    else:
        sheet.add(Cell(top + 1, left, _shape(values.shape), "shape"))
    given = isinstance(update.spec(name).op, Given)
    # the data (usually 0s and 1s) without decimals; a weight that happens to be whole keeps
    # them, so a student who types 0.5 over it sees 0.500, not 1
    whole = update.spec(name).step == "1" and bool(np.all(values == np.round(values)))
    render = ex.FormulaRenderer(board.address, update.cell_value)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            addr = board.address(ex.Ref(name, i, j))
            role = roles.get(addr, "value")
            if options.exercise and role == "focus":
                sheet.add(Cell(*addr, None, "blank", answer=float(values[i, j]), whole=whole))
                continue
            if answers.get(addr, (None,))[0] == name:
                mine = answers[addr][1]  # the student's own number, empty until typed there
                sheet.add(Cell(*addr, None, role, f'IF(ISBLANK({mine}),"",{mine})', whole=whole))
                continue
            formula = None
            if options.formulas:
                formula = (_given_formula(name, i, j, update, board, sheets, sheet.name) if given
                           else render.render(update.cell_expr(name, i, j)))
            sheet.add(Cell(*addr, float(values[i, j]), role, formula, whole=whole))


def _samples(samples) -> str:
    """The samples an update used, 1-based, ranges folded: "sample 4", "samples 1–3, 7"."""
    nums = [s + 1 for s in samples]
    parts, start = [], 0
    for k in range(1, len(nums) + 1):
        if k == len(nums) or nums[k] != nums[k - 1] + 1:
            a, b = nums[start], nums[k - 1]
            parts.append(f"{a}–{b}" if b > a + 1 else f"{a}, {b}" if b == a + 1 else f"{a}")
            start = k
    return ("sample " if len(nums) == 1 else "samples ") + ", ".join(parts)


# ---------------------------------------------------------------- overview


def overview_facts(trace, decimals=3, epoch=None, formulas=None) -> list[tuple[str, object]]:
    """The run's settings as (key, value) rows, with ``epoch``'s loss when one is given and how
    numbers are shown when ``formulas`` says whether the cells are live."""
    cfg, data, plan = trace.config, trace.data, trace.plan
    n_samples = data.X.shape[0]
    batch = cfg.batch_size if cfg.batch_size and cfg.batch_size < n_samples else None
    facts = [
        ("Data", f"{data.name}: {n_samples} samples, inputs {', '.join(data.input_names)}; "
                 f"targets {', '.join(data.target_names)}"),
        ("Network", " → ".join(map(str, plan.sizes)) + "  (inputs → hidden → outputs)"),
        ("Activations", f"hidden {plan.hidden}, output {plan.output}"),
        ("Learning rate lr", cfg.lr),
        ("Epochs trained", cfg.epochs),
        ("Gradient descent", (("stochastic (SGD): one update per sample" if batch == 1 else
                               f"mini-batches of {batch} samples, one update each")
                              + (", reshuffled every epoch" if cfg.shuffle else ", in order"))
         if batch else f"full batch: one update per epoch on all {n_samples} samples"),
        ("Starting weights", trace.start),
        ("Seed", cfg.seed),
    ]
    if epoch is not None:
        facts.append(("This epoch's loss ½·ΣE²", epoch.loss))
    facts += [
        ("Loss at epoch 1", float(trace.loss[0])),
        (f"Loss at epoch {cfg.epochs} (last)", float(trace.loss[-1])),
    ]
    if formulas is not None:
        facts.append(("Numbers", f"stored at full precision, shown with {decimals} decimals"
                                 + ("; every computed cell is a live formula" if formulas else "; plain values")))
    return facts


EXERCISE_NOTE = (
    "Exercise: on every step sheet the yellow cells are empty. Compute each one by hand from the "
    "orange cells, following the formula above the board, and type your number in. The cell turns "
    "green when your number is within 0.005 of the right one, red otherwise. Later sheets show the "
    "numbers you typed; each check compares with the right answer, so correct your reds first.")
KEY_NOTE = "Answer key: every cell filled in; the yellow cells hold the answers of the exercise copy."


def overview_sheet(trace, epoch, sheets: SheetNames, *, decimals=3, formulas=True, copy=None) -> Sheet:
    """The first sheet: the run's settings, this epoch's loss, the legend, links to each step."""
    sheet = Sheet("Overview", widths={1: 26, 2: 16, 3: 100}, one_page=len(epoch.updates) == 1)
    plan = trace.plan
    facts = overview_facts(trace, decimals, epoch, formulas)
    kind = {"exercise": " — exercise", "key": " — answer key"}.get(copy, "")
    sheet.add(Cell(1, 1, f"mlptrace — epoch {epoch.epoch} of {trace.config.epochs}{kind}", "title"))
    sheet.heights[1] = 21.0
    sheet.text_row(2, "One training iteration of a multi-layer perceptron, step by step, as in the "
                      "article \"Understanding and coding neural networks from scratch\".", "text", 3)
    row = 4
    for key, value in facts:
        sheet.add(Cell(row, 1, key, "key"), Cell(row, 2, value, "fact", span=2))
        row += 1
    row += 1
    sheet.add(Cell(row, 1, "Colours", "subtitle"))
    sheet.add(Cell(row + 1, 1, "yellow", "focus"), Cell(row + 1, 2, "the cell being computed in this step", "fact", span=2))
    sheet.add(Cell(row + 2, 1, "orange", "input"), Cell(row + 2, 2, "the cells it is computed from", "fact", span=2))
    row += 4
    if copy:
        sheet.text_row(row, EXERCISE_NOTE if copy == "exercise" else KEY_NOTE, "text", 3)
        row += 2
    sheet.text_row(row, ARTICLE_SLIPS, "note", 3)
    row += 2
    sheet.add(Cell(row, 1, "Steps", "subtitle"))
    row += 1
    for u in epoch.updates:
        if len(epoch.updates) > 1:
            sheet.add(Cell(row, 1, f"Update {u.index}: {_samples(u.samples)}", "key"))
            row += 1
        for s in plan.steps:
            target = sheets(u.index, s.id)
            what = "; ".join(u.spec(n).op.symbols(n, u.spec(n).operands) for n in s.computes
                             if not isinstance(u.spec(n).op, Given)) or ", ".join(s.computes)
            sheet.add(Cell(row, 1, target, "link", link=target), Cell(row, 2, what, "fact", span=2))
            row += 1
    return sheet


# ---------------------------------------------------------------- a whole workbook


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
