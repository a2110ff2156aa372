"""mlptrace's workbooks checked by real LibreOffice.

LibreOffice loads each workbook with a profile that recalculates on load (see ``soffice.py``),
recomputes every formula and saves its own numbers; these must be the trace's numbers.  Before
LibreOffice sees a workbook, the cached value of every formula cell is replaced by a wrong
number (``POISON``), so a cell that LibreOffice did not recompute cannot pass.

All workbooks go through one soffice run (module fixture ``recalculated``), the PDF through a
second one.  The focus-reference check needs only openpyxl.
"""
from __future__ import annotations

import subprocess
import time

import numpy as np
import pytest
from openpyxl import load_workbook

from mlptrace import expr as ex
from mlptrace import layout
from mlptrace.config import TrainConfig
from mlptrace.export import write_workbooks
from mlptrace.trace import Given
from mlptrace.trainer import train

import books
import soffice as lo
from article import article_update
from formula import references

#: the cached value every formula cell gets before LibreOffice sees it: never a right answer
POISON = "-987654.3125"
RTOL, ATOL = 1e-12, 1e-15
YELLOW, ORANGE = "FFFF00", "FFC000"

RUNS = {
    # the article's network and data
    "article": dict(epochs=3, record="1,last"),
    # two hidden tanh layers, linear output
    "deep": dict(hidden=(3, 2), activation="tanh", output_activation="linear", epochs=3, record="1,last"),
    # stochastic gradient descent: four chained updates per epoch
    "sgd": dict(data="xor", batch_size=1, epochs=2),
    # fan-ins above expr.EXPLICIT_FAN_IN: MMULT (row × column) and SUMPRODUCT (column × column)
    "wide": dict(data="moons", hidden=(9,), epochs=2, record="1"),
    # a learning rate so large that the output sigmoid saturates: its input falls below −709.78,
    # where a spreadsheet's EXP(−x) overflows (#NUM!) but numpy's sigmoid is exactly 0
    "saturated": dict(lr=1e4, epochs=50, record="last"),
}


# ---------------------------------------------------------------- helpers


def board_of(trace, epoch, decimals=3):
    """The board of an epoch workbook, made as layout.epoch_book makes it."""
    first = epoch.updates[0]
    return layout.make_board(first, layout.header_rows(first) + 1, decimals, epoch.updates)


def sheet_names(trace, epoch):
    return layout.SheetNames.of(epoch.updates, trace.plan.steps)


def expected_formula_cells(trace, epoch) -> dict:
    """{(sheet, address): the trace's value} of every cell that must be a live formula.

    On every step sheet every cell of every matrix shown so far, except the given matrices at
    the place they are set: X and y on their step-1 sheets, the starting parameters and lr on
    the first update's step-2 sheet (a later update's parameters chain to the previous update's
    results, its lr to the first update's).
    """
    plan, board, names = trace.plan, board_of(trace, epoch), sheet_names(trace, epoch)
    order = [s.id for s in plan.steps]
    cells = {}
    for u in epoch.updates:
        for step in plan.steps:
            sheet = names(u.index, step.id)
            for name, spec in plan.specs.items():
                if order.index(spec.step) > order.index(step.id):
                    continue
                if isinstance(spec.op, Given) and spec.step == step.id and (u.index == 1 or name in ("X", "y")):
                    continue
                values = u[name]
                for i in range(values.shape[0]):
                    for j in range(values.shape[1]):
                        address = ex.cell_name(*board.address(ex.Ref(name, i, j)))
                        cells[(sheet, address)] = float(values[i, j])
    return cells


def formula_cells(path, text=False) -> dict:
    """{(sheet, address): formula text} of every number formula cell of the workbook at
    ``path`` (``text``: of every formula that builds text, the live arithmetic lines)."""
    return {(sheet, address): c.value for sheet, held in books.cells(path).items() for address, c in held.items()
            if c.data_type == "f" and c.value.startswith('="') == text}


def close(got, want) -> bool:
    return (isinstance(got, (int, float)) and not isinstance(got, bool)
            and abs(got - want) <= max(RTOL * abs(want), ATOL))


def rel_error(got, want) -> float:
    return abs(got - want) / abs(want) if want else abs(got - want)


def formula_refs(text: str) -> set:
    """Every cell a formula reads, ranges expanded: {(sheet or None, address)}."""
    return {(sheet, ex.cell_name(row, col)) for sheet, row, col in references(text)}


def test_formula_refs_parser():
    """The parser the focus test relies on: refs, ranges, sheet names; not function names."""
    assert formula_refs("=A11*H11+B11*H12+L11") == {(None, a) for a in ("A11", "H11", "B11", "H12", "L11")}
    assert formula_refs("=MMULT(A1:C1,E2:E3)") == {(None, a) for a in ("A1", "B1", "C1", "E2", "E3")}
    assert formula_refs("=1/(1+EXP(-AB7))") == {(None, "AB7")}
    assert formula_refs("=TANH(B2)+LOG10(1)") == {(None, "B2")}
    assert formula_refs("='U1 12 Update biases'!$H$30") == {("U1 12 Update biases", "H30")}
    assert formula_refs("='it''s'!A1+x!B2") == {("it's", "A1"), ("x", "B2")}


def fill_of(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper() if cell.fill.fill_type == "solid" else ""


def change_weight(src, dst, sheet, address, value) -> float:
    """Save a copy of ``src`` with one cell set to ``value`` (openpyxl); return the old value."""
    wb = load_workbook(src)
    old = wb[sheet][address].value
    wb[sheet][address].value = value
    wb.save(dst)
    return old


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Train every run and write its workbooks: {run: (trace, {epoch: path})}."""
    out = {}
    for run, settings in RUNS.items():
        with np.errstate(all="ignore"):  # the saturated run overflows numpy's exp, as it should
            trace = train(TrainConfig(**settings))
        paths = write_workbooks(trace, str(tmp_path_factory.mktemp(run)))
        out[run] = (trace, {e.epoch: p for e, p in zip(trace.epochs, paths)})
    return out


@pytest.fixture(scope="module")
def edits(built, tmp_path_factory):
    """Copies with one starting weight changed, as a user would change it.

    article: wh[1,1] of update 1 on '2 Initial weights'; sgd: wh[2,1] on 'U1 2 Initial weights'
    (sample 1 of xor is (0, 0), so a weight of input 2 changes update 2's numbers directly).
    """
    folder = tmp_path_factory.mktemp("edits")
    out = {}
    for run, (row, col), delta in (("article", (0, 0), 0.375), ("sgd", (1, 0), -0.625)):
        trace, paths = built[run]
        epoch = trace.epochs[0]
        u = epoch.updates[0]
        sheet = sheet_names(trace, epoch)(1, u.spec("wh").step)
        address = ex.cell_name(*board_of(trace, epoch).address(ex.Ref("wh", row, col)))
        new = float(u["wh"][row, col]) + delta
        path = folder / f"{run}_edited.xlsx"
        old = change_weight(paths[epoch.epoch], path, sheet, address, new)
        assert old == u["wh"][row, col], f"{sheet}!{address} is not wh[{row + 1},{col + 1}]"
        out[run] = dict(path=path, row=row, col=col, value=new)
    return out


@pytest.fixture(scope="module")
def recalculated(built, edits, tmp_path_factory):
    """Everything through one LibreOffice run.  {key: (original, recalculated path)}.

    keys: (run, epoch) for the poisoned workbooks, ("edit", run) for the edited ones and
    "proof" for a workbook with exactly one wrong cached value.
    """
    lo.require_soffice()
    folder = tmp_path_factory.mktemp("to_lo")
    inputs = {}
    for run, (trace, paths) in built.items():
        for epoch, path in paths.items():
            poisoned = folder / f"{run}_e{epoch}.xlsx"
            assert lo.set_cached_values(path, poisoned, POISON) > 0
            inputs[(run, epoch)] = (path, poisoned)
    for run, edit in edits.items():
        poisoned = folder / f"{run}_edited.xlsx"
        assert lo.set_cached_values(edit["path"], poisoned, POISON) > 0
        inputs[("edit", run)] = (edit["path"], poisoned)
    # the proof: one cell, hidden_layer_input[1,1] on '3 Hidden layer input', cached wrong
    trace, paths = built["article"]
    epoch = trace.epochs[0]
    address = ex.cell_name(*board_of(trace, epoch).address(ex.Ref("hidden_layer_input", 0, 0)))
    sheet = sheet_names(trace, epoch)(1, "3")
    position = load_workbook(paths[1]).sheetnames.index(sheet) + 1
    proof = folder / "proof.xlsx"
    assert lo.set_cached_values(paths[1], proof, "12345.5", sheet=position, cells={address}) == 1
    inputs["proof"] = (paths[1], proof)

    profile = lo.recalc_profile(tmp_path_factory.mktemp("profile"))
    start = time.perf_counter()
    done = lo.recalculate_many([p for _, p in inputs.values()], tmp_path_factory.mktemp("from_lo"),
                               profile=profile)
    seconds = time.perf_counter() - start
    print(f"\nLibreOffice recalculated {len(done)} workbooks in {seconds:.1f} s")
    return {key: (orig, new) for (key, (orig, _)), new in zip(inputs.items(), done)}


# ---------------------------------------------------------------- recalculation


@lo.requires_soffice
def test_libreoffice_really_recalculates(built, recalculated):
    """A cached value that is wrong on purpose comes back right: LibreOffice recomputed it."""
    trace, _ = built["article"]
    epoch = trace.epochs[0]
    address = ex.cell_name(*board_of(trace, epoch).address(ex.Ref("hidden_layer_input", 0, 0)))
    sheet = sheet_names(trace, epoch)(1, "3")
    original, converted = recalculated["proof"]
    got = load_workbook(converted, data_only=True)[sheet][address].value
    want = float(epoch.updates[0]["hidden_layer_input"][0, 0])
    assert load_workbook(original, data_only=True)[sheet][address].value == want
    assert got != 12345.5, "LibreOffice kept the wrong cached value: it did not recalculate"
    assert close(got, want), (got, want)


@lo.requires_soffice
@pytest.mark.parametrize("run", list(RUNS))
def test_libreoffice_recomputes_every_formula(run, built, recalculated):
    """Every formula cell of every recorded epoch, as LibreOffice computes it, is the trace's number."""
    trace, paths = built[run]
    compared, worst, wrong = 0, 0.0, []
    for epoch in trace.epochs:
        original, converted = recalculated[(run, epoch.epoch)]
        want = expected_formula_cells(trace, epoch)
        formulas = formula_cells(original)
        # every computed cell (and every reference to a given one) is a formula, and no other
        assert set(formulas) == set(want), (
            f"{run} epoch {epoch.epoch}: formula cells differ from the board's: "
            f"missing {sorted(set(want) - set(formulas))[:5]}, extra {sorted(set(formulas) - set(want))[:5]}")
        cached = books.values(original)
        for key, value in want.items():  # the writer cached the trace's values
            assert cached.get(key) == value, (run, epoch.epoch, key)
        got_book = books.cells(converted, data_only=True)
        for (sheet, address), value in want.items():
            got = got_book[sheet][address].value if address in got_book[sheet] else None
            compared += 1
            if close(got, value):
                worst = max(worst, rel_error(got, value))
            else:
                wrong.append(f"{sheet}!{address} {formulas[(sheet, address)]}: trace {value!r}, LibreOffice {got!r}")
        if run == "saturated":  # the case exists to exercise the guarded sigmoid
            assert any(f.startswith("=IF(") and "EXP" in f for f in formulas.values()), "no guarded sigmoid"
        if run == "wide":  # the case exists to exercise the range forms
            for fn in ("MMULT(", "SUMPRODUCT(", "SUM("):
                assert any(fn in f for f in formulas.values()), f"no {fn} formula in the wide workbook"
        n_updates, n_steps = len(epoch.updates), len(trace.plan.steps)
        assert len(got_book) == 1 + n_updates * n_steps
    print(f"\n{run}: {compared} formula cells compared, max relative error {worst:.2e}")
    assert not wrong, f"{len(wrong)} of {compared} cells differ, e.g.\n" + "\n".join(wrong[:20])
    assert compared >= {"article": 700, "deep": 900, "sgd": 2500, "wide": 10000, "saturated": 700}[run], compared


# ---------------------------------------------------------------- live formulas


@lo.requires_soffice
@pytest.mark.parametrize("run", list(RUNS))
def test_arithmetic_lines_are_what_libreoffice_computes(run, built, recalculated):
    """Each step's arithmetic line is a formula; its cached text is LibreOffice's text, exactly."""
    trace, paths = built[run]
    for epoch in trace.epochs:
        original, converted = recalculated[(run, epoch.epoch)]
        lines = formula_cells(original, text=True)
        computing = sum(1 for s in trace.plan.steps for n in s.computes
                        if not isinstance(trace.plan.specs[n].op, Given))
        assert len(lines) == computing * len(epoch.updates), (run, epoch.epoch)
        cached, got = books.values(original), books.values(converted)
        for key, formula in lines.items():
            assert len(formula) <= 8192 and "TEXT(" in formula
            want = cached[key]
            assert want.split(" = ")[0].endswith("]"), want
            assert got.get(key) == want, (key, formula)


@lo.requires_soffice
def test_changed_starting_weight_rewrites_the_arithmetic(built, edits, recalculated):
    """After wh[1,1] changes, the arithmetic lines show the new numbers and the new results."""
    trace, paths = built["article"]
    epoch = trace.epochs[0]
    u, edit = epoch.updates[0], edits["article"]
    assert (edit["row"], edit["col"]) == (0, 0)
    X, wh, bh = u["X"], u["wh"].copy(), u["bh"]
    wh[0, 0] = edit["value"]
    z = X[0] @ wh[:, 0] + bh[0, 0]
    assert all(0.1 <= abs(v) < 1 for v in (*wh[:, 0], bh[0, 0])) and 1 <= z < 10  # 3 decimals each
    def places(before, after):  # a parameter keeps the digits that told it from its update
        p = 3
        while f"{before:.{p}f}" == f"{after:.{p}f}":
            p += 1
        return p

    terms = " + ".join(f"{int(X[0, k])}×{wh[k, 0]:.{places(u['wh'][k, 0], u['wh_next'][k, 0])}f}"
                       for k in range(4))
    want = (f"hidden_layer_input[1,1] = {terms} + {bh[0, 0]:.{places(bh[0, 0], u['bh_next'][0, 0])}f}"
            f" = {z:.3f}")
    book = load_workbook(recalculated[("edit", "article")][1], data_only=True)
    lines = [c.value for row in book[sheet_names(trace, epoch)(1, "3")].iter_rows(max_row=8)
             for c in row if isinstance(c.value, str) and c.value.startswith("hidden_layer_input[")]
    assert lines == [want]
    # the bias update two sheets later ends in numpy's new bh_next, with the digits it had
    new = article_update(X, trace.data.y, wh, bh, u["wout"], u["bout"], trace.config.lr)["bh_next"][0, 0]
    before = load_workbook(paths[epoch.epoch], data_only=True)
    sheet = sheet_names(trace, epoch)(1, "12")
    (old_line,) = [c.value for row in before[sheet].iter_rows(max_row=8) for c in row
                   if isinstance(c.value, str) and c.value.startswith("bh_next[1,1] = ")]
    (line,) = [c.value for row in book[sheet].iter_rows(max_row=8) for c in row
               if isinstance(c.value, str) and c.value.startswith("bh_next[1,1] = ")]
    places = len(old_line.rsplit(" = ", 1)[1].split(".")[1])
    assert line.endswith(f" = {new:.{places}f}") and line != old_line, (line, new)


def _read_matrix(ws, board, name, shape):
    return np.array([[ws[ex.cell_name(*board.address(ex.Ref(name, i, j)))].value for j in range(shape[1])]
                     for i in range(shape[0])], dtype=float)


def _assert_matrix(got, want, what):
    bad = [(i + 1, j + 1, got[i, j], want[i, j]) for i in range(want.shape[0]) for j in range(want.shape[1])
           if not close(float(got[i, j]), float(want[i, j]))]
    assert not bad, f"{what}: (row, col, LibreOffice, numpy) {bad}"


@lo.requires_soffice
def test_changed_starting_weight_flows_to_the_update(built, edits, recalculated):
    """Change wh[1,1] in the file: LibreOffice's step-12 results are numpy's update with it."""
    trace, _ = built["article"]
    epoch = trace.epochs[0]
    u, edit = epoch.updates[0], edits["article"]
    wh = u["wh"].copy()
    wh[edit["row"], edit["col"]] = edit["value"]
    want = article_update(trace.data.X, trace.data.y, wh, u["bh"], u["wout"], u["bout"], trace.config.lr)
    board = board_of(trace, epoch)
    ws = load_workbook(recalculated[("edit", "article")][1], data_only=True)[sheet_names(trace, epoch)(1, "12")]
    for name in ("bh_next", "wout_next", "bout_next", "wh_next"):
        got = _read_matrix(ws, board, name, want[name].shape)
        _assert_matrix(got, want[name], f"'12 Update biases' {name}")
    # and the change mattered: the results moved away from the unchanged run's
    assert np.max(np.abs(want["wout_next"] - u["wout_next"])) > 1e-4
    assert np.max(np.abs(want["bh_next"] - u["bh_next"])) > 1e-6


@lo.requires_soffice
def test_sgd_updates_are_chained(built, edits, recalculated):
    """SGD: a change to update 1's starting weight reaches every later update, as in numpy."""
    trace, _ = built["sgd"]
    epoch = trace.epochs[0]
    assert len(epoch.updates) == 4
    edit = edits["sgd"]
    first = epoch.updates[0]
    params = {k: first[k].copy() for k in ("wh", "bh", "wout", "bout")}
    params["wh"][edit["row"], edit["col"]] = edit["value"]
    board, names = board_of(trace, epoch), sheet_names(trace, epoch)
    book = load_workbook(recalculated[("edit", "sgd")][1], data_only=True)
    for u in epoch.updates:
        rows = list(u.samples)
        new = article_update(trace.data.X[rows], trace.data.y[rows], params["wh"], params["bh"],
                             params["wout"], params["bout"], trace.config.lr)
        ws = book[names(u.index, "12")]
        for name in ("wh_next", "bh_next", "wout_next", "bout_next"):
            _assert_matrix(_read_matrix(ws, board, name, new[name].shape), new[name], f"{ws.title} {name}")
        if u.index == 2:  # update 2 itself responds, not only the carried weight
            assert np.max(np.abs(new["bh_next"] - u["bh_next"])) > 1e-6
            assert np.max(np.abs(new["wout_next"] - u["wout_next"])) > 1e-6
        params = {k: new[k + "_next"] for k in params}


# ---------------------------------------------------------------- focus and its inputs


@pytest.fixture(scope="module")
def focus_only(tmp_path_factory):
    """Runs only the (LibreOffice-free) focus test reads: several sigmoid hidden layers."""
    trace = train(TrainConfig(hidden=(3, 2), epochs=1, record="1"))
    paths = write_workbooks(trace, str(tmp_path_factory.mktemp("deep_sigmoid")))
    return {"deep_sigmoid": (trace, {1: paths[0]})}


def focus_problems(trace, path, epoch) -> tuple[list, int]:
    """What breaks "the focus formulas read exactly the orange cells" on each step sheet."""
    wb = books.cells(path)
    names = sheet_names(trace, epoch)
    problems, checked = [], 0
    for u in epoch.updates:
        for step in trace.plan.steps:
            title = names(u.index, step.id)
            ws = wb[title]
            yellow = {a for a, c in ws.items() if fill_of(c) == YELLOW}
            orange = {a for a, c in ws.items() if fill_of(c) == ORANGE}
            checked += 1
            if step.phase == "given":
                if yellow or orange:
                    problems.append(f"{title}: nothing is computed, yet yellow {sorted(yellow)} orange {sorted(orange)}")
                continue
            if len(yellow) != len(step.computes):
                problems.append(f"{title}: {len(yellow)} yellow cells for {len(step.computes)} matrices computed")
            read = set()
            for address in sorted(yellow):
                formula = ws[address].value
                if not (isinstance(formula, str) and formula.startswith("=")):
                    problems.append(f"{title}!{address}: yellow but not a formula: {formula!r}")
                    continue
                refs = formula_refs(formula)
                if any(sheet is not None for sheet, _ in refs):
                    problems.append(f"{title}!{address} {formula}: reads another sheet")
                refs = {a for sheet, a in refs if sheet is None}
                if not refs <= orange | yellow:
                    problems.append(f"{title}!{address} {formula}: reads {sorted(refs - orange - yellow)}, "
                                    "which are not orange")
                read |= refs
            if orange - read:
                problems.append(f"{title}: orange {sorted(orange - read)} read by no yellow formula "
                                f"({', '.join(ws[a].value for a in sorted(yellow))})")
    return problems, checked


@pytest.mark.parametrize("run", ["article", "deep", "sgd", "wide", "deep_sigmoid"])
def test_focus_formula_reads_exactly_the_orange_cells(run, built, focus_only):
    """On every step sheet, the yellow cells' formulas read exactly the orange cells (and maybe
    other yellow cells of the same step), all on the same sheet; given steps have neither."""
    trace, paths = {**built, **focus_only}[run]
    checked = 0
    for epoch in trace.epochs:
        problems, n = focus_problems(trace, paths[epoch.epoch], epoch)
        assert not problems, f"{run} epoch {epoch.epoch}:\n" + "\n".join(problems)
        checked += n
    assert checked == sum(len(e.updates) for e in trace.epochs) * len(trace.plan.steps)


def test_orange_cells_are_the_articles_on_every_step(built):
    """Article run, focus [1,1]: the orange cells of each step are the ones the SPEC names."""
    trace, paths = built["article"]
    epoch = trace.epochs[0]
    board = board_of(trace, epoch)
    u = epoch.updates[0]

    def cells(name, rows=None, cols=None):
        shape = u[name].shape
        rows = range(shape[0]) if rows is None else rows
        cols = range(shape[1]) if cols is None else cols
        return {ex.cell_name(*board.address(ex.Ref(name, i, j))) for i in rows for j in cols}

    first, col1 = [0], [0]
    expected = {
        "3": cells("X", first) | cells("wh", None, col1) | cells("bh", None, col1),
        "4": cells("hidden_layer_input", first, col1),
        "5": cells("hiddenlayer_activations", first) | cells("wout", None, col1) | cells("bout"),
        "6": cells("y", first) | cells("output", first),
        "7": cells("output", first) | cells("hiddenlayer_activations", first, col1),
        "8": cells("E", first) | cells("slope_output_layer", first),
        "9": cells("d_output", first) | cells("wout", first),
        "10": cells("Error_at_hidden_layer", first, col1) | cells("slope_hidden_layer", first, col1),
        "11": (cells("wout", first, col1) | cells("hiddenlayer_activations", None, col1) | cells("d_output")
               | cells("wh", first, col1) | cells("X", None, col1) | cells("d_hiddenlayer", None, col1)
               | cells("lr")),
        "12": cells("bout") | cells("d_output") | cells("bh", None, col1) | cells("d_hiddenlayer", None, col1)
              | cells("lr"),
    }
    wb = load_workbook(paths[epoch.epoch])
    names = sheet_names(trace, epoch)
    for step, want in expected.items():
        ws = wb[names(1, step)]
        orange = {c.coordinate for row in ws.iter_rows() for c in row if fill_of(c) == ORANGE}
        assert orange == want, (ws.title, sorted(orange - want), sorted(want - orange))


# ---------------------------------------------------------------- print


@lo.requires_soffice
@lo.requires_pdftoppm
def test_recalculated_workbook_prints_the_same(built, recalculated, tmp_path):
    """Printed as shipped (cached values) and after LibreOffice recalculates every formula (of
    the copy whose cached values were poisoned), the article's epoch-1 workbook shows the same
    text on every page (every number as displayed) and the same yellow and orange cells on the
    step-3 page.  (The printed colours themselves: test_handouts, from ``--pdf``.)"""
    trace, paths = built["article"]
    original = paths[trace.epochs[0].epoch]
    recalculated = recalculated[("article", trace.epochs[0].epoch)][1]
    plain = tmp_path / "plain"  # LibreOffice's own defaults: it prints the cached values as they
    (plain / "user").mkdir(parents=True)  # are: ours, and in the recalculated copy its own
    pdfs = lo.convert([original, recalculated], tmp_path / "pdf", "pdf", profile=plain)
    texts = [subprocess.run([lo.PDFTOTEXT, "-layout", str(p), "-"], capture_output=True, text=True,
                            check=True, timeout=60).stdout for p in pdfs]
    assert texts[0].count("\f") == len(load_workbook(original).sheetnames)
    assert "hidden_layer_input[1,1] = 1×" in texts[0]
    assert texts[0] == texts[1]

    def colours(pdf, folder):
        rgb = lo.render_page(pdf, lo.pdf_page_of(pdf, "Step 3 Hidden layer input —"), folder, dpi=60)
        return [int(np.all(rgb == c, axis=-1).sum()) for c in ((255, 255, 0), (255, 192, 0))]

    before, after = colours(pdfs[0], tmp_path), colours(pdfs[1], tmp_path)
    assert before == after and min(before) > 0, (before, after)
