"""A whole run's handouts from the command line: summary.xlsx (charts, concepts, variants),
exercise copies and answer keys, and print-ready PDFs.

Expected numbers are derived here, independently of the library: the article's numpy loop
(written out below, seeded like the article's script), numpy's activation functions, and the
perceptron's three rules by hand.  Charts cannot be read back by openpyxl, so their XML parts
are followed through the package's relationships.  The LibreOffice parts skip, saying so, where
``soffice`` (or poppler's ``pdftoppm``/``pdftotext``) is missing.
"""
from __future__ import annotations

import math
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from mlptrace import train
from mlptrace.cli import main

import soffice as lo
from article import ARTICLE_X, ARTICLE_Y, article_history, forward, sigmoid
from formula import col_letter

YELLOW, ORANGE, GREEN, RED = "FFFF00", "FFC000", "92D050", "FF7C80"
#: the article's twelve steps: how many matrices each computes (SPEC §2), so how many yellow cells
COMPUTED = {"1": 0, "2": 0, "3": 1, "4": 1, "5": 2, "6": 1, "7": 2, "8": 1, "9": 1, "10": 1, "11": 2, "12": 2}
STEP_SHEETS = ["1 Inputs", "2 Initial weights", "3 Hidden layer input", "4 Hidden activations", "5 Output",
               "6 Error", "7 Slopes", "8 Output delta", "9 Hidden error", "10 Hidden delta",
               "11 Update weights", "12 Update biases"]
#: the cached value every formula cell gets before LibreOffice sees it: never a right answer
POISON = "-987654.3125"


# ---------------------------------------------------------------- independent references


def parameter(params, label):
    """The value a Parameters header like ``wh[2,3]`` or ``bout[1]`` names (1-based)."""
    m = re.fullmatch(r"(wh|bh|wout|bout)\[(\d+)(?:,(\d+))?\]", label)
    assert m, f"unexpected parameter label {label!r}"
    wh, bh, wout, bout = params
    name, i, j = m.group(1), int(m.group(2)), m.group(3)
    if name in ("bh", "bout"):
        assert j is None, label
        return {"bh": bh, "bout": bout}[name][0, i - 1]
    return {"wh": wh, "wout": wout}[name][i - 1, int(j) - 1]


# ---------------------------------------------------------------- reading files


def fill_of(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper() if cell.fill.fill_type == "solid" else ""


def find(ws, text, col=None):
    """The first cell (row, col) whose value is exactly ``text``."""
    for row in ws.iter_rows():
        for c in row:
            if c.value == text and (col is None or c.column == col):
                return c.row, c.column
    raise AssertionError(f"{ws.title}: no cell says {text!r}")


def matrix_at_label(ws, label, shape):
    """A board matrix read from the file: its label, a line for its shape, then its numbers."""
    r, c = find(ws, label)
    return np.array([[ws.cell(r + 2 + i, c + j).value for j in range(shape[1])] for i in range(shape[0])],
                    dtype=float)


def cells_by_fill(ws, colour) -> set:
    return {c.coordinate for row in ws.iter_rows() for c in row if fill_of(c) == colour}


def run_cli(*args) -> int:
    return main([str(a) for a in args])


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
_RID = "{%s}id" % _NS["r"]


def _rels(z, part):
    """{relationship id: (type, resolved part name)} of a package part."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in z.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(z.read(rels_name)).findall("p:Relationship", _NS):
        target = rel.get("Target")
        if rel.get("TargetMode") != "External":
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], target)
    return out


def charts_by_sheet(path) -> dict:
    """{sheet name: [chart, …]} following workbook → sheet → drawing → chart relationships;
    a chart is {"part", "title", "series": [(name, x formula, y formula)]}."""
    out = {}
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        book_rels = _rels(z, "xl/workbook.xml")
        for sheet in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", _NS):
            sheet_part = book_rels[sheet.get(_RID)][1]
            charts = []
            sheet_rels = _rels(z, sheet_part)
            for drawing in ET.fromstring(z.read(sheet_part)).findall("m:drawing", _NS):
                kind, drawing_part = sheet_rels[drawing.get(_RID)]
                assert kind == "drawing" and drawing_part in names, (sheet_part, kind, drawing_part)
                drawing_rels = _rels(z, drawing_part)
                drawing_xml = ET.fromstring(z.read(drawing_part))
                for ref in drawing_xml.iter("{%s}chart" % _NS["c"]):
                    kind, chart_part = drawing_rels[ref.get(_RID)]
                    assert kind == "chart" and chart_part in names, (drawing_part, kind, chart_part)
                    assert re.fullmatch(r"xl/charts/chart\d+\.xml", chart_part), chart_part
                    chart = ET.fromstring(z.read(chart_part))
                    title = "".join(t.text or "" for t in chart.find("c:chart/c:title", _NS).iter("{%s}t" % _NS["a"]))
                    series = [("".join(s.find("c:tx", _NS).itertext()),
                               s.find("c:xVal/c:numRef/c:f", _NS).text, s.find("c:yVal/c:numRef/c:f", _NS).text)
                              for s in chart.iter("{%s}ser" % _NS["c"])]
                    charts.append({"part": chart_part, "title": title, "series": series})
            out[sheet.get("name")] = charts
    return out


def column_ref(sheet, col, first, last) -> str:
    c = col_letter(col)
    return f"'{sheet}'!${c}${first}:${c}${last}"


def pdf_pages(path) -> int:
    """Page count: pdfinfo when present, else the page objects in the file."""
    exe = shutil.which("pdfinfo")
    if exe:
        info = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True, timeout=60).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page\b", Path(path).read_bytes()))


def pdf_text_pages(path) -> list[str]:
    text = subprocess.run([lo.PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pixels(rgb, colour) -> int:
    return int(np.all(rgb == colour, axis=-1).sum())


# ---------------------------------------------------------------- summary.xlsx of a default-like run


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("default") / "out"
    assert run_cli("--epochs", 50, "--out", out, "--quiet") == 0
    return out


def test_every_run_writes_summary_with_its_sheets(default_run):
    assert sorted(p.name for p in default_run.iterdir() if p.name != ".mlptrace.json") == ["epoch_01.xlsx", "epoch_50.xlsx", "summary.xlsx"]
    assert load_workbook(default_run / "summary.xlsx").sheetnames == ["Summary", "Concepts", "Loss", "Parameters"]


@pytest.mark.parametrize("args", [
    ["--values", "--epochs", 7],
    ["--data", "xor", "--hidden", "2,2", "--epochs", 40, "--record", "last"],
    ["--batch-size", 1, "--epochs", 3, "--exercise"],
], ids=["values", "deep-xor", "sgd-exercise"])
def test_summary_is_written_by_other_runs_too(tmp_path, args):
    out = tmp_path / "o"
    assert run_cli(*args, "--out", out, "--quiet") == 0
    assert (out / "summary.xlsx").is_file()
    wb = load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["Summary", "Concepts", "Loss", "Parameters"]
    links = {c.hyperlink.target for row in wb["Summary"].iter_rows() for c in row if c.hyperlink}
    books = {p.relative_to(out).as_posix() for p in out.rglob("*.xlsx")} - {"summary.xlsx", "keys/marking.xlsx"}
    assert links == books


def test_summary_holds_native_charts_of_loss_and_parameters(default_run):
    path = default_run / "summary.xlsx"
    with zipfile.ZipFile(path) as z:
        chart_parts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    charts = charts_by_sheet(path)
    # the loss twice (linear, logarithmic), then one chart per matrix: wh, bh, wout, bout
    assert [c["title"] for c in charts["Summary"]] == [
        "Loss ½·ΣE² over the epochs", "Loss on a logarithmic scale", "wh over the epochs", "bh over the epochs",
        "wout over the epochs", "bout over the epochs"], charts["Summary"]
    assert len(charts["Concepts"]) == 2, charts["Concepts"]
    assert charts["Loss"] == [] and charts["Parameters"] == []
    # every chart part in the package is reached from a sheet's drawing
    assert sorted(c["part"] for cs in charts.values() for c in cs) == chart_parts
    wb = load_workbook(path)
    n_loss = wb["Loss"].max_row - 1
    assert n_loss == 50
    for loss_chart in charts["Summary"][:2]:
        assert loss_chart["series"] == [("loss", column_ref("Loss", 1, 2, n_loss + 1),
                                         column_ref("Loss", 2, 2, n_loss + 1))]
    params = wb["Parameters"]
    n_rows = params.max_row - 1
    labels = [params.cell(1, c).value for c in range(2, params.max_column + 1)]
    # the article's 19 parameters, each drawn once, column by column of the Parameters sheet
    drawn = [s for c in charts["Summary"][2:] for s in c["series"]]
    assert drawn == [(label, column_ref("Parameters", 1, 2, n_rows + 1), column_ref("Parameters", 2 + k, 2, n_rows + 1))
                     for k, label in enumerate(labels)]
    assert len(labels) == 19 and all(label.startswith(c["title"].split()[0] + "[")
                                     for c in charts["Summary"][2:] for label, *_ in c["series"])


@pytest.mark.parametrize("epochs", [50, 1234])
def test_loss_and_parameter_sheets_equal_the_articles_loop(tmp_path, epochs):
    """Loss: the loss of every listed epoch; Parameters: the weights after each listed epoch,
    epoch 0 the starting weights; both at full precision, as the article's loop gives them."""
    out = tmp_path / "o"
    assert run_cli("--epochs", epochs, "--out", out, "--quiet") == 0
    wb = load_workbook(out / "summary.xlsx")
    history, losses = article_history(0, epochs)
    trace = train(epochs=epochs, seed=0, record="last")

    ws = wb["Loss"]
    assert [ws.cell(1, 1).value, ws.cell(1, 2).value][0] == "epoch"
    listed = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert all(isinstance(e, int) for e in listed)
    if epochs <= 500:  # every epoch
        assert listed == list(range(1, epochs + 1))
    else:  # 500 evenly spaced ones, the first and the last among them
        gaps = np.diff(listed)
        assert len(listed) == 500 and listed[0] == 1 and listed[-1] == epochs
        assert gaps.min() >= 1 and gaps.max() - gaps.min() <= 1, (gaps.min(), gaps.max())
    for r, e in enumerate(listed, start=2):
        value = ws.cell(r, 2).value
        # the trace's loss at full precision; the article's np.sum(E ** 2) adds in another order
        assert value == trace.loss[e - 1], (e, value, trace.loss[e - 1])
        assert abs(value - losses[e - 1]) <= 1e-12 * losses[e - 1], (e, value, losses[e - 1])

    ws = wb["Parameters"]
    labels = [ws.cell(1, c).value for c in range(2, ws.max_column + 1)]
    assert sorted(labels) == sorted([f"wh[{i},{j}]" for i in range(1, 5) for j in range(1, 4)]
                                    + [f"bh[{j}]" for j in range(1, 4)] + ["wout[1,1]", "wout[2,1]", "wout[3,1]", "bout[1]"])
    rows = [[ws.cell(r, c).value for c in range(1, ws.max_column + 1)] for r in range(2, ws.max_row + 1)]
    assert [row[0] for row in rows] == [0] + listed
    for row in rows:
        for label, value in zip(labels, row[1:]):
            assert value == parameter(history[row[0]], label), (row[0], label, value)
    final = dict(zip(["wh", "bh", "wout", "bout"], [W for layer in trace.final for W in layer]))
    for label, value in zip(labels, rows[-1][1:]):
        assert value == parameter((final["wh"], final["bh"], final["wout"], final["bout"]), label), label


def test_summary_links_to_each_workbook(default_run):
    ws = load_workbook(default_run / "summary.xlsx")["Summary"]
    links = [c for row in ws.iter_rows() for c in row if c.hyperlink is not None]
    targets = [c.hyperlink.target for c in links]
    assert targets == ["epoch_01.xlsx", "epoch_50.xlsx"]
    for c in links:
        assert (default_run / c.hyperlink.target).is_file()
        assert ws.cell(c.row, c.column + 1).value == c.hyperlink.target  # the file's name beside it


def test_outputs_against_targets_are_forward_passes(default_run):
    ws = load_workbook(default_run / "summary.xlsx")["Summary"]
    r, c = find(ws, "Outputs against targets")
    heads = [ws.cell(r + 1, c + k).value for k in range(8)]
    assert heads == ["sample", "x1", "x2", "x3", "x4", "target y", "output before training (y)",
                     "output after training (y)"]
    table = [[ws.cell(r + 2 + s, c + k).value for k in range(8)] for s in range(3)]
    assert ws.cell(r + 5, c).value is None  # three samples, no more
    history, _ = article_history(0, 50)
    before, after = forward(ARTICLE_X, *history[0]), forward(ARTICLE_X, *history[50])
    for s, row in enumerate(table):
        assert row[0] == s + 1
        assert row[1:5] == list(ARTICLE_X[s]) and row[5] == ARTICLE_Y[s, 0]
        assert row[6] == before[s, 0], (s, row[6], before[s, 0])
        assert row[7] == after[s, 0], (s, row[7], after[s, 0])
    assert not np.allclose(before, after)  # training moved the outputs


# ---------------------------------------------------------------- Concepts


def concepts_cells(ws):
    """(x, w, threshold, bias, {rule label: output cell}, table header row, table rows)."""
    r = find(ws, "inputs x", col=1)[0]
    x = [ws.cell(r, 2 + k).value for k in range(3)]
    r = find(ws, "weights w", col=1)[0]
    w = [ws.cell(r, 2 + k).value for k in range(3)]
    threshold = ws.cell(find(ws, "threshold", col=1)[0], 2).value
    bias_row = next(row[0].row for row in ws.iter_rows(max_col=1)
                    if isinstance(row[0].value, str) and row[0].value.startswith("bias"))
    bias = ws.cell(bias_row, 2).value
    rules = {row[0].value: row[1].coordinate for row in ws.iter_rows(max_col=2)
             if isinstance(row[0].value, str) and re.match(r"[123]\. ", row[0].value)}
    head = find(ws, "z", col=1)[0]
    last = head + 1
    while isinstance(ws.cell(last + 1, 1).value, (int, float)):
        last += 1
    return x, w, threshold, bias, rules, head, range(head + 1, last + 1)


def test_concepts_perceptron_rules_by_hand(default_run):
    wb = load_workbook(default_run / "summary.xlsx")
    cached = load_workbook(default_run / "summary.xlsx", data_only=True)["Concepts"]
    x, w, threshold, bias, rules, *_ = concepts_cells(wb["Concepts"])
    assert (x, w, threshold) == ([0, 1, 1], [2, 3, 4], 0)  # the article's perceptron
    assert bias == -8
    by_hand = [int(x[0] + x[1] + x[2] > threshold),
               int(w[0] * x[0] + w[1] * x[1] + w[2] * x[2] > threshold),
               int(w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + bias > threshold)]
    assert by_hand == [1, 1, 0]
    labels = sorted(rules)
    assert len(labels) == 3
    for label, want in zip(labels, by_hand):
        address = rules[label]
        assert isinstance(wb["Concepts"][address].value, str) and wb["Concepts"][address].value.startswith("="), \
            f"{label}: not a live formula"
        assert cached[address].value == want, (label, cached[address].value)


def test_concepts_activation_table_is_numpys(default_run):
    wb = load_workbook(default_run / "summary.xlsx")
    ws, cached = wb["Concepts"], load_workbook(default_run / "summary.xlsx", data_only=True)["Concepts"]
    *_, head, rows = concepts_cells(ws)
    assert [ws.cell(head, c).value for c in range(1, 8)] == [
        "z", "sigmoid", "sigmoid slope", "tanh", "tanh slope", "relu", "relu slope"]
    z = np.array([cached.cell(r, 1).value for r in rows], dtype=float)
    assert z.tolist() == [k / 2 for k in range(-10, 11)]
    s, t, relu = sigmoid(z), np.tanh(z), np.maximum(z, 0.0)
    want = np.column_stack([s, s * (1 - s), t, 1 - t * t, relu, (relu > 0).astype(float)])
    got = np.array([[cached.cell(r, c).value for c in range(2, 8)] for r in rows], dtype=float)
    assert np.array_equal(got, want), np.argwhere(got != want)
    for r in rows:  # every table cell is a live formula over its own row
        for c in range(2, 8):
            assert str(ws.cell(r, c).value).startswith("="), ws.cell(r, c).coordinate
    # the two charts plot these columns against z
    charts = charts_by_sheet(default_run / "summary.xlsx")["Concepts"]
    first, last = rows[0], rows[-1]
    x = column_ref("Concepts", 1, first, last)
    assert sorted(s for chart in charts for s in chart["series"]) == sorted(
        (name, x, column_ref("Concepts", col, first, last))
        for col, name in zip(range(2, 8), ["sigmoid", "sigmoid slope", "tanh", "tanh slope", "relu", "relu slope"]))


@lo.requires_soffice
def test_libreoffice_recalculates_the_concepts(default_run, tmp_path):
    """Every formula of summary.xlsx gets a wrong cached value; LibreOffice's own results are the
    cached values mlptrace wrote."""
    original = default_run / "summary.xlsx"
    poisoned = tmp_path / "summary.xlsx"
    assert lo.set_cached_values(original, poisoned, POISON) >= 3 + 6 * 21
    done = lo.recalculate(poisoned, tmp_path / "lo", profile=lo.recalc_profile(tmp_path))
    want = load_workbook(original, data_only=True)["Concepts"]
    got = load_workbook(done, data_only=True)["Concepts"]
    formulas = load_workbook(original)["Concepts"]
    compared = []
    for row in formulas.iter_rows():
        for c in row:
            if c.data_type == "f":
                w, g = want[c.coordinate].value, got[c.coordinate].value
                assert isinstance(g, (int, float)) and g != float(POISON), (c.coordinate, c.value, g)
                assert abs(g - w) <= max(1e-13 * abs(w), 1e-15), (c.coordinate, c.value, w, g)
                compared.append(c.coordinate)
    assert len(compared) == 3 + 6 * 21
    _, _, _, _, rules, _, _ = concepts_cells(formulas)
    assert [got[rules[k]].value for k in sorted(rules)] == [1, 1, 0]


# ---------------------------------------------------------------- exercise copies


@pytest.fixture(scope="module")
def exercise_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("exercise") / "out"
    assert run_cli("--epochs", 30, "--exercise", "--record", "1,last", "--out", out, "--quiet") == 0
    return out


ARITHMETIC = re.compile(r"^(\w+)\[(\d+),(\d+)\] = .+ = (\S+)$")


def arithmetic_lines(ws):
    """{matrix name: (row, i, j, text)} of the written-out arithmetic lines above the board."""
    out = {}
    for r in range(3, 12):
        text = ws.cell(r, 1).value
        m = ARITHMETIC.match(text) if isinstance(text, str) else None
        if m:
            out[m.group(1)] = (r, int(m.group(2)), int(m.group(3)), text)
    return out


def test_exercise_writes_a_copy_and_a_key_per_epoch(exercise_run):
    """Student copies in students/, everything with answers in keys/, never mixed."""
    assert sorted(p.relative_to(exercise_run).as_posix() for p in exercise_run.rglob("*") if p.name != ".mlptrace.json") == sorted(
        ["keys", "students", "summary.xlsx", "keys/marking.xlsx"]
        + [f"students/epoch_{e}_exercise.xlsx" for e in ("01", "30")]
        + [f"keys/epoch_{e}{suffix}.xlsx" for e in ("01", "30") for suffix in ("", "_key")])


@pytest.mark.parametrize("epoch", ["01", "30"])
def test_exercise_blanks_yellow_cells_and_checks_them(exercise_run, epoch):
    """Every yellow cell is blank and checked green/red against the key; on later sheets an
    earlier answer shows what the student typed on its own sheet (blank until then), and no
    written-out line gives an answer away: earlier answers appear there by name."""
    exercise = load_workbook(exercise_run / f"students/epoch_{epoch}_exercise.xlsx")
    key = load_workbook(exercise_run / f"keys/epoch_{epoch}_key.xlsx")
    key_values = load_workbook(exercise_run / f"keys/epoch_{epoch}_key.xlsx", data_only=True)
    assert exercise.sheetnames == key.sheetnames == ["Overview", *STEP_SHEETS, "Marks"]
    assert "exercise" in exercise["Overview"]["A1"].value and "answer key" in key["Overview"]["A1"].value
    checked = 0
    answered = {}  # address -> home sheet of the answers asked for so far
    all_tokens = {}  # "name[i,j]" -> the number the key shows for that answer
    for number, sheet in zip(COMPUTED, STEP_SHEETS):
        ws, kw, kv = exercise[sheet], key[sheet], key_values[sheet]
        focus = cells_by_fill(kw, YELLOW)
        assert len(focus) == COMPUTED[number], (sheet, focus)
        assert cells_by_fill(ws, YELLOW) == focus, sheet
        rules = {}
        for cf in ws.conditional_formatting:
            rules.setdefault(str(cf.sqref), []).extend(cf.rules)
        assert set(rules) == focus, (sheet, set(rules), focus)
        for address in focus:
            answer = kv[address].value
            assert isinstance(answer, float), (sheet, address, answer)
            assert str(kw[address].value).startswith("="), (sheet, address)  # the key: a live formula
            assert ws[address].value is None, (sheet, address, ws[address].value)
            colours = sorted((r.dxf.fill.bgColor.rgb or "")[-6:].upper() for r in rules[address])
            assert colours == sorted([GREEN, RED]), (sheet, address, colours)
            # both colours follow the answer's mark (1 right, 0 not) on the hidden marks sheet,
            # whose formula first compares with the answer itself
            marks = {re.search(r"Marks!\$A\$(\d+)", r.formula[0]).group(1) for r in rules[address]}
            assert len(marks) == 1, rules[address]
            for formula in [exercise["Marks"][f"A{marks.pop()}"].value]:
                m = re.search(r"ABS\(N\('([^']+)'!([A-Z]+\d+)\)-\(([^()]+)\)\)<=([0-9.e-]+)", formula)
                assert m, formula
                assert m.group(1, 2) == (sheet, address) and m.group(3) == repr(answer), (formula, answer)
                # one unit in the answer's third significant digit
                unit = 10.0 ** (math.floor(math.log10(abs(answer))) - 2)
                assert float(m.group(3)) == answer and abs(float(m.group(4)) / unit - 1) < 1e-6, formula
            checked += 1
        orange = cells_by_fill(kw, ORANGE)
        assert cells_by_fill(ws, ORANGE) == orange, sheet
        assert bool(orange) == bool(focus), sheet
        # the arithmetic lines: "= ?" in the exercise; with each earlier answer's name put back as
        # the number the key shows for it, the key's line
        lines, key_lines = arithmetic_lines(ws), arithmetic_lines(kv)  # the key's lines are live: their text
        assert set(lines) == set(key_lines) and len(lines) == COMPUTED[number], (sheet, lines, key_lines)
        tokens = {}
        for name, (row, i, j, text) in lines.items():
            krow, ki, kj, ktext = key_lines[name]
            assert (row, i, j) == (krow, ki, kj)
            assert text.endswith(" = ?"), text
            shown_text = ktext.rsplit(" = ", 1)[1]
            tokens[f"{name}[{i},{j}]"] = f"({shown_text})" if shown_text.startswith("−") else shown_text
            shown = float(shown_text.replace("−", "-"))
            r, c = find(kw, name)
            address = kw.cell(r + 2 + i - 1, c + j - 1).coordinate
            assert address in focus, (sheet, name, address, focus)
            assert abs(shown - kv[address].value) <= 0.0005 + 1e-12, (ktext, kv[address].value)
        answered.update({a: sheet for a in focus})
        for name, (row, i, j, text) in lines.items():
            ktext = key_lines[name][3]
            head, body = text[:-len(" = ?")].split(" = ", 1)  # "name[i,j]", its arithmetic
            for token in sorted(set(re.findall(r"[A-Za-z_]\w*\[\d+,\d+\]", body)), key=len, reverse=True):
                assert token in all_tokens or token in tokens, (sheet, token)
                body = body.replace(token, {**all_tokens, **tokens}[token])
            assert f"{head} = {body}" == ktext[:ktext.rindex(" = ")], (sheet, text, ktext)
        all_tokens.update(tokens)
        # everything else on the sheet: the key's numbers and words, as plain values, but for
        # earlier answers, which show the student's own cell
        earlier = {a for a, home in answered.items() if home != sheet}
        for row in kv.iter_rows():
            for c in row:
                if c.coordinate in focus or (c.column == 1 and c.row in {v[0] for v in lines.values()}):
                    continue
                if c.coordinate in earlier and c.value is not None:
                    home = answered[c.coordinate]
                    mine = f"'{home}'!{c.coordinate}"
                    assert ws[c.coordinate].value == f'=IF(ISBLANK({mine}),"",{mine})', (sheet, c.coordinate)
                    continue
                assert ws[c.coordinate].value == c.value, (sheet, c.coordinate, ws[c.coordinate].value, c.value)
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert set(formulas) <= earlier, f"{sheet}: formulas other than earlier answers: {set(formulas) - earlier}"
    assert checked == sum(COMPUTED.values())


@pytest.mark.parametrize("epoch", ["01", "30"])
def test_key_is_the_full_live_workbook(exercise_run, epoch):
    """The answer key's step sheets are the normal workbook's: every value and formula, with the
    same cached values."""
    plain = load_workbook(exercise_run / f"keys/epoch_{epoch}.xlsx")
    key = load_workbook(exercise_run / f"keys/epoch_{epoch}_key.xlsx")
    plain_v = load_workbook(exercise_run / f"keys/epoch_{epoch}.xlsx", data_only=True)
    key_v = load_workbook(exercise_run / f"keys/epoch_{epoch}_key.xlsx", data_only=True)
    formulas = 0
    for sheet in STEP_SHEETS:
        cells = lambda ws: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}  # noqa: E731
        if sheet.startswith(("11 ", "12 ")):  # the update steps show the change Δ: checked below
            continue
        assert cells(key[sheet]) == cells(plain[sheet]), sheet
        assert cells(key_v[sheet]) == cells(plain_v[sheet]), sheet
        f = [c.coordinate for row in key[sheet].iter_rows() for c in row if c.data_type == "f"]
        # numbers, but for the live arithmetic lines, whose cached value is their text
        assert all(isinstance(key_v[sheet][a].value, float) or key[sheet][a].value.startswith('="')
                   and " = " in key_v[sheet][a].value for a in f), sheet
        formulas += len(f)
    assert formulas > 400
    # steps 11 and 12: where the workbook shows each new parameter, the key shows its change
    # (new − old, from the workbook's own numbers), labelled Δ; everything else as the workbook
    for sheet in ("11 Update weights", "12 Update biases"):
        changed = set()
        for name, shape in (("wh", (4, 3)), ("bh", (1, 3)), ("wout", (3, 1)), ("bout", (1, 1))):
            if sheet.startswith("11") and name in ("bh", "bout"):
                continue  # the biases' change shows from sheet 12 on
            r, c = find(plain[sheet], f"{name}_next")
            assert key[sheet].cell(r, c).value == f"Δ{name}"
            new = matrix_at_label(plain_v[sheet], f"{name}_next", shape)
            old = matrix_at_label(plain_v[sheet], name, shape)
            delta = matrix_at_label(key_v[sheet], f"Δ{name}", shape)
            assert np.allclose(delta, new - old, rtol=1e-9, atol=1e-15), (sheet, name)
            assert np.abs(delta).max() > 0
            changed |= {key[sheet].cell(r + 2 + i, c + j).coordinate for i in range(shape[0]) for j in range(shape[1])}
            changed.add(key[sheet].cell(r, c).coordinate)  # the label
        for row in plain_v[sheet].iter_rows(min_row=8):
            for cell in row:
                if cell.coordinate not in changed and cell.value is not None:
                    assert key_v[sheet][cell.coordinate].value == cell.value, (sheet, cell.coordinate)


@lo.requires_soffice
@lo.requires_pdftoppm
def test_printed_exercise_turns_green_and_red(exercise_run, tmp_path):
    """A near answer (−0.004) turns its cell green, a wrong one (+0.01) red; a blank stays yellow."""
    key = load_workbook(exercise_run / "keys/epoch_01_key.xlsx")
    key_v = load_workbook(exercise_run / "keys/epoch_01_key.xlsx", data_only=True)
    wb = load_workbook(exercise_run / "students/epoch_01_exercise.xlsx")
    near_sheet, wrong_sheet, blank_sheet = "3 Hidden layer input", "4 Hidden activations", "6 Error"
    for sheet, delta in ((near_sheet, -0.004), (wrong_sheet, 0.01)):
        (address,) = cells_by_fill(key[sheet], YELLOW)
        wb[sheet][address].value = key_v[sheet][address].value + delta
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    assert len(load_workbook(filled)[near_sheet].conditional_formatting) == 1  # the rules survived
    pdf = lo.convert([filled], tmp_path / "pdf", "pdf", profile=lo.recalc_profile(tmp_path))[0]

    def colours(sheet):
        page = lo.pdf_page_of(pdf, f"Step {sheet} —")
        rgb = lo.render_page(pdf, page, tmp_path, dpi=60).astype(int)
        return pixels(rgb, (146, 208, 80)), pixels(rgb, (255, 124, 128)), pixels(rgb, (255, 255, 0))

    green, red, _ = colours(near_sheet)
    assert green >= 50 and red == 0, (green, red)
    green, red, _ = colours(wrong_sheet)
    assert red >= 50 and green == 0, (green, red)
    green, red, yellow = colours(blank_sheet)
    assert green == red == 0 and yellow >= 50, (green, red, yellow)


# ---------------------------------------------------------------- variants


def test_variants_write_numbered_sets_from_consecutive_seeds(tmp_path):
    out = tmp_path / "class"
    assert run_cli("--epochs", 30, "--exercise", "--variants", 3, "--seed", 5, "--record", "1,last",
                   "--out", out, "--quiet") == 0
    folder = {"exercise": "students", "key": "keys"}
    files = {k: [f"{folder[c]}/variant_{k:02d}_epoch_{e}_{c}.xlsx" for e in ("01", "30") for c in ("exercise", "key")]
             for k in (1, 2, 3)}
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx")) == \
        sorted(sum(files.values(), []) + ["summary.xlsx", "keys/marking.xlsx"])
    starts = {}
    for k, seed in zip((1, 2, 3), (5, 6, 7)):
        ws = load_workbook(out / f"keys/variant_{k:02d}_epoch_01_key.xlsx", data_only=True)["2 Initial weights"]
        starts[k] = matrix_at_label(ws, "wh", (4, 3))
        assert np.array_equal(starts[k], np.random.RandomState(seed).uniform(size=(4, 3))), k
        # and the exercise copy of that variant shows the same starting weights
        ws = load_workbook(out / f"students/variant_{k:02d}_epoch_01_exercise.xlsx")["2 Initial weights"]
        assert np.array_equal(matrix_at_label(ws, "wh", (4, 3)), starts[k])
    assert not np.array_equal(starts[1], starts[2]) and not np.array_equal(starts[2], starts[3])
    assert not np.array_equal(starts[1], starts[3])

    wb = load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["Summary", "Concepts", "Variants", "Loss", "Parameters"]
    ws = wb["Variants"]
    r, c = find(ws, "variant")
    assert [ws.cell(r, c + k).value for k in range(4)] == ["variant", "seed", "final loss", "files"]
    for k, seed in zip((1, 2, 3), (5, 6, 7)):
        row = r + k
        assert ws.cell(row, c).value == k and ws.cell(row, c + 1).value == seed
        loss = ws.cell(row, c + 2).value
        assert loss == train(epochs=30, seed=seed, record="last").loss[-1]
        assert abs(loss - article_history(seed, 30)[1][-1]) <= 1e-12 * loss
        listed = [ws.cell(row, c + 3 + n) for n in range(len(files[k]))]
        assert [cell.value for cell in listed] == files[k]
        assert [cell.hyperlink.target for cell in listed] == files[k]
        assert ws.cell(row, c + 3 + len(files[k])).value is None
    assert ws.cell(r + 4, c).value is None
    # the summary itself is the run's own seed's (variant 1)
    summary = wb["Summary"]
    links = [cell.hyperlink.target for row in summary.iter_rows() for cell in row if cell.hyperlink]
    assert links == files[1]
    history, _ = article_history(5, 30)
    params = wb["Parameters"]
    labels = [params.cell(1, col).value for col in range(2, params.max_column + 1)]
    assert [params.cell(2, col).value for col in range(2, params.max_column + 1)] == \
        [parameter(history[0], label) for label in labels]


def test_variants_without_exercise_is_refused(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_cli("--variants", 3, "--epochs", 5, "--out", out) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and err.count("\n") == 1 and err.endswith("\n"), err
    assert "--variants" in err and "--exercise" in err and "Traceback" not in err
    assert not out.exists()


# ---------------------------------------------------------------- PDFs


@pytest.fixture(scope="module")
def pdf_run(tmp_path_factory):
    lo.require_soffice()
    out = tmp_path_factory.mktemp("pdf") / "out"
    assert run_cli("--epochs", 30, "--pdf", "--out", out, "--quiet") == 0
    return out


@lo.requires_soffice
def test_pdf_beside_each_workbook(pdf_run):
    names = sorted(p.name for p in pdf_run.iterdir() if p.name != ".mlptrace.json")
    books = [n for n in names if n.endswith(".xlsx")]
    assert books == ["epoch_01.xlsx", "epoch_30.xlsx", "summary.xlsx"]
    assert names == sorted(books + [n[:-5] + ".pdf" for n in books])  # nothing else: no temporary folders
    for book in ("epoch_01", "epoch_30"):
        sheets = load_workbook(pdf_run / f"{book}.xlsx").sheetnames
        assert len(sheets) == 13
        assert pdf_pages(pdf_run / f"{book}.pdf") == len(sheets), book  # one page per sheet
    # the summary's text; its six charts, four a page; the Concepts sheet
    assert pdf_pages(pdf_run / "summary.pdf") == 4


@lo.requires_soffice
@lo.requires_pdftoppm
def test_pdf_pages_carry_sheet_name_and_page_numbers(pdf_run):
    sheets = load_workbook(pdf_run / "epoch_01.xlsx").sheetnames
    pages = pdf_text_pages(pdf_run / "epoch_01.pdf")
    assert len(pages) == len(sheets)
    for k, (sheet, text) in enumerate(zip(sheets, pages), start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == sheet, (k, lines[:2])                     # header: the sheet's name
        assert lines[-1] == f"Page {k} of {len(sheets)}", (k, lines[-2:])  # footer
        if sheet in STEP_SHEETS:
            assert f"Step {sheet} — epoch 1" in text
    summary = pdf_text_pages(pdf_run / "summary.pdf")
    assert "mlptrace — training summary" in summary[0]
    assert "Loss on a logarithmic scale" in summary[1] and "bout over the epochs" in summary[2]
    assert "Concepts: from the perceptron to activation functions" in summary[3]


@lo.requires_soffice
@lo.requires_pdftoppm
def test_summary_pdf_footers_count_its_own_pages(pdf_run):
    pages = pdf_text_pages(pdf_run / "summary.pdf")
    assert len(pages) == 4
    for k, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert f"Page {k} of 4" in lines, lines[-2:]  # a chart's labels may come after the footer


@lo.requires_soffice
@lo.requires_pdftoppm
def test_printed_step_page_shows_yellow_and_orange(pdf_run, tmp_path):
    pdf = pdf_run / "epoch_01.pdf"
    page = lo.pdf_page_of(pdf, "Step 3 Hidden layer input —")
    rgb = lo.render_page(pdf, page, tmp_path, dpi=60).astype(int)
    yellow, orange = pixels(rgb, (255, 255, 0)), pixels(rgb, (255, 192, 0))
    assert yellow >= 100 and orange >= 9 * 100, (yellow, orange)
    page = lo.pdf_page_of(pdf, "Step 1 Inputs —")  # nothing computed, nothing coloured
    rgb = lo.render_page(pdf, page, tmp_path, dpi=60).astype(int)
    assert pixels(rgb, (255, 255, 0)) == pixels(rgb, (255, 192, 0)) == 0


def test_pdf_without_libreoffice_is_refused(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("soffice") is None and shutil.which("libreoffice") is None
    out = tmp_path / "o"
    assert run_cli("--pdf", "--epochs", 5, "--out", out) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and err.count("\n") == 1 and err.endswith("\n"), err
    assert "LibreOffice" in err and "Traceback" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-path"]


def test_sgd_exercise_gives_no_answer_away_in_later_updates(tmp_path):
    """With one update per sample, update k+1 starts from update k's answers (the *_next focus
    cells): in the student copy those cells show the student's own numbers, never the key's,
    and the written-out arithmetic names them."""
    out = tmp_path / "sgd"
    assert run_cli("--data", "xor", "--batch-size", 1, "--epochs", 3, "--record", 1, "--exercise",
                   "--out", out, "--quiet") == 0
    exercise = load_workbook(out / "students/epoch_1_exercise.xlsx")
    key = load_workbook(out / "keys/epoch_1_key.xlsx", data_only=True)
    yellow = {}  # update number -> answer addresses of that update (the same on all its sheets)
    for name in key.sheetnames[1:-1]:  # between the overview and the hidden Marks
        update = int(name.split()[0][1:])
        yellow.setdefault(update, set()).update(cells_by_fill(exercise[name], YELLOW))
    checked = 0
    for name in key.sheetnames[1:-1]:  # between the overview and the hidden Marks
        update, ws = int(name.split()[0][1:]), exercise[name]
        earlier = set().union(*(yellow[u] for u in yellow if u < update))
        for address in earlier:
            value = ws[address].value
            if value is None or key[name][address].value is None:
                continue
            # an earlier update's answer shown here is the student's cell, never a number
            assert isinstance(value, str) and value.startswith("=IF(ISBLANK('U"), (name, address, value)
            checked += 1
    assert checked > 0
    # the parameters an update starts from, at the focus cell [1,1]: the last update's answers
    for name in key.sheetnames[1:-1]:  # between the overview and the hidden Marks
        update, ws = int(name.split()[0][1:]), exercise[name]
        if name.endswith(" 1 Inputs"):  # the parameters show from step 2 on
            continue
        for param, step in (("wh", "11 Update weights"), ("bh", "12 Update biases"),
                            ("wout", "11 Update weights"), ("bout", "12 Update biases")):
            r, c = find(ws, param)
            cell = ws.cell(r + 2, c)
            if update == 1:
                assert isinstance(cell.value, float), (name, param, cell.value)
            else:
                assert cell.value.startswith(f"=IF(ISBLANK('U{update - 1} {step}'!"), (name, param, cell.value)
                checked += 1
    line = next(c.value for c in exercise["U2 3 Hidden layer input"]["A"] if c.value and c.value.endswith("= ?"))
    assert "wh[1,1]" in line and "bh[1,1]" in line, line
