"""Workbooks read back with openpyxl: numbers, colours, formats, fonts, print setup, bytes.

Matrices are found in the file itself (a matrix's label, then its block of numbers below it),
so nothing here trusts the layout's own idea of where things are.
"""
from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest
from openpyxl import load_workbook

from conftest import REPO
from mlptrace import OutputConfig, TrainConfig, layout, train
from mlptrace.writers import xlsx as writer
from mlptrace import expr as ex
from mlptrace.cli import main
from mlptrace.export import write_workbooks

import packages

YELLOW, ORANGE = "FFFF00", "FFC000"
_SHAPED = re.compile(r"^(X|y)  \(\d+×\d+\)$")


def load(data: bytes, data_only: bool):
    return load_workbook(io.BytesIO(data), data_only=data_only)


def make_bytes(trace, epoch=1, **kw):
    copy = kw.pop("copy", None)
    return writer.book_bytes(layout.epoch_book(trace, trace.epoch(epoch), OutputConfig(**kw), copy))


def xlsx_origins(ws, update, rel=0.0):
    """{name: (row, col) of [0, 0]}: each label, then the first block below it holding the numbers.

    ``ws`` must show numbers (a values workbook, or one loaded with data_only=True); numbers
    must equal the trace exactly (``rel`` 0) or to a relative tolerance.
    """
    labels = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                m = _SHAPED.match(c.value)
                name = m.group(1) if m else c.value
                if name in update.values and (m or name not in ("X", "y")) and name not in labels:
                    labels[name] = (c.row, c.column)
    found = {}
    for name, (r, col) in labels.items():
        values = update[name]
        for k in range(1, 5):
            if all(_same(ws.cell(r + k + i, col + j).value, values[i, j], rel)
                   for i in range(values.shape[0]) for j in range(values.shape[1])):
                found[name] = (r + k, col)
                break
        else:
            raise AssertionError(f"{ws.title}: {name}'s numbers are not below its label at full precision")
    return found


def _same(cell_value, number, rel):
    if rel == 0:
        return cell_value == number
    return isinstance(cell_value, (int, float)) and abs(cell_value - number) <= rel * abs(number)


def filled(ws):
    """{(row, col): RGB} of every cell with a solid fill."""
    return {(c.row, c.column): c.fill.fgColor.rgb[-6:] for row in ws.iter_rows() for c in row
            if c.fill is not None and c.fill.patternType == "solid"}


@pytest.fixture(scope="module")
def trace():
    return train(TrainConfig(seed=0, epochs=20, record="1,last"))


@pytest.fixture(scope="module")
def live(trace):
    """Epoch 1 with formulas (focus 2,3), loaded both ways."""
    data = make_bytes(trace, focus=(2, 3))
    return load(data, False), load(data, True)


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("epoch", [1, 20])
def test_values_workbook_holds_the_trace_at_full_precision(trace, epoch):
    wb = load(make_bytes(trace, epoch, formulas=False), False)
    u = trace.epoch(epoch).updates[0]
    for ws in wb.worksheets[1:]:
        xlsx_origins(ws, u)  # every number, exactly


@pytest.mark.parametrize("epoch", [1, 20])
def test_values_workbook_has_every_number_and_no_formula(trace, epoch):
    wb = load(make_bytes(trace, epoch, formulas=False), False)
    u = trace.epoch(epoch).updates[0]
    assert set(xlsx_origins(wb.worksheets[-1], u, rel=1e-15)) == set(u.values)
    for ws in wb.worksheets[1:]:
        xlsx_origins(ws, u, rel=1e-15)
        assert not [c.coordinate for row in ws.iter_rows() for c in row
                    if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))], ws.title


def test_live_workbook_stores_starting_weights_at_full_precision(trace):
    """Epoch 20's starting weights are plain numbers on sheet 2; a formula chain starts there."""
    u = trace.epoch(20).updates[0]
    ws = load(make_bytes(trace, 20), True)["2 Initial weights"]
    xlsx_origins(ws, u)


def test_formula_cells_carry_cached_values_equal_to_the_trace(trace, live):
    formulas, cached = live
    u = trace.epoch(1).updates[0]
    n_formulas = 0
    for ws_f, ws_v in zip(formulas.worksheets[1:], cached.worksheets[1:]):
        where = xlsx_origins(ws_v, u)  # data_only: the cached numbers, compared exactly
        for name, (r, c) in where.items():
            rows, cols = u[name].shape
            for i in range(rows):
                for j in range(cols):
                    f, v = ws_f.cell(r + i, c + j), ws_v.cell(r + i, c + j)
                    if isinstance(f.value, str) and f.value.startswith("="):
                        n_formulas += 1
                        assert v.value is not None, f"{ws_f.title}!{f.coordinate} has no cached value"
                        assert v.value == u[name][i, j]
        for row in ws_f.iter_rows():  # no formula anywhere without its number
            for f in row:
                if f.data_type == "f" and f.value.startswith('="'):  # a live arithmetic line: its text
                    assert ws_v[f.coordinate].value.startswith(ws_f.cell(f.row - 1, 1).value.split(" = ")[0])
                elif f.data_type == "f":
                    assert isinstance(ws_v[f.coordinate].value, (int, float)), f"{ws_f.title}!{f.coordinate}"
    assert n_formulas > 200


def test_computed_cells_are_live_formulas(trace, live):
    formulas, _ = live
    ws = formulas["12 Update biases"]
    u = trace.epoch(1).updates[0]
    where = xlsx_origins(live[1]["12 Update biases"], u)
    for name in ("hidden_layer_input", "output", "E", "d_hiddenlayer", "wh_next", "bout_next"):
        r, c = where[name]
        assert str(ws.cell(r, c).value).startswith("="), name


# ---------------------------------------------------------------- colours


STEP_SHEETS = ["3 Hidden layer input", "4 Hidden activations", "5 Output", "6 Error", "7 Slopes",
               "8 Output delta", "9 Hidden error", "10 Hidden delta", "11 Update weights", "12 Update biases"]


@pytest.mark.parametrize("focus", [(1, 1), (2, 3), (3, 2)])
def test_fills_are_exactly_focus_and_inputs(trace, focus):
    data = make_bytes(trace, focus=focus)
    wb, wb_values = load(data, False), load(data, True)
    u = trace.epoch(1).updates[0]
    steps = {s.label: s for s in trace.plan.steps}
    for title in ["1 Inputs", "2 Initial weights"] + STEP_SHEETS:
        ws = wb[title]
        where = xlsx_origins(wb_values[title], u)
        focus_cells, inputs = set(), set()
        for name in (steps[title].computes if steps[title].phase != "given" else ()):
            rows, cols = u[name].shape
            i, j = min(focus[0], rows) - 1, min(focus[1], cols) - 1
            focus_cells.add((where[name][0] + i, where[name][1] + j))
            for r in ex.refs(u.cell_expr(name, i, j)):
                inputs.add((where[r.name][0] + r.row, where[r.name][1] + r.col))
        expected = {p: YELLOW for p in focus_cells} | {p: ORANGE for p in inputs - focus_cells}
        assert filled(ws) == expected, title


def test_hidden_layer_input_colours_by_hand(trace):
    data = make_bytes(trace)
    ws, wsv = load(data, False)["3 Hidden layer input"], load(data, True)["3 Hidden layer input"]
    w = xlsx_origins(wsv, trace.epoch(1).updates[0])
    fills = filled(ws)
    assert [p for p, rgb in fills.items() if rgb == YELLOW] == [w["hidden_layer_input"]]
    orange = {p for p, rgb in fills.items() if rgb == ORANGE}
    assert orange == ({(w["X"][0], w["X"][1] + k) for k in range(4)} | {(w["wh"][0] + k, w["wh"][1]) for k in range(4)}
                      | {w["bh"]})


def test_overview_has_a_colour_legend(trace):
    ws = load(make_bytes(trace), False)["Overview"]
    colours = set(filled(ws).values())
    assert {YELLOW, ORANGE} <= colours


# ---------------------------------------------------------------- formats, fonts, print


def _shown(value, fmt):
    """The text a plain "0.000…" number format shows for ``value``."""
    places = len(fmt.split(".")[1]) if "." in fmt else 0
    assert fmt == "0" or fmt == "0." + "0" * places, fmt
    return f"{value:.{places}f}", places


@pytest.mark.parametrize("decimals", [3, 5, 0])
def test_number_format_shows_the_decimals(trace, decimals):
    """At least --decimals places, 3 significant digits, the data bare, and every updated
    parameter differing from the one it replaces as shown."""
    data = make_bytes(trace, decimals=decimals)
    ws, wsv = load(data, False)["12 Update biases"], load(data, True)["12 Update biases"]
    u = trace.epoch(1).updates[0]
    where = xlsx_origins(wsv, u)
    checked = 0
    for name, (r, c) in where.items():
        for i, j in np.ndindex(u[name].shape):
            text, places = _shown(u[name][i, j], ws.cell(r + i, c + j).number_format)
            if name in ("X", "y"):
                assert places == 0, name
                continue
            assert places >= decimals, name
            assert len(text.lstrip("-").replace(".", "").lstrip("0")) >= 3, (name, text)
            if name.endswith("_next"):
                old = name[:-len("_next")]
                (r0, c0) = where[old]
                before, _ = _shown(u[old][i, j], ws.cell(r0 + i, c0 + j).number_format)
                assert text != before, (name, i, j, text)
            checked += 1
    assert checked > 50


def test_every_cell_names_its_font(trace, live):
    for ws in live[0].worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    assert c.font.name, f"{ws.title}!{c.coordinate} has no font name"


def test_sheets_print_landscape_one_page_wide(live):
    for ws in live[0].worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title


# ---------------------------------------------------------------- CSV names


def test_csv_column_names_label_x_and_y_and_stay_text(tmp_path):
    csv = tmp_path / "cmd.csv"
    csv.write_text("speed,=1+1,=cmd\n1,0,1\n0,1,1\n1,1,0\n")
    trace = train(TrainConfig(data=str(csv), epochs=1))
    data = make_bytes(trace)
    wb, wbv = load(data, False), load(data, True)
    ws = wb["1 Inputs"]
    w = xlsx_origins(wbv["1 Inputs"], trace.epoch(1).updates[0])
    assert [ws.cell(w["X"][0] - 1, w["X"][1] + k).value for k in range(2)] == ["speed", "=1+1"]
    assert ws.cell(w["y"][0] - 1, w["y"][1]).value == "=cmd"
    for k in range(2):
        assert ws.cell(w["X"][0] - 1, w["X"][1] + k).data_type == "s"
    assert ws.cell(w["y"][0] - 1, w["y"][1]).data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                body = z.read(name).decode("utf-8")
                assert "cmd" not in "".join(re.findall(r"<f>([^<]*)</f>", body)), name
                assert "<f>1+1</f>" not in body


# ---------------------------------------------------------------- bytes


def test_same_book_same_bytes(trace):
    assert make_bytes(trace) == make_bytes(trace)
    assert make_bytes(trace, decimals=2) != make_bytes(trace)


def test_written_files_carry_fixed_dates_only(trace, tmp_path):
    """Written twice, the same bytes; and no date from the clock in them, so files written
    seconds (or years) apart are identical too."""
    first = write_workbooks(trace, str(tmp_path / "a"))
    second = write_workbooks(trace, str(tmp_path / "b"))
    assert [p.split("/")[-1] for p in first] == [p.split("/")[-1] for p in second]
    for a, b in zip(first, second):
        assert open(a, "rb").read() == open(b, "rb").read()
        packages.assert_fixed_dates(a)


def compare_with_default_run(committed, tmp_path, monkeypatch):
    files = sorted(p.name for p in committed.iterdir()
                   if p.is_file() and not p.name.startswith(".")) if committed.is_dir() else []
    assert any(f.endswith(".xlsx") for f in files), f"{committed} is empty: regenerate it with `mlptrace`"
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0  # exactly the default command
    fresh = tmp_path / "outputs"
    assert sorted(p.name for p in fresh.iterdir() if not p.name.startswith(".")) == files
    for name in files:
        if name.endswith(".xlsx"):
            ours, theirs = packages.parts(fresh / name), packages.parts(committed / name)
            assert sorted(ours) == sorted(theirs), name
            for part in ours:
                assert ours[part] == theirs[part], f"{name}: {part} differs from a fresh run"
        else:
            assert (fresh / name).read_bytes() == (committed / name).read_bytes(), name


def test_committed_outputs_equal_a_fresh_default_run(tmp_path, monkeypatch, capsys):
    compare_with_default_run(REPO / "outputs", tmp_path, monkeypatch)


def test_only_the_data_is_shown_without_decimals(tmp_path):
    """Whole-number starting weights (a textbook's) and lr keep the decimals, so a student who
    types 0.5 over one sees 0.500; the 0/1 data is shown bare."""
    weights = tmp_path / "w.json"
    weights.write_text('{"layers": [{"W": [[1,0,1],[0,1,0],[1,1,1],[0,0,1]], "b": [[0,0,0]]},'
                       ' {"W": [[1],[1],[1]], "b": [[0]]}]}')
    trace = train(TrainConfig(init_weights=str(weights), lr=1, epochs=2, record="1"))
    epoch = trace.epochs[0]
    u = epoch.updates[0]
    board = layout.make_board(u, layout.header_rows(u) + 1, 3)
    ws = load(make_bytes(trace), False)["3 Hidden layer input"]
    for name, fmt in (("X", "0"), ("y", "0"), ("wh", "0.000"), ("bh", "0.000"), ("lr", "0.000"),
                      ("hidden_layer_input", "0.000")):
        rows, cols = u[name].shape
        got = {ws[ex.cell_name(*board.address(ex.Ref(name, i, j)))].number_format
               for i in range(rows) for j in range(cols)}
        if name in ("wh", "bh"):  # at least 3 decimals, more where they tell it from its update
            assert all(f.startswith(fmt) and set(f) <= {"0", "."} for f in got), (name, got)
        else:
            assert got == {fmt}, (name, got)
