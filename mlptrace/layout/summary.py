"""The summary workbook: how training went, and the article's concepts with numbers.

Pure layout like ``layout``: cells with roles and chart specifications, no colours, no files.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import expr as ex
from ..activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from ..i18n import catalogue, english
from ..wording import forms
from .cells import Book, Cell, Chart, Series, Sheet
from .overview import fact_cell, overview_facts


MAX_SAMPLES = 40  # rows of the outputs-against-targets table: the summary stays one page

# The article's perceptron (section 2): x = 0, 1, 1; threshold 0; w = 2, 3, 4.  The article gives
# no bias value; −8 is ours, chosen so that the bias visibly flips the decision.
PERCEPTRON_X, PERCEPTRON_W, THRESHOLD, BIAS = (0, 1, 1), (2, 3, 4), 0, -8


def _loss_sheet(trace, t) -> Sheet:
    sheet = Sheet(t("Loss"), widths={1: 10, 2: 16}, hidden=True)
    sheet.add(Cell(1, 1, t("epoch"), "key"), Cell(1, 2, t("loss ½·ΣE²"), "key"))
    for r, e in enumerate(trace.kept_epochs, start=2):
        sheet.add(Cell(r, 1, int(e), "fact"), Cell(r, 2, float(trace.loss[e - 1]), "number"))
    return sheet


#: series in one chart: more lines than this cannot be told apart
MAX_SERIES = 12
def _charted(names, initial) -> list[tuple[str, list]]:
    """[(matrix, [(label, layer, 0 for W or 1 for b, i, j)…], its size)] for every weight and
    bias matrix, layer by layer: every entry when there are at most MAX_SERIES, else
    MAX_SERIES evenly spread over the matrix (first and last included)."""
    out = []
    for l, (n, (W, b)) in enumerate(zip(names, initial)):
        for k, (name, m) in enumerate(((n.W, W), (n.b, b))):
            cells = list(np.ndindex(m.shape))
            if len(cells) > MAX_SERIES:
                cells = [cells[int(t)] for t in np.linspace(0, len(cells) - 1, MAX_SERIES).round()]
            label = (lambda i, j: f"{name}[{i + 1},{j + 1}]") if k == 0 else (lambda i, j: f"{name}[{j + 1}]")
            out.append((name, [(label(i, j), l, k, i, j) for i, j in cells], m.size))
    return out


def _parameter_sheet(trace, charted, t) -> Sheet:
    """The charted weights and biases at the start (epoch 0) and after each epoch the loss
    chart shows: what the charts draw and nothing more."""
    sheet = Sheet(t("Parameters"), widths={1: 10}, hidden=True)
    history = trace.history
    columns = [entry for _, entries, _ in charted for entry in entries]
    sheet.add(Cell(1, 1, t("epoch"), "key"))
    for c, (label, *_) in enumerate(columns, start=2):
        sheet.add(Cell(1, c, label, "key"))
        sheet.widths[c] = max(10, len(label) + 2)
    for r, (epoch, layers) in enumerate(history, start=2):
        sheet.add(Cell(r, 1, int(epoch), "fact"))
        for c, (_, l, k, i, j) in enumerate(columns, start=2):
            sheet.add(Cell(r, c, float(layers[l][k][i, j]), "number"))
    return sheet, len(history) + 1


def _number(row, col, v, decimals, formula=None, whole=False) -> Cell:
    """A number as the step sheets show one: at least ``decimals`` places and 3 significant
    digits (no nonzero number reads 0.000), whole numbers of the data bare."""
    return Cell(row, col, v, "value", formula, whole=whole, places=None if whole else ex.places_for(v, decimals))


def axis_places(values, log=False) -> int | None:
    """Decimals an axis needs for ticks about a fifth of its range apart (none for 0…5000, 2
    for 0.5…0.9), or on a logarithmic axis for its smallest power of ten; None (the chart
    program decides) when there is no finite number to go by."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    if values.size == 0:
        return None
    if log:
        return max(0, -int(np.floor(np.log10(values.min()))))
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo if hi > lo else abs(hi) or 1.0
    return max(0, -int(np.floor(np.log10(nice_step(span / 5)))))


def nice_step(rough: float) -> float:
    """The round number (1, 2 or 5 × a power of ten) at or above ``rough``."""
    power = 10.0 ** np.floor(np.log10(rough)) if rough > 0 else 1.0
    return float(next(power * m for m in (1, 2, 5, 10) if power * m >= rough))


def _outputs_table(sheet, trace, row, decimals, t) -> int:
    """Outputs against targets before training and after the last epoch."""
    data = trace.data
    before, after = trace.predict(layers=trace.initial), trace.predict()
    heads = [t("sample"), *data.input_names, *(t("target {name}", name=n) for n in data.target_names),
             *(t("output before training ({name})", name=n) for n in data.target_names),
             *(t("output after training ({name})", name=n) for n in data.target_names)]
    sheet.add(Cell(row, 1, t("Outputs against targets"), "subtitle"))
    for c, h in enumerate(heads, start=1):
        sheet.add(Cell(row + 1, c, h, "header"))
    sheet.heights[row + 1] = 30.0  # long headers wrap onto two lines
    table = np.c_[data.X, data.y, before, after]
    n_data = data.X.shape[1] + data.y.shape[1]  # the inputs and the targets: the data
    # a column of the data that holds whole numbers (0/1 targets, say) is shown bare
    whole = [k < n_data and bool(np.all(col == np.round(col))) for k, col in enumerate(table.T)]
    shown = min(data.X.shape[0], MAX_SAMPLES)
    for s in range(shown):
        sheet.add(Cell(row + 2 + s, 1, s + 1, "fact"))
        for k, v in enumerate(table[s]):
            sheet.add(_number(row + 2 + s, 2 + k, float(v), decimals, whole=whole[k]))
    if shown < data.X.shape[0]:
        sheet.add(Cell(row + 2 + shown, 1, t("… the first {shown} of {count} samples", shown=shown,
                                             count=data.X.shape[0]), "note"))
    return row + 4 + shown


def summary_sheet(trace, files, *, decimals=3, t=english) -> Sheet:
    """The first sheet: settings, links to the workbooks, outputs against targets; the charts
    come below (``summary_book``).  Returns the sheet and its first free row."""
    sheet = Sheet(t("Summary"), widths={1: 24, **{c: 14 for c in range(2, 12)}})
    sheet.add(Cell(1, 1, t("mlptrace — training summary"), "title"))
    sheet.heights[1] = 21.0
    row = 3
    facts = overview_facts(trace, decimals, t=t)
    sheet.fit(1, [key for key, _ in facts])
    for key, value in facts:
        sheet.add(Cell(row, 1, key, "key"), fact_cell(row, value, decimals, span=6))
        row += 1
    row += 1
    sheet.add(Cell(row, 1, t("Workbooks"), "subtitle"))
    for label, path in files:
        row += 1
        sheet.add(Cell(row, 1, label, "link", url=path), Cell(row, 2, path, "fact", span=4))
    return sheet, _outputs_table(sheet, trace, row + 2, decimals, t) + 1


def concepts_sheet(decimals=3, t=english) -> Sheet:
    """The article's sections 2–3 with numbers: the perceptron's three rules; the activations."""
    sheet = Sheet(t("Concepts"), widths={1: 30, **{c: 11 for c in range(2, 9)}}, one_page=True)
    sheet.add(Cell(1, 1, t("Concepts: from the perceptron to activation functions"), "title"))
    sheet.heights[1] = 21.0
    sheet.text_row(2, t("A perceptron takes several inputs and gives one output. The article relates them in three "
                        "ways; change an input, a weight, the threshold or the bias and watch the output."), "text", 8)
    for c, h in enumerate(["x1", "x2", "x3"], start=2):
        sheet.add(Cell(4, c, h, "header"))
    def given(row, col, v):
        return Cell(row, col, float(v), "value", whole=True)

    sheet.add(Cell(5, 1, t("inputs x"), "key"), *(given(5, 2 + k, v) for k, v in enumerate(PERCEPTRON_X)))
    sheet.add(Cell(6, 1, t("weights w"), "key"), *(given(6, 2 + k, v) for k, v in enumerate(PERCEPTRON_W)))
    sheet.add(Cell(7, 1, t("threshold"), "key"), given(7, 2, THRESHOLD))
    sheet.add(Cell(8, 1, t("bias b (our choice)"), "key"), given(8, 2, BIAS))
    x, w = np.array(PERCEPTRON_X), np.array(PERCEPTRON_W)
    rules = [
        (t("1. plain sum > threshold"), "IF(SUM(B5:D5)>B7,1,0)", float(x.sum() > THRESHOLD), "x1 + x2 + x3"),
        (t("2. weighted sum > threshold"), "IF(SUMPRODUCT(B6:D6,B5:D5)>B7,1,0)", float(w @ x > THRESHOLD),
         "w1·x1 + w2·x2 + w3·x3"),
        (t("3. weighted sum + bias > threshold"), "IF(SUMPRODUCT(B6:D6,B5:D5)+B8>B7,1,0)",
         float(w @ x + BIAS > THRESHOLD), "w1·x1 + w2·x2 + w3·x3 + b"),
    ]
    sheet.add(Cell(10, 1, t("rule"), "header"), Cell(10, 2, t("output"), "header"), Cell(10, 3, t("compares"), "header"))
    for r, (label, formula, value, words) in enumerate(rules, start=11):
        sheet.add(Cell(r, 1, label, "key"), Cell(r, 2, value, "focus", formula, whole=True),
                  Cell(r, 3, words, "fact", span=4))
    return _activation_table(sheet, 15, decimals, t)


def _activation_table(sheet, row, decimals, t) -> Sheet:
    sheet.text_row(row, t("An activation function turns a neuron's weighted sum z into its output a. Its slope "
                          "(derivative) tells backpropagation how strongly a changes with z; the article writes "
                          "it from the output a."), "text", 8)
    acts = HIDDEN_ACTIVATIONS
    heads = ["z"] + [h for a in acts for h in (a, t("{activation} slope", activation=a))]
    for c, h in enumerate(heads, start=1):
        sheet.add(Cell(row + 1, c, h, "header"))
    zs = np.round(np.arange(-5, 5.0001, 0.5), 10)
    first = row + 2
    for r, z in enumerate(zs, start=first):
        sheet.add(_number(r, 1, float(z), decimals))
        z_ref = ex.cell_name(r, 1)
        for k, name in enumerate(acts):
            act, written = ACTIVATIONS[name], forms(name)
            a = float(act.fn(np.float64(z)))
            a_ref = ex.cell_name(r, 2 + 2 * k)
            sheet.add(_number(r, 2 + 2 * k, a, decimals, written.formula.format(x=z_ref)),
                      _number(r, 3 + 2 * k, float(act.slope(np.float64(a))), decimals,
                              written.slope_formula.format(a=a_ref)))
    last = first + len(zs) - 1
    x = Series("z", sheet.name, 1, first, last)
    sheet.charts.append(Chart(t("Activation functions"), "z", "a", x,
                              tuple(Series(a, sheet.name, 2 + 2 * k, first, last) for k, a in enumerate(acts)),
                              row=4, col=10, width=15, height=7.5, y_places=axis_places([-1, 5])))
    sheet.charts.append(Chart(t("Their slopes"), "z", t("slope"), x,
                              tuple(Series(t("{activation} slope", activation=a), sheet.name, 3 + 2 * k, first, last)
                                    for k, a in enumerate(acts)),
                              row=20, col=10, width=15, height=7.5, y_places=axis_places([0, 1])))
    return sheet


def variants_sheet(variants, t=english) -> Sheet:
    """The index of exercise variants: number, seed, final loss, links to each file."""
    sheet = Sheet(t("Variants"), widths={1: 10, 2: 12, 3: 14, 4: 40, 5: 40, 6: 40, 7: 40})
    sheet.add(Cell(1, 1, t("Exercise variants: one per student, each from its own seed"), "title"))
    for c, h in enumerate([t("variant"), t("seed"), t("final loss"), t("files")], start=1):
        sheet.add(Cell(3, c, h, "header"))
    for r, (number, seed, loss, files) in enumerate(variants, start=4):
        sheet.add(Cell(r, 1, number, "fact"), Cell(r, 2, seed, "fact"), Cell(r, 3, loss, "number"))
        for c, f in enumerate(files, start=4):
            sheet.add(Cell(r, c, f, "link", url=f))
    return sheet


#: the charts on the summary: two a row, each CHART_ROWS rows high, two rows a printed page
CHART_ROWS, CHART_COLS = 15, (1, 6)


def _charts(trace, charted, params_rows, t) -> list[Chart]:
    """The loss (linear and logarithmic), then one chart per weight and bias matrix."""
    epochs = trace.config.epochs
    n = len(trace.kept_epochs) + 1
    sampled = trace.loss[trace.kept_epochs - 1]
    x_step = nice_step(epochs / 5)
    epoch, sheet = t("epoch"), t("Loss")
    x = Series(epoch, sheet, 1, 2, n)
    loss = (Series(t("loss"), sheet, 2, 2, n),)
    charts = [Chart(t("Loss ½·ΣE² over the epochs"), epoch, t("loss"), x, loss, 0, 0, x_max=epochs,
                    x_step=x_step, y_places=axis_places([0, *sampled])),
              Chart(t("Loss on a logarithmic scale"), epoch, t("loss (log scale)"), x, loss, 0, 0, x_max=epochs,
                    x_step=x_step, y_places=axis_places(sampled, log=True), log_y=True)]
    sheet = t("Parameters")
    x = Series(epoch, sheet, 1, 2, params_rows)
    col = 2
    history = np.array([[layers[l][k][i, j] for _, entries, _ in charted for _, l, k, i, j in entries]
                        for _, layers in trace.history])
    for name, entries, size in charted:
        title = t("{name} over the epochs", name=name) + (
            t(" ({shown} of its {size}, evenly chosen)", shown=len(entries), size=size) if len(entries) < size else "")
        series = tuple(Series(label, sheet, col + k, 2, params_rows) for k, (label, *_) in enumerate(entries))
        values = history[:, col - 2:col - 2 + len(entries)]
        charts.append(Chart(title, epoch, t("value"), x, series, 0, 0, x_max=epochs, x_step=x_step,
                            y_places=axis_places(values)))
        col += len(entries)
    return charts


def summary_book(trace, files, *, decimals=3, variants=(), lang="en") -> Book:
    """The summary workbook: Summary (with charts), Concepts, the variants' index if any, and
    the charts' data sheets; every text in language ``lang``."""
    t = catalogue(lang)
    summary, row = summary_sheet(trace, files, decimals=decimals, t=t)
    charted = _charted(trace.plan.names, trace.initial)
    params, params_rows = _parameter_sheet(trace, charted, t)
    charts = _charts(trace, charted, params_rows, t)
    summary.breaks.append(row)  # the charts start on a new page, two rows of two a page
    for k, chart in enumerate(charts):
        line, side = divmod(k, 2)
        if line and line % 2 == 0 and side == 0:
            summary.breaks.append(row + line * CHART_ROWS)
        summary.charts.append(replace(chart, row=row + line * CHART_ROWS, col=CHART_COLS[side]))
    row += (len(charts) + 1) // 2 * CHART_ROWS
    summary.text_row(row, t("The charts' numbers are on the hidden sheets {loss} and {parameters} "
                            "(right-click a sheet tab → Unhide / Show Sheet).",
                            loss=t("Loss"), parameters=t("Parameters")), "note", 8)
    extra = [variants_sheet(variants, t)] if variants else []
    return Book([summary, concepts_sheet(decimals, t), *extra, _loss_sheet(trace, t), params], decimals, lang)
