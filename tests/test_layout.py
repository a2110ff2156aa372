"""Pure layout tables: where every number goes and which role it plays.  No files.

Positions are found from the cells themselves (a matrix's label, then its block of numbers
below it), so these tests check the board the sheets actually show, not the board object.
"""
from __future__ import annotations

import pytest

from mlptrace import OutputConfig, TrainConfig, train
from mlptrace import expr as ex
from mlptrace import layout

import formula

NUMERIC = {"value", "focus", "input"}

# SPEC §2: the step that computes each matrix (one hidden layer).
STEP_OF = {
    "X": 1, "y": 1, "wh": 2, "bh": 2, "wout": 2, "bout": 2, "lr": 2,
    "hidden_layer_input": 3, "hiddenlayer_activations": 4, "output_layer_input": 5, "output": 5,
    "E": 6, "slope_output_layer": 7, "slope_hidden_layer": 7, "d_output": 8,
    "Error_at_hidden_layer": 9, "d_hiddenlayer": 10, "wout_next": 11, "wh_next": 11,
    "bout_next": 12, "bh_next": 12,
}
TITLES = ["Inputs", "Initial weights", "Hidden layer input", "Hidden activations", "Output", "Error",
          "Slopes", "Output delta", "Hidden error", "Hidden delta", "Update weights", "Update biases"]
ARTICLE_SHEETS = ["Overview"] + [f"{k} {t}" for k, t in enumerate(TITLES, start=1)]


def book_of(trace, epoch=1, **kw):
    copy = kw.pop("copy", None)
    return layout.epoch_book(trace, trace.epoch(epoch), OutputConfig(**kw), copy)


def sheet_named(book, name):
    matches = [s for s in book.sheets if s.name == name]
    assert len(matches) == 1, f"{len(matches)} sheets called {name!r}"
    return matches[0]


def grid(sheet):
    out = {}
    for c in sheet.cells:
        assert (c.row, c.col) not in out, f"{sheet.name}: two cells at {c.row},{c.col}"
        out[(c.row, c.col)] = c
    return out


def label_positions(sheet):
    """{matrix name: (row, col) of its label}; a label reads 'name' or 'name  (r×c)'."""
    return {c.value.split()[0]: (c.row, c.col) for c in sheet.cells if c.role == "label"}


def origins(sheet, update):
    """{name: (row, col) of cell [0, 0]} for every matrix shown, found below its label."""
    cells, found = grid(sheet), {}
    for name, (r, c) in label_positions(sheet).items():
        values = update[name]
        for k in range(1, 5):
            block = [cells.get((r + k + i, c + j)) for i in range(values.shape[0]) for j in range(values.shape[1])]
            if all(b is not None and b.role in NUMERIC and b.value == v for b, v in zip(block, values.ravel())):
                found[name] = (r + k, c)
                break
        else:
            raise AssertionError(f"{sheet.name}: no block of {name}'s numbers below its label")
    return found


def addr(origins_, ref):
    r, c = origins_[ref.name]
    return r + ref.row, c + ref.col


def roles(sheet, role):
    return {(c.row, c.col) for c in sheet.cells if c.role == role}


def clipped(shape, focus):
    return min(focus[0], shape[0]) - 1, min(focus[1], shape[1]) - 1


def formula_cells(text):
    """Every same-sheet cell a formula reads (tests/formula.py), ranges expanded."""
    refs = formula.references(text)
    assert all(sheet is None for sheet, _, _ in refs), text
    return {(row, col) for _, row, col in refs}


@pytest.fixture(scope="module")
def trace():
    return train(seed=0, epochs=5, record="1,last")


@pytest.fixture(scope="module")
def book(trace):
    return book_of(trace)


# ---------------------------------------------------------------- sheets and the board


def test_sheet_names(book):
    assert [s.name for s in book.sheets] == ARTICLE_SHEETS
    assert all(len(s.name) <= 31 for s in book.sheets)


def test_every_matrix_has_one_place_on_every_step_sheet(book, trace):
    u = trace.epoch(1).updates[0]
    labels, places = {}, {}
    for sheet in book.sheets[1:]:
        for name, pos in label_positions(sheet).items():
            assert labels.setdefault(name, pos) == pos, f"{name}'s label moves on {sheet.name}"
        for name, pos in origins(sheet, u).items():
            assert places.setdefault(name, pos) == pos, f"{name} moves on {sheet.name}"
    assert set(places) == set(STEP_OF)
    taken = {}
    for name, (r, c) in places.items():  # no two matrices overlap
        rows, cols = u[name].shape
        for cell in ((r + i, c + j) for i in range(rows) for j in range(cols)):
            assert cell not in taken, f"{name} and {taken.get(cell)} overlap at {cell}"
            taken[cell] = name
    board = layout.make_board(u, layout.header_rows(u) + 1, book.decimals)
    assert {n: board.places[n] for n in places} == places


def test_a_matrix_appears_from_its_step_on(book):
    for k, sheet in enumerate(book.sheets[1:], start=1):
        assert set(label_positions(sheet)) == {n for n, s in STEP_OF.items() if s <= k}, sheet.name


def test_given_cells_refer_back_to_where_they_first_appear(book, trace):
    u = trace.epoch(1).updates[0]
    home = {1: "1 Inputs", 2: "2 Initial weights"}
    for sheet in book.sheets[1:]:
        cells, where = grid(sheet), origins(sheet, u)
        for name in (n for n, s in STEP_OF.items() if s <= 2 and n in where):
            r0, c0 = where[name]
            cell = cells[(r0, c0)]
            if sheet.name == home[STEP_OF[name]]:
                assert cell.formula is None, (sheet.name, name)
            else:
                assert cell.formula == f"'{home[STEP_OF[name]]}'!{ex.cell_name(r0, c0)}", (sheet.name, name)


def test_given_steps_highlight_nothing(book):
    for sheet in book.sheets[1:3]:
        assert not roles(sheet, "focus") and not roles(sheet, "input"), sheet.name


# ---------------------------------------------------------------- focus and its inputs


def test_hidden_layer_input_focus_1_1_by_hand(book, trace):
    """SPEC §3: for hidden_layer_input[i,j]: row i of X, column j of wh, and bh[j]."""
    u = trace.epoch(1).updates[0]
    sheet = sheet_named(book, "3 Hidden layer input")
    where = origins(sheet, u)

    def at(name, i, j):
        return where[name][0] + i, where[name][1] + j

    assert roles(sheet, "focus") == {at("hidden_layer_input", 0, 0)}
    expected = {at("X", 0, k) for k in range(4)} | {at("wh", k, 0) for k in range(4)} | {at("bh", 0, 0)}
    assert len(expected) == 9
    assert roles(sheet, "input") == expected


def test_update_focus_by_hand(trace):
    """SPEC §3: for an update: the old weight, the column of hᵀ, the column of the delta, lr."""
    u = trace.epoch(1).updates[0]
    sheet = sheet_named(book_of(trace, focus=(2, 3)), "11 Update weights")
    where = origins(sheet, u)

    def at(name, i, j):
        return where[name][0] + i, where[name][1] + j

    # wout_next is 3×1: focus 2,3 clips to [1,0]; wh_next is 4×3: [1,2]
    assert roles(sheet, "focus") == {at("wout_next", 1, 0), at("wh_next", 1, 2)}
    expected = ({at("wout", 1, 0), at("lr", 0, 0)}
                | {at("hiddenlayer_activations", s, 1) for s in range(3)} | {at("d_output", s, 0) for s in range(3)}
                | {at("wh", 1, 2)} | {at("X", s, 1) for s in range(3)} | {at("d_hiddenlayer", s, 2) for s in range(3)})
    assert roles(sheet, "input") == expected


def test_hidden_error_focus_by_hand(trace):
    """Error_at_hidden_layer[i,j] = row i of d_output against row j of wout."""
    u = trace.epoch(1).updates[0]
    sheet = sheet_named(book_of(trace, focus=(3, 2)), "9 Hidden error")
    where = origins(sheet, u)
    assert roles(sheet, "focus") == {(where["Error_at_hidden_layer"][0] + 2, where["Error_at_hidden_layer"][1] + 1)}
    assert roles(sheet, "input") == {(where["d_output"][0] + 2, where["d_output"][1]),
                                     (where["wout"][0] + 1, where["wout"][1])}


FOCI = [(1, 1), (2, 3), (3, 1), (9, 9)]


@pytest.mark.parametrize("focus", FOCI)
def test_focus_formulas_read_exactly_the_orange_cells(trace, focus):
    """On every computing step sheet, the yellow cells' formulas read exactly the orange cells
    (and yellow ones: step 5's output reads output_layer_input)."""
    book = book_of(trace, focus=focus)
    for step in range(3, 13):
        sheet = sheet_named(book, f"{step} {TITLES[step - 1]}")
        cells, focus_cells, orange = grid(sheet), roles(sheet, "focus"), roles(sheet, "input")
        assert len(focus_cells) == sum(s == step for s in STEP_OF.values()), sheet.name
        read = set()
        for pos in focus_cells:
            assert cells[pos].formula, f"{sheet.name}: focus cell {pos} has no formula"
            read |= formula_cells(cells[pos].formula)
        assert orange and read - focus_cells == orange, sheet.name
        assert bool(read & focus_cells) == (step == 5), sheet.name


def test_wide_layers_use_ranges_and_still_read_the_orange_cells():
    trace = train(TrainConfig(hidden=(12, 2), epochs=1))
    u = trace.epoch(1).updates[0]
    book = book_of(trace, focus=(2, 2))
    for name in ("3.2 Hidden layer input 2", "9.1 Hidden error 1", "11 Update weights"):
        sheet = sheet_named(book, name)
        cells, focus_cells = grid(sheet), roles(sheet, "focus")
        read = set().union(*(formula_cells(cells[p].formula) for p in focus_cells))
        assert read - focus_cells == roles(sheet, "input"), name
    sheet = sheet_named(book, "3.2 Hidden layer input 2")
    where = origins(sheet, u)
    (focus_cell,) = roles(sheet, "focus")
    assert focus_cell == addr(where, ex.Ref("hidden_layer_input_2", 1, 1))
    # row 2 of the first layer's activations, column 2 of wh_2, bh_2[2]
    a, w = where["hiddenlayer_activations_1"], where["wh_2"]
    assert roles(sheet, "input") == ({(a[0] + 1, a[1] + k) for k in range(12)} | {(w[0] + k, w[1] + 1) for k in range(12)}
                                     | {addr(where, ex.Ref("bh_2", 0, 1))})
    assert ":" in grid(sheet)[focus_cell].formula  # twelve products: a range, not 12 written out


# ---------------------------------------------------------------- the written-out lines


# --decimals 2: the weights (between 0.1 and 1) still show 3 significant digits, and as many more
# as tell each from its updated value; the sum (above 1) shows its 2 decimals
@pytest.mark.parametrize("decimals, w_places, z_places", [(3, 3, 3), (2, 3, 2)])
def test_arithmetic_line_of_step_3(trace, decimals, w_places, z_places):
    u = trace.epoch(1).updates[0]
    X, wh, bh = u["X"], u["wh"], u["bh"]
    assert 0.1 <= wh.min() and wh.max() < 1 and 0.1 <= bh[0, 0] < 1
    z = sum(X[0, k] * wh[k, 0] for k in range(4)) + bh[0, 0]
    assert 1 <= z < 10
    def shown(before, after):  # a parameter shows the digits that tell it from its update
        p = w_places
        while f"{before:.{p}f}" == f"{after:.{p}f}":
            p += 1
        return f"{before:.{p}f}"

    terms = " + ".join(f"{int(X[0, k])}×{shown(wh[k, 0], u['wh_next'][k, 0])}" for k in range(4))
    expected = f"hidden_layer_input[1,1] = {terms} + {shown(bh[0, 0], u['bh_next'][0, 0])} = {z:.{z_places}f}"
    assert expected.startswith("hidden_layer_input[1,1] = 1×0.5488 + 0×0.5449 + ")  # the article, seed 0
    sheet = sheet_named(book_of(trace, decimals=decimals), "3 Hidden layer input")
    lines = [c.value for c in sheet.cells if c.role == "arithmetic"]
    assert lines == [expected]
    assert any(c.role == "formula_text" and "hidden_layer_input" in c.value and "X" in c.value
               and "wh" in c.value and "bh" in c.value for c in sheet.cells)


def test_arithmetic_lines_name_each_focus_cell(trace):
    book = book_of(trace, focus=(2, 3))
    u = trace.epoch(1).updates[0]
    for k, title in enumerate(TITLES[2:], start=3):
        sheet = sheet_named(book, f"{k} {title}")
        lines = [c.value for c in sheet.cells if c.role == "arithmetic"]
        computes = [n for n, s in STEP_OF.items() if s == k]
        assert len(lines) == len(computes), sheet.name
        for name in computes:
            i, j = clipped(u[name].shape, (2, 3))
            line = next(l for l in lines if l.startswith(f"{name}[{i + 1},{j + 1}] = "))
            shown = line.rsplit(" = ", 1)[1]
            places = len(shown.split(".")[1]) if "." in shown else 0
            value = float(shown.replace("−", "-"))
            # the number, rounded to what it shows: 3 decimals, and 3 significant digits below 0.1
            assert places >= 3 and abs(value - u[name][i, j]) <= 0.5 * 10.0 ** -places + 1e-15, line
            assert len(shown.replace("−", "").replace(".", "").lstrip("0")) >= 3, line


# ---------------------------------------------------------------- several hidden layers, several updates


def test_two_hidden_layers_sheet_and_matrix_names():
    trace = train(TrainConfig(hidden=(5, 4), epochs=1))
    book = book_of(trace)
    expected = (["Overview", "1 Inputs", "2 Initial weights",
                 "3.1 Hidden layer input 1", "4.1 Hidden activations 1",
                 "3.2 Hidden layer input 2", "4.2 Hidden activations 2",
                 "5 Output", "6 Error", "7 Slopes", "8 Output delta",
                 "9.2 Hidden error 2", "10.2 Hidden delta 2", "9.1 Hidden error 1", "10.1 Hidden delta 1",
                 "11 Update weights", "12 Update biases"])
    assert [s.name for s in book.sheets] == expected
    u = trace.epoch(1).updates[0]
    per_layer = ["wh", "bh", "hidden_layer_input", "hiddenlayer_activations", "slope_hidden_layer",
                 "Error_at_hidden_layer", "d_hiddenlayer", "wh_next", "bh_next"]
    hidden = {(f"{n}_{k}" if not n.endswith("_next") else f"{n[:-5]}_{k}_next") for n in per_layer for k in (1, 2)}
    article_out = {"X", "y", "lr", "wout", "bout", "output_layer_input", "output", "E", "slope_output_layer",
                   "d_output", "wout_next", "bout_next"}
    assert set(u.values) == hidden | article_out
    assert u["wh_1"].shape == (4, 5) and u["wh_2"].shape == (5, 4) and u["wout"].shape == (4, 1)
    assert u["hidden_layer_input_2"].shape == (3, 4) and u["d_hiddenlayer_1"].shape == (3, 5)
    where = origins(sheet_named(book, "12 Update biases"), u)
    assert set(where) == set(u.values)
    sheet = sheet_named(book, "3.2 Hidden layer input 2")
    where = origins(sheet, u)
    assert roles(sheet, "focus") == {where["hidden_layer_input_2"]}
    # row 1 of layer 1's activations, column 1 of wh_2, bh_2[1]
    (r, c), (rw, cw) = where["hiddenlayer_activations_1"], where["wh_2"]
    assert roles(sheet, "input") == ({(r, c + k) for k in range(5)} | {(rw + k, cw) for k in range(5)}
                                     | {where["bh_2"]})


def test_sheet_names_fit_with_three_layers_and_many_updates():
    trace = train(TrainConfig(hidden=(2, 2, 2), data="xor", batch_size=1, epochs=1))
    names = [s.name for s in book_of(trace).sheets]
    assert len(names) == len(set(names)) == 1 + 4 * (12 + 2 * 4)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert "U4 10.3 Hidden delta 3" in names


def test_sgd_gets_a_set_of_sheets_per_update(xor_sgd_trace):
    book = book_of(xor_sgd_trace)
    assert [s.name for s in book.sheets] == ["Overview"] + [
        f"U{k} {n}" for k in range(1, 5) for n in ARTICLE_SHEETS[1:]]


def test_sgd_later_updates_start_from_the_previous_results(xor_sgd_trace):
    book = book_of(xor_sgd_trace)
    updates = xor_sgd_trace.epoch(1).updates
    first = grid(sheet_named(book, "U1 2 Initial weights"))
    where1 = origins(sheet_named(book, "U1 2 Initial weights"), updates[0])
    for name in ("wh", "bh", "wout", "bout"):
        assert first[where1[name]].formula is None  # the first update starts from values
    for k in range(2, 5):
        sheet = sheet_named(book, f"U{k} 2 Initial weights")
        cells, where = grid(sheet), origins(sheet, updates[k - 1])
        for name, step in (("wh", "11 Update weights"), ("wout", "11 Update weights"),
                           ("bh", "12 Update biases"), ("bout", "12 Update biases")):
            source = sheet_named(book, f"U{k - 1} {step}")
            src_cells, src_where = grid(source), origins(source, updates[k - 2])
            rows, cols = updates[k - 1][name].shape
            for i in range(rows):
                for j in range(cols):
                    cell = cells[(where[name][0] + i, where[name][1] + j)]
                    target = (src_where[name + "_next"][0] + i, src_where[name + "_next"][1] + j)
                    assert cell.formula == f"'{source.name}'!{ex.cell_name(*target)}", (k, name, i, j)
                    assert cell.value == src_cells[target].value == updates[k - 2][name + "_next"][i, j]


def test_sgd_update_sheets_show_their_own_batch(xor_sgd_trace):
    book = book_of(xor_sgd_trace)
    X = xor_sgd_trace.data.X
    for k, u in enumerate(xor_sgd_trace.epoch(1).updates, start=1):
        sheet = sheet_named(book, f"U{k} 3 Hidden layer input")
        where = origins(sheet, u)
        cells = grid(sheet)
        assert [cells[(where["X"][0], where["X"][1] + j)].value for j in range(2)] == list(X[k - 1])
        assert str(k) in next(c.value for c in sheet.cells if c.role == "title")


def test_small_numbers_keep_their_digits():
    """At least --decimals places and 3 significant digits: a small delta is never 0.000."""
    def shown(x, decimals, before=None):
        return ex.number_text(x, ex.places_for(x, decimals, before))
    assert shown(0.000288, 3) == "0.000288"
    assert shown(-2.5e-7, 3) == "−0.000000250"
    assert shown(-0.000985, 3) == "−0.000985"  # never −0.001: three digits that mean something
    assert shown(0.0123, 3) == "0.0123"
    assert shown(1.5544452762839496, 3) == "1.554"
    assert shown(0.173, 0) == "0.173" and shown(12.34, 0) == "12.3" and shown(1234.5, 0) == "1234"
    assert shown(1.0, 3) == "1.000" and shown(0.0, 3) == "0.000" and shown(-0.0, 3) == "0.000"
    assert ex.number_text(1.0, 0) == "1" and ex.number_format(0) == "0" and ex.number_format(2) == "0.00"
    # an updated weight shows the digits that make its move visible
    assert shown(0.54890, 3, before=0.54881) == "0.5489"
    assert shown(0.5 + 2e-9, 3, before=0.5) == "0.500000002"
    assert shown(0.5488135, 3, before=0.5488135) == "0.549"  # no move, no extra digits


def test_arithmetic_lines_are_live_only_in_formula_workbooks(trace):
    """A live workbook's arithmetic line is a formula over the board's cells with the text as
    its value; --values keeps plain text; an exercise copy keeps its "= ?" lines."""
    def arithmetic(book, name):
        return [c for c in sheet_named(book, name).cells if c.role == "arithmetic"]
    (live,) = arithmetic(book_of(trace), "3 Hidden layer input")
    assert live.value.startswith("hidden_layer_input[1,1] = 1×0.5488 + ")
    assert live.formula.startswith('"hidden_layer_input[1,1] = "&TEXT(')
    assert live.formula.count("TEXT(") == 4 + 4 + 1 + 1  # X row, wh column, bh, the result
    (plain,) = arithmetic(book_of(trace, formulas=False), "3 Hidden layer input")
    assert plain.formula is None and plain.value == live.value
    for line in arithmetic(book_of(trace, exercise="guided", copy="exercise"), "3 Hidden layer input"):
        assert line.formula is None and line.value.endswith(" = ?")


@pytest.mark.parametrize("settings, one_page", [(dict(), True), (dict(hidden=(5, 4)), False),
                                                (dict(data="moons", hidden=(6,), batch_size=8), False)],
                         ids=["article", "deep", "moons mini-batches"])
def test_a_runs_books_share_one_board_search(settings, one_page):
    """With the run's memo, every epoch's board is the board it gets on its own (one page, or
    as wide as a page), and the wrapping is searched once per shape of board."""
    trace = train(TrainConfig(epochs=3, record="all", **settings))
    memo = {}
    for epoch in trace.epochs:
        first = epoch.updates[0]
        top = layout.header_rows(first) + 1
        alone = layout.make_board(first, top, 3, epoch.updates)
        shared = layout.make_board(first, top, 3, epoch.updates, memo)
        assert shared == alone and shared is not alone
        assert shared.one_page == one_page
    assert 1 <= len(memo) <= len(trace.epochs)
