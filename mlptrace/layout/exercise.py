"""Exercise copies: which cells are the student's answers, what counts as right, and every word
the copies say about them (English texts kept here, in one place, marked for the catalogues).

Three levels (``--exercise LEVEL``): ``guided`` asks for the focus cell of every computed matrix
and writes its arithmetic out with the numbers; ``formula`` asks the same cells but writes the
arithmetic with cell names only (the student finds the numbers in the orange cells); ``matrix``
asks for every cell of every computed matrix, with the formula in symbols and no arithmetic.

An update step (11, 12) asks for the *change* Δ = (what the step computes)·lr, not for the new
parameter: a weight moves by a few hundred-thousandths, so the new weight agrees with the old one
to three significant digits and copying the orange old weight would pass for the answer.  The
board shows the Δ matrix in the place of ``*_next`` (in the key as well, so the key is the same
workbook with every answer filled in), and the sheet says ``wh_next = wh + Δwh``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import expr as ex
from ..i18n import N_, catalogue, english
from ..trace import Given
from .board import focus_cell
from .cells import quoted

#: significant digits an answer must match
SIGNIFICANT = 3


def tolerance(answer: float) -> float:
    """How far a typed number may be from ``answer`` and count as right: one unit in the answer's
    third significant digit (0.0123 for 1.2345 → ±0.01; 0.012332 → ±0.0001).

    The answer rounded to three significant digits is always within it; an orange number copied
    in its place, or 0, is not, unless it really agrees with the answer to three significant
    digits.  An answer that is exactly 0 (a ReLU) takes 0 only.  (A copy also takes a number
    within this of the answer worked out from the student's own right answers: ``worked``.)
    """
    if answer == 0 or not math.isfinite(answer):
        return 0.0
    unit = 10.0 ** (math.floor(math.log10(abs(answer))) - (SIGNIFICANT - 1))
    return unit * (1 + 1e-9)  # a typed number exactly one unit off is right, whatever the binary rounding


def is_right(typed, answer: float) -> bool:
    """Right against the answer itself (the writer turns this, and ``worked``, into formulas)."""
    return (isinstance(typed, (int, float)) and not isinstance(typed, bool)
            and abs(typed - answer) <= tolerance(answer))


@dataclass(frozen=True)
class Student:
    """Whose copy: variant ``number`` of ``count`` and, from a roster, the student's name."""
    number: int
    count: int
    name: str | None = None

    def label(self, t=english) -> str:
        """"Variant 07", in the reader's language."""
        return t("Variant {number}", number=f"{self.number:0{max(2, len(str(self.count)))}d}")

    def header(self, t=english) -> str:
        """The page header of every sheet of the copy."""
        return t("{variant}    Name: {name}", variant=self.label(t), name=self.name or "_" * 24)


def is_change(name: str) -> bool:
    """Whether the copies ask for the change Δ of this matrix rather than the matrix itself."""
    return name.endswith("_next")


def shown_name(name: str) -> str:
    """What a copy calls a matrix: ``Δwh`` for ``wh_next``, other names as they are."""
    return "Δ" + name[:-len("_next")] if is_change(name) else name


def asked_expr(update, name: str, i: int, j: int):
    """The expression of the number a copy shows (and asks) at (i, j) of ``name``: for an
    update, the change ``(Aᵀ·d)[i,j]·lr`` without the old weight; else the cell's own."""
    e = update.cell_expr(name, i, j)
    return e.right if is_change(name) else e


def asked_value(update, name: str, i: int, j: int) -> float:
    """The number a copy shows at (i, j) of ``name``: the change for an update, else numpy's
    value (both as numpy computed them)."""
    return float((update.change(name) if is_change(name) else update[name])[i, j])


def change_symbols(name: str, symbols: str, t=english) -> str:
    """``wh_next = wh + Xᵀ·d_hiddenlayer·lr`` as a copy writes it: the change first."""
    old = name[:-len("_next")]
    rest = symbols.split(f" = {old} + ", 1)[1]
    if old.startswith("b"):  # the article's names: weights w…, biases b…
        return t("Δ{old} = {rest}   (the new biases: {name} = {old} + Δ{old})", old=old, rest=rest, name=name)
    return t("Δ{old} = {rest}   (the new weights: {name} = {old} + Δ{old})", old=old, rest=rest, name=name)


def asked_cells(update, name: str, level: str, focus) -> list[tuple[int, int]]:
    """The 0-based cells of computed matrix ``name`` that a copy of ``level`` asks for."""
    shape = update[name].shape
    if level == "matrix":
        return [(i, j) for i in range(shape[0]) for j in range(shape[1])]
    return [focus_cell(shape, focus)]


def answers(update, level: str, focus) -> set:
    """The cells of an update that are the student's: those asked on its step sheets and, from
    the second update on, the same cells of every parameter (the last update's answers)."""
    out = set()
    for n, spec in update.plan.specs.items():
        if not isinstance(spec.op, Given):
            out.update(ex.Ref(n, i, j) for i, j in asked_cells(update, n, level, focus))
        elif update.index > 1 and n + "_next" in update.plan.specs:
            out.update(ex.Ref(n, i, j) for i, j in asked_cells(update, n + "_next", level, focus))
    return out


def answer_sources(update, board, sheets, level, focus) -> dict:
    """{address: (matrix, formula of the student's number)} for the answers shown on a sheet
    that are asked elsewhere: a computed cell shows what the student typed on its own sheet; a
    parameter of a later update is the last update's parameter plus the student's change."""
    out = {}
    for r in answers(update, level, focus):
        if isinstance(update.spec(r.name).op, Given):  # a parameter: old + the student's Δ
            nxt = r.name + "_next"
            home = sheets(update.index - 1, update.plan.specs[nxt].step)
            old = sheets(update.index - 1, update.spec(r.name).step)
            mine = f"{quoted(home)}!{ex.cell_name(*board.address(ex.Ref(nxt, r.row, r.col)))}"
            was = f"{quoted(old)}!{ex.cell_name(*board.address(r))}"
            out[board.address(r)] = (r.name, f'IF(ISBLANK({mine}),"",{was}+{mine})')
        else:
            home = sheets(update.index, update.spec(r.name).step)
            mine = f"{quoted(home)}!{ex.cell_name(*board.address(r))}"
            out[board.address(r)] = (r.name, f'IF(ISBLANK({mine}),"",{mine})')
    return out


def answer_homes(update, ref, board, sheets) -> list[tuple[str, str]]:
    """The answer cells (sheet, A1) whose typed numbers cell ``ref`` of ``update`` shows: a
    computed cell's own, or for a parameter of a later update every earlier update's Δ."""
    spec = update.spec(ref.name)
    if not isinstance(spec.op, Given):
        return [(sheets(update.index, spec.step), ex.cell_name(*board.address(ref)))]
    nxt = ex.Ref(ref.name + "_next", ref.row, ref.col)
    step = update.plan.specs[nxt.name].step
    return [(sheets(k, step), ex.cell_name(*board.address(nxt))) for k in range(1, update.index)]


def worked(update, name: str, i: int, j: int, board, sheet: str, sheets, mine_all, places):
    """How a copy checks "right from the student's own numbers" at (i, j) of ``name``: the
    formulas that work the asked number out from what the sheet shows (the given numbers as
    shown, and as stored; the student's earlier answers as typed), and the answer cells
    (sheet, A1) whose typed numbers they read, which must be right themselves: so a slip is
    not carried forward, but the rounding of right answers is, and typing 1 everywhere
    (d_output = E × slope = 1×1) earns nothing.  ``mine_all``: the update's ``answers``."""
    e = asked_expr(update, name, i, j)
    mine = frozenset(ex.refs(e)) & mine_all
    needs = tuple(dict.fromkeys(h for r in ex.refs(e) if r in mine for h in answer_homes(update, r, board, sheets)))
    formulas = tuple(dict.fromkeys(ex.WorkedRenderer(board.address, update.cell_value, quoted(sheet), p, mine)
                                   .render(e) for p in (places, None)))
    return formulas, needs


def questions(epoch, level: str, focus, sheets) -> list[tuple[str, float]]:
    """(question, right answer) of every answer cell of an epoch's copy, in sheet order:
    ``"3 hidden_layer_input[1,1]"``, ``"11 Δwh[1,1]"`` (the marking table's columns)."""
    out = []
    for u in epoch.updates:
        for step in u.plan.steps:
            for name in step.computes:
                if isinstance(u.spec(name).op, Given):
                    continue
                for i, j in asked_cells(u, name, level, focus):
                    where = sheets(u.index, step.id).split(" ", 1)[0] if len(epoch.updates) == 1 else \
                        " ".join(sheets(u.index, step.id).split(" ", 2)[:2])
                    out.append((f"{where} {shown_name(name)}[{i + 1},{j + 1}]", asked_value(u, name, i, j)))
    return out


# ---------------------------------------------------------------- words

EXERCISE_NOTE = N_(
    "Exercise: on every step sheet the yellow cells are empty. Compute each one by hand from the "
    "orange cells, following the formula above the board, and type your number in (with a decimal "
    "point, e.g. 0.123). It turns green when it matches the right answer to 3 significant digits "
    "(rounded answers are fine), red otherwise; copying an orange number or typing 0 does not pass. "
    "Steps 11 and 12 ask for the change Δ of each weight and bias (it is tiny, so the new weight "
    "would look like the old one); the new weight is the old one plus your Δ. Later sheets show "
    "the numbers you typed; an answer worked out correctly from your own earlier answers is right "
    "too, as long as those are green (so rounding them does no harm, but correct your reds first). "
    "Only the answer cells, and your name, can be typed in.")
KEY_NOTE = N_("Answer key: every cell filled in; the yellow cells hold the answers of the exercise copy "
            "(steps 11 and 12: the change Δ of each weight and bias).")
SCORE_LABEL = N_("Score")
SCORE_OF = N_("of {n} right")  # after the live score: "9" "of 14 right"
NAME_LABEL = N_("Name")
ANSWER_TITLE = N_("A number, please")
ANSWER_HELP = N_("Type a number with a decimal point, e.g. 0.123 (not 0,123, no text).")
ASKED = "?"
MARKING_TITLE = N_("Marking: the right answers of every copy")
MARKING_HEADS = (N_("variant"), N_("student"), N_("seed"), N_("epoch"), N_("copy"))
MARKING_NOTE = N_("An answer is right when it is within one unit of the 3rd significant digit of the "
                "number here, or of the number worked out from the student's own earlier answers where "
                "those are right (the copy's Score counts both). Steps 11 and 12 ask for the change Δ.")


def marking_book(rows, decimals: int = 3, lang: str = "en"):
    """The marking table: one row per copy (variant, student, seed, epoch, the student's file),
    one column per question (its head turned upright, so the column is as narrow as its
    numbers), the right answers, each with the digits the sheets show (at least ``decimals``
    decimals and 3 significant digits).

    Printed one page wide when that keeps three quarters of full size; else at full size over
    pages across, with the heads and the variant and student columns on every page (and the
    title and note wrapped inside those columns, so no page shows them cut).  Its words in
    language ``lang``."""
    from .board import MIN_SCALE, PAGE_POINTS  # local: board and cells are the model, this one of their users
    from .cells import Book, Cell, Sheet, text_width

    t = catalogue(lang)
    named = [t(h) for h in MARKING_HEADS]
    heads = list(dict.fromkeys(q for *_, asked in rows for q, _ in asked))
    first = len(MARKING_HEADS) + 1
    texts = [["" if x is None else str(x) for x in row[:5]] for row in rows]
    widths = {c: max([text_width(h) + 2] + [text_width(x[c - 1]) + 2 for x in texts]) for c, h in enumerate(named, start=1)}
    widths[2] = max(widths[2], 24)
    shown = {q: [] for q in heads}
    for *_, asked in rows:
        for q, value in asked:
            shown[q].append(ex.number_text(value, ex.places_for(value, decimals)))
    widths.update({c: max(8, *(len(x) + 2 for x in shown[q])) for c, q in enumerate(heads, start=first)})
    points = sum(5.25 * w + 3.75 for w in widths.values())  # printed widths, as board.PAGE_POINTS counts
    fits = points * MIN_SCALE <= PAGE_POINTS[0]
    sheet = Sheet(t("Marking"), widths=widths, fit_width=fits, titles=(0, 0) if fits else ((4, 4), 2))
    span = len(widths) if fits else 2
    sheet.text_row(1, t(MARKING_TITLE), "heading" if not fits else "title", span)
    sheet.heights[1] = max(sheet.heights[1] * 21.0 / 15.0, 21.0)
    sheet.text_row(2, t(MARKING_NOTE), "note", span)
    for c, h in enumerate(named, start=1):
        sheet.add(Cell(4, c, h, "header"))
    for c, q in enumerate(heads, start=first):
        sheet.add(Cell(4, c, q, "header_up"))
    sheet.heights[4] = 5.2 * max([len(q) for q in heads] + [2]) + 6  # upright 10-pt text
    for r, (variant, name, seed, epoch, file, asked) in enumerate(rows, start=5):
        sheet.add(Cell(r, 1, variant, "fact"), Cell(r, 2, name, "fact"), Cell(r, 3, seed, "fact"),
                  Cell(r, 4, epoch, "fact"), Cell(r, 5, file, "fact"))
        for q, value in asked:
            sheet.add(Cell(r, first + heads.index(q), value, "number", places=ex.places_for(value, decimals)))
    return Book([sheet], decimals, lang)
