"""The overview sheet: the run's settings, this epoch's loss, the legend and links to each step."""
from __future__ import annotations

from .. import expr as ex
from ..trace import Given
from .cells import Cell, Sheet
from .exercise import (EXERCISE_NOTE, KEY_NOTE, LEVEL_NOTES, NAME_LABEL, SCORE_LABEL, SCORE_OF, change_symbols,
                       is_change, questions)
from .steps import samples_text

ARTICLE_SLIPS = (
    "Two slips in the article's prose, not in its code: the step-8 picture multiplies d_output by lr "
    "(the code does not; lr enters only in steps 11 and 12), and the step-12 text updates bh with the "
    "output delta (the code, and mlptrace, use d_hiddenlayer). These workbooks follow the code.")



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
        facts.append(("Numbers", f"stored at full precision, shown with at least {decimals} decimals and 3 "
                                 "significant digits"
                                 + ("; every computed cell is a live formula" if formulas else "; plain values")))
    return facts


def fact_cell(row, value, decimals, span) -> Cell:
    """A setting's value beside its name; a fraction (a loss) with 3 significant digits at least."""
    places = ex.places_for(value, decimals) if isinstance(value, float) else None
    return Cell(row, 2, value, "fact", span=span, places=places)


def _symbols(update, name, copy) -> str:
    """A step's formula in symbols; in a copy an update says the change it asks for."""
    text = update.spec(name).op.symbols(name, update.spec(name).operands)
    return change_symbols(name, text).split("   ", 1)[0] if copy and is_change(name) else text


def _whose(sheet, ctx, row) -> int:
    """A copy's variant, the student's name (or a line to write it on) and the live score;
    returns the next free row."""
    student, n = ctx.student, len(questions(ctx.epoch, ctx.level, ctx.focus, ctx.sheets))
    sheet.add(Cell(row, 1, student.label, "subtitle"))
    sheet.add(Cell(row + 1, 1, f"{NAME_LABEL}:", "key"),  # without a roster: a line to type or write on
              Cell(row + 1, 2, student.name, "fact", span=2) if student.name else Cell(row + 1, 2, None, "entry"))
    sheet.add(Cell(row + 2, 1, f"{SCORE_LABEL}:", "key"),
              Cell(row + 2, 2, float(n if ctx.copy == "key" else 0), "fact", "Score", whole=True),
              Cell(row + 2, 3, SCORE_OF.format(n=n), "fact"))
    return row + 4


def overview_sheet(ctx) -> Sheet:
    """The first sheet: the run's settings, this epoch's loss, the legend, links to each step."""
    trace, epoch, sheets, copy = ctx.trace, ctx.epoch, ctx.sheets, ctx.copy
    sheet = Sheet("Overview", widths={1: 26, 2: 30 if copy else 16, 3: 100}, one_page=len(epoch.updates) == 1)
    plan = trace.plan
    facts = overview_facts(trace, ctx.decimals, epoch, ctx.formulas)
    kind = {"exercise": " — exercise", "key": " — answer key"}.get(copy, "")
    sheet.add(Cell(1, 1, f"mlptrace — epoch {epoch.epoch} of {trace.config.epochs}{kind}", "title"))
    sheet.heights[1] = 21.0
    sheet.text_row(2, "One training iteration of a multi-layer perceptron, step by step, as in the "
                      "article \"Understanding and coding neural networks from scratch\".", "text", 3)
    row = 4
    if copy:
        row = _whose(sheet, ctx, row)
    for key, value in facts:
        sheet.add(Cell(row, 1, key, "key"), fact_cell(row, value, ctx.decimals, span=2))
        row += 1
    row += 1
    sheet.add(Cell(row, 1, "Colours", "subtitle"))
    sheet.add(Cell(row + 1, 1, "yellow", "focus"), Cell(row + 1, 2, "the cell being computed in this step (in grey print: the thick frame)", "fact", span=2))
    sheet.add(Cell(row + 2, 1, "orange", "input"), Cell(row + 2, 2, "the cells it is computed from (in grey print: the dashed frame)", "fact", span=2))
    row += 4
    if copy:
        sheet.text_row(row, EXERCISE_NOTE if copy == "exercise" else KEY_NOTE, "text", 3)
        sheet.text_row(row + 1, LEVEL_NOTES[ctx.level], "text", 3)
        row += 3
    sheet.text_row(row, ARTICLE_SLIPS, "note", 3)
    row += 2
    sheet.add(Cell(row, 1, "Steps", "subtitle"))
    row += 1
    for u in epoch.updates:
        if len(epoch.updates) > 1:
            sheet.add(Cell(row, 1, f"Update {u.index}: {samples_text(u.samples)}", "key"))
            row += 1
        for s in plan.steps:
            target = sheets(u.index, s.id)
            what = "; ".join(_symbols(u, n, copy) for n in s.computes
                             if not isinstance(u.spec(n).op, Given)) or ", ".join(s.computes)
            sheet.add(Cell(row, 1, target, "link", link=target), Cell(row, 2, what, "fact", span=2))
            row += 1
    return sheet
