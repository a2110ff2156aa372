"""The overview sheet: the run's settings, this epoch's loss, the legend and links to each step."""
from __future__ import annotations

from .. import expr as ex
from ..config import EXERCISE_LEVELS
from ..i18n import N_, english
from ..trace import Given
from ..weights import INITS
from .cells import Cell, Sheet
from .exercise import (EXERCISE_NOTE, KEY_NOTE, NAME_LABEL, SCORE_LABEL, SCORE_OF, change_symbols,
                       is_change, questions)
from .steps import samples_text

ARTICLE_SLIPS = N_(
    "Two slips in the article's prose, not in its code: the step-8 picture multiplies d_output by lr "
    "(the code does not; lr enters only in steps 11 and 12), and the step-12 text updates bh with the "
    "output delta (the code, and mlptrace, use d_hiddenlayer). These workbooks follow the code.")

#: how the starting weights were drawn, by --init
def _start(cfg, t) -> str:
    """Where the starting weights came from, in words."""
    if cfg.init_weights:
        return t("read from {file}", file=cfg.init_weights)
    return t("{how}, seed {seed}", how=t(INITS[cfg.init][0]), seed=cfg.seed)


def _descent(cfg, n_samples, t) -> str:
    """Full batch, mini-batches or SGD, in words."""
    batch = cfg.batch_size if cfg.batch_size and cfg.batch_size < n_samples else None
    if not batch:
        return t("full batch: one update per epoch on all {count} samples", count=n_samples)
    how = (t("stochastic (SGD): one update per sample") if batch == 1 else
           t("mini-batches of {size} samples, one update each", size=batch))
    return how + (t(", reshuffled every epoch") if cfg.shuffle else t(", in order"))


def overview_facts(trace, decimals=3, epoch=None, formulas=None, t=english) -> list[tuple[str, object]]:
    """The run's settings as (key, value) rows, with ``epoch``'s loss when one is given and how
    numbers are shown when ``formulas`` says whether the cells are live."""
    cfg, data, plan = trace.config, trace.data, trace.plan
    n_samples = data.X.shape[0]
    facts = [
        (t("Data"), t("{name}: {count} samples, inputs {inputs}; targets {targets}", name=data.name,
                      count=n_samples, inputs=", ".join(data.input_names), targets=", ".join(data.target_names))),
        (t("Network"), " → ".join(map(str, plan.sizes)) + t("  (inputs → hidden → outputs)")),
        (t("Activations"), t("hidden {hidden}, output {output}", hidden=plan.hidden, output=plan.output)),
        (t("Learning rate lr"), cfg.lr),
        (t("Epochs trained"), cfg.epochs),
        (t("Gradient descent"), _descent(cfg, n_samples, t)),
        (t("Starting weights"), _start(cfg, t)),
        (t("Seed"), cfg.seed),
    ]
    if epoch is not None:
        facts.append((t("This epoch's loss ½·ΣE²"), epoch.loss))
    facts += [
        (t("Loss at epoch 1"), float(trace.loss[0])),
        (t("Loss at epoch {epoch} (last)", epoch=cfg.epochs), float(trace.loss[-1])),
    ]
    if formulas is not None:
        facts.append((t("Numbers"), t("stored at full precision, shown with at least {decimals} decimals and 3 "
                                      "significant digits", decimals=decimals)
                      + (t("; every computed cell is a live formula") if formulas else t("; plain values"))))
    return facts


def fact_cell(row, value, decimals, span) -> Cell:
    """A setting's value beside its name; a fraction (a loss) with 3 significant digits at least."""
    places = ex.places_for(value, decimals) if isinstance(value, float) else None
    return Cell(row, 2, value, "fact", span=span, places=places)


def _symbols(update, name, copy, t) -> str:
    """A step's formula in symbols; in a copy an update says the change it asks for."""
    text = update.spec(name).op.symbols(name, update.spec(name).operands, t)
    return change_symbols(name, text, t).split("   ", 1)[0] if copy and is_change(name) else text


def _whose(sheet, ctx, row) -> int:
    """A copy's variant, the student's name (or a line to write it on) and the live score;
    returns the next free row."""
    student, n, t = ctx.student, len(questions(ctx.epoch, ctx.level, ctx.focus, ctx.sheets)), ctx.t
    sheet.add(Cell(row, 1, student.label(t), "subtitle"))
    sheet.add(Cell(row + 1, 1, f"{t(NAME_LABEL)}:", "key"),  # without a roster: a line to type or write on
              Cell(row + 1, 2, student.name, "fact", span=2) if student.name else Cell(row + 1, 2, None, "entry"))
    sheet.add(Cell(row + 2, 1, f"{t(SCORE_LABEL)}:", "key"),
              Cell(row + 2, 2, float(n if ctx.copy == "key" else 0), "score", "Score", whole=True),
              Cell(row + 2, 3, t(SCORE_OF, n=n), "fact"))
    return row + 4


def overview_sheet(ctx) -> Sheet:
    """The first sheet: the run's settings, this epoch's loss, the legend, links to each step."""
    trace, epoch, sheets, copy, t = ctx.trace, ctx.epoch, ctx.sheets, ctx.copy, ctx.t
    sheet = Sheet(t("Overview"), widths={1: 26, 2: 30 if copy else 16, 3: 100}, one_page=len(epoch.updates) == 1)
    plan = trace.plan
    facts = overview_facts(trace, ctx.decimals, epoch, ctx.formulas, t)
    sheet.fit(1, [key for key, _ in facts] + list(sheets.names.values()))  # keys and links on one line
    kind = {"exercise": t(" — exercise"), "key": t(" — answer key")}.get(copy, "")
    sheet.add(Cell(1, 1, t("mlptrace — epoch {epoch} of {epochs}", epoch=epoch.epoch, epochs=trace.config.epochs)
                   + kind, "title"))
    sheet.heights[1] = 21.0
    sheet.text_row(2, t("One training iteration of a multi-layer perceptron, step by step, as in the "
                        "article \"Understanding and coding neural networks from scratch\"."), "text", 3)
    row = 4
    if copy:
        row = _whose(sheet, ctx, row)
    for key, value in facts:
        sheet.add(Cell(row, 1, key, "key"), fact_cell(row, value, ctx.decimals, span=2))
        row += 1
    row += 1
    sheet.add(Cell(row, 1, t("Colours"), "subtitle"))
    sheet.add(Cell(row + 1, 1, t("yellow"), "focus"),
              Cell(row + 1, 2, t("the cell being computed in this step (in grey print: the thick frame)"), "fact", span=2))
    sheet.add(Cell(row + 2, 1, t("orange"), "input"),
              Cell(row + 2, 2, t("the cells it is computed from (in grey print: the dashed frame)"), "fact", span=2))
    row += 4
    if copy:
        sheet.text_row(row, t(EXERCISE_NOTE if copy == "exercise" else KEY_NOTE), "text", 3)
        sheet.text_row(row + 1, t(EXERCISE_LEVELS[ctx.level]), "text", 3)
        row += 3
    sheet.text_row(row, t(ARTICLE_SLIPS), "note", 3)
    row += 2
    sheet.add(Cell(row, 1, t("Steps"), "subtitle"))
    row += 1
    for u in epoch.updates:
        if len(epoch.updates) > 1:
            sheet.add(Cell(row, 1, t("Update {index}: {samples}", index=u.index, samples=samples_text(u.samples, t)),
                           "key"))
            row += 1
        for s in plan.steps:
            target = sheets(u.index, s.id)
            what = "; ".join(_symbols(u, n, copy, t) for n in s.computes
                             if not isinstance(u.spec(n).op, Given)) or ", ".join(s.computes)
            sheet.add(Cell(row, 1, target, "link", link=target), Cell(row, 2, what, "fact", span=2))
            row += 1
    return sheet
