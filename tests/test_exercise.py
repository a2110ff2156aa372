"""The class kit: exercise copies that only the work can pass, the levels, score, protection,
whose copy (variants, --roster), the students/ and keys/ folders, the marking table, merged
PDFs and a LibreOffice that never outlives its run.

Right answers come from the article's own numpy update, written out here (not from the key);
the checks are evaluated by a real LibreOffice that recalculates on load (``soffice.py``).
"""
from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from mlptrace.cli import main

import soffice as lo

ROOT = Path(__file__).resolve().parents[1]
X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
Y = np.array([[1], [1], [0]], dtype=float)
ORANGE = "FFC000"


def run_cli(*args) -> int:
    return main([str(a) for a in args])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def article_update(seed: int) -> dict:
    """Every matrix of the article's first update from ``np.random.seed(seed)``, by the names the
    copies use: the update steps as their change Δ."""
    rs = np.random.RandomState(seed)
    wh, bh, wout, bout = (rs.uniform(size=s) for s in ((4, 3), (1, 3), (3, 1), (1, 1)))
    lr = 0.1
    hidden_layer_input = X.dot(wh) + bh
    h = sigmoid(hidden_layer_input)
    output_layer_input = h.dot(wout) + bout
    output = sigmoid(output_layer_input)
    E = Y - output
    slope_output_layer, slope_hidden_layer = output * (1 - output), h * (1 - h)
    d_output = E * slope_output_layer
    Error_at_hidden_layer = d_output.dot(wout.T)
    d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer
    return {"hidden_layer_input": hidden_layer_input, "hiddenlayer_activations": h,
            "output_layer_input": output_layer_input, "output": output, "E": E,
            "slope_output_layer": slope_output_layer, "slope_hidden_layer": slope_hidden_layer,
            "d_output": d_output, "Error_at_hidden_layer": Error_at_hidden_layer, "d_hiddenlayer": d_hiddenlayer,
            "Δwout": h.T.dot(d_output) * lr, "Δwh": X.T.dot(d_hiddenlayer) * lr,
            "Δbout": d_output.sum(axis=0, keepdims=True) * lr, "Δbh": d_hiddenlayer.sum(axis=0, keepdims=True) * lr}


def three_digits(x: float) -> float:
    """``x`` rounded to three significant digits, as a student would type it."""
    return float(f"{x:.3g}")


def agrees(typed: float, answer: float) -> bool:
    """Our reading of "matches to 3 significant digits": within one unit of the answer's third
    significant digit (the README's rule), written here independently of the library."""
    if answer == 0:
        return typed == 0
    return abs(typed - answer) <= 10.0 ** (math.floor(math.log10(abs(answer))) - 2) * (1 + 1e-9)


def shown_places(path) -> dict:
    """{(matrix, i, j): decimals} of every number a copy shows on its last step sheet (where
    every matrix is on the board), read from the cells' number formats: what a student sees."""
    ws = load_workbook(path)["12 Update biases"]
    shapes = {n: v.shape for n, v in article_update(0).items()}
    shapes.update({"wh": (4, 3), "bh": (1, 3), "wout": (3, 1), "bout": (1, 1)})
    out = {}
    for row in ws.iter_rows(min_row=8):
        for c in row:
            if c.number_format.startswith("0") and (isinstance(c.value, float) or c.value is None
                                                    or str(c.value).startswith("=")):
                try:
                    name, i, j = where(ws, c.coordinate, shapes)
                except AssertionError:  # X, y: whole numbers
                    continue
                out[name, i, j] = len(c.number_format.split(".")[1]) if "." in c.number_format else 0
    return out


def own_work(seed: int, every_cell: bool, places: dict | None) -> dict:
    """What a student types who works each asked number out from the numbers the sheet shows
    (``places``: rounded to the decimals shown, else as stored) and from their own earlier
    answers, rounding each to three significant digits; ``every_cell``: the matrix level, else
    cell [1,1] of each matrix."""
    rs = np.random.RandomState(seed)
    given = dict(zip(("wh", "bh", "wout", "bout"), (rs.uniform(size=s) for s in ((4, 3), (1, 3), (3, 1), (1, 1)))))
    lr, right, typed = 0.1, article_update(seed), {}

    def seen(name, x):
        if places is None:
            return x
        return np.array([[round(x[i, j], places[name, i, j]) for j in range(x.shape[1])] for i in range(x.shape[0])])

    def ask(name, value):
        mine = np.vectorize(three_digits)(value)
        if not every_cell:  # only [1,1] is the student's; the rest is shown as computed
            mine, mine[0, 0] = seen(name, right[name]).copy(), mine[0, 0]
        typed[name] = mine
        return mine

    wh, bh, wout, bout = (seen(n, given[n]) for n in ("wh", "bh", "wout", "bout"))
    h_in = ask("hidden_layer_input", X.dot(wh) + bh)
    h = ask("hiddenlayer_activations", sigmoid(h_in))
    o_in = ask("output_layer_input", h.dot(wout) + bout)
    out = ask("output", sigmoid(o_in))
    E = ask("E", Y - out)
    slope_o, slope_h = ask("slope_output_layer", out * (1 - out)), ask("slope_hidden_layer", h * (1 - h))
    d_out = ask("d_output", E * slope_o)
    err_h = ask("Error_at_hidden_layer", d_out.dot(wout.T))
    d_h = ask("d_hiddenlayer", err_h * slope_h)
    ask("Δwout", h.T.dot(d_out) * lr)
    ask("Δwh", X.T.dot(d_h) * lr)
    ask("Δbout", d_out.sum(axis=0, keepdims=True) * lr)
    ask("Δbh", d_h.sum(axis=0, keepdims=True) * lr)
    return typed


def answer_cells(ws) -> list[str]:
    """The cells of a sheet that are checked (they carry the green/red rules)."""
    return sorted({a for cf in ws.conditional_formatting for a in str(cf.sqref).split()})


def where(ws, address, shapes) -> tuple[str, int, int]:
    """(matrix, i, j) of a board cell, from the labels above the matrices."""
    cell = ws[address]
    for row in ws.iter_rows(max_row=cell.row):
        for c in row:
            if c.value in shapes:
                rows, cols = shapes[c.value]
                i, j = cell.row - c.row - 2, cell.column - c.column
                if 0 <= i < rows and 0 <= j < cols:
                    return c.value, i, j
    raise AssertionError(f"{ws.title}!{address} is in no matrix")


_loaded: dict = {}


def fill(src, dst, value_of) -> int:
    """Copy an exercise copy with every answer cell set to ``value_of(ws, address)``.

    Each copy is read once and kept: every fill sets every answer cell, so no earlier fill's
    number survives into the next file (openpyxl's reading of a copy costs more than LibreOffice
    recalculating it)."""
    key = Path(src).resolve()
    if key not in _loaded:
        wb = load_workbook(src)
        _loaded[key] = (wb, [(ws, answer_cells(ws)) for ws in wb.worksheets])
    wb, cells = _loaded[key]
    n = 0
    for ws, addresses in cells:
        for address in addresses:
            ws[address].value = value_of(ws, address)
            n += 1
    wb.save(dst)
    return n


def score(path) -> tuple[float, str]:
    """The live score on a (recalculated) copy's first sheet: the number and "of N right"."""
    ws = load_workbook(path, read_only=True, data_only=True)["Overview"]
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == "Score:":
            return row[1], row[2]
    raise AssertionError("no score on the overview")


def fill_of(c):
    return (c.fill.fgColor.rgb or "")[-6:].upper() if c.fill and c.fill.fill_type == "solid" else None


# ---------------------------------------------------------------- a class of three


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """Three copies at each level; a roster for the guided ones."""
    root = tmp_path_factory.mktemp("kit")
    roster = root / "class.txt"
    roster.write_text("Ana Silva\nTom O'Brien\n王芳\n", encoding="utf-8")
    runs = {}
    for level in ("guided", "formula", "matrix"):
        out = root / level
        extra = ("--roster", roster) if level == "guided" else ("--variants", 3)
        assert run_cli("--epochs", 20, "--exercise", level, *extra, "--out", out, "--quiet") == 0
        runs[level] = out
    return runs


GUIDED_FILES = ["variant_01_Ana_Silva_epoch_01", "variant_02_Tom_O_Brien_epoch_01", "variant_03_王芳_epoch_01"]


def test_folders_split_students_from_answers(kit):
    out = kit["guided"]
    tree = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert tree == sorted([".mlptrace.json", "keys", "students", "summary.xlsx", "keys/marking.xlsx"]
                          + [f"students/{f}_exercise.xlsx" for f in GUIDED_FILES]
                          + [f"keys/{f}_key.xlsx" for f in GUIDED_FILES])
    for path in (out / "students").iterdir():  # nothing with an answer in it goes to students/
        with zipfile.ZipFile(path) as z:
            assert not any("_key" in n for n in z.namelist())
        wb = load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            if ws.title == "Marks":
                continue
            for address in answer_cells(ws):
                assert ws[address].value is None, (path.name, ws.title, address)


def test_whose_copy(kit):
    """The variant and the name, in roster order, on the first sheet and in every page header."""
    for k, (name, stem) in enumerate(zip(["Ana Silva", "Tom O'Brien", "王芳"], GUIDED_FILES), start=1):
        for folder, copy in (("students", "exercise"), ("keys", "key")):
            wb = load_workbook(kit["guided"] / folder / f"{stem}_{copy}.xlsx")
            ws = wb["Overview"]
            texts = [c.value for row in ws.iter_rows(max_row=8) for c in row if c.value is not None]
            assert f"Variant {k:02d}" in texts and "Name:" in texts and name in texts, texts
            for sheet in wb.worksheets:
                if sheet.sheet_state == "visible":
                    assert sheet.oddHeader.left.text == f"Variant {k:02d}    Name: {name}", sheet.title
    # without a roster: a line to write the name on
    wb = load_workbook(kit["formula"] / "students" / "variant_02_epoch_01_exercise.xlsx")
    assert wb["2 Initial weights"].oddHeader.left.text.startswith("Variant 02    Name: ____")


@lo.requires_soffice
def test_right_answers_score_full_marks_and_lazy_ones_nothing(kit, tmp_path):
    """Answers rounded to 3 significant digits score every point at every level, and so do
    answers worked out from the student's own earlier rounded answers; the key scores full
    marks; an orange number copied into every answer cell, or 0, or 1, scores only where that
    number really agrees with the answer to 3 significant digits (none here).  LibreOffice evaluates
    the copies' own Score."""
    shapes = {n: v.shape for n, v in article_update(0).items()}
    files, expected = [], {}
    for level, out in kit.items():
        def typed_from(matrices):
            def value_of(ws, address):  # each answer cell gets its matrix's number
                name, i, j = where(ws, address, shapes)
                return float(matrices[name][i, j])
            return value_of

        for k, path in enumerate(sorted((out / "students").glob("*.xlsx"))):
            rounded = {name: np.vectorize(three_digits)(m) for name, m in article_update(k).items()}
            # and worked out step by step from the student's own rounded answers (error carried
            # forward), from the numbers as shown and as stored
            own = {f"own-{how}": own_work(k, level == "matrix", places)
                   for how, places in (("shown", shown_places(path)), ("stored", None))}
            for kind, matrices in {"rounded": rounded, **own}.items():
                target = tmp_path / f"{level}-{k}-{kind}.xlsx"
                n = fill(path, target, typed_from(matrices))
                files.append(target)
                expected[target.stem] = (n, n)
        key = tmp_path / f"{level}-key.xlsx"
        key.write_bytes(sorted((out / "keys").glob("*_key.xlsx"))[0].read_bytes())
        files.append(key)
        expected[key.stem] = (None, None)  # full marks: checked against MaxScore below
    # lazy answers in the guided copies: each orange number of the sheet, zero and one
    for k, path in enumerate(sorted((kit["guided"] / "students").glob("*.xlsx"))):
        # the orange numbers as a student sees them when every earlier answer is right: the key's
        right = article_update(k)
        key = path.parent.parent / "keys" / path.name.replace("_exercise", "_key")
        wb, kv = load_workbook(path), load_workbook(key, data_only=True)
        oranges = {ws.title: [kv[ws.title][c.coordinate].value for row in ws.iter_rows() for c in row
                              if fill_of(c) == ORANGE] for ws in wb.worksheets}
        most = max(len(v) for v in oranges.values())
        for m in range(most + 2):  # each orange number, then 0 everywhere, then 1 everywhere
            def lazy(ws, address, m=m):
                if m >= most:  # 1 everywhere: 1×1 is "worked out" from one's own 1s, but they are wrong
                    return float(m - most)
                values = oranges[ws.title]
                return values[m % len(values)]
            typed = {}
            target = tmp_path / f"lazy-{k}-{m}.xlsx"
            n = fill(path, target, lambda ws, address: typed.setdefault((ws.title, address), lazy(ws, address)))
            lucky = 0  # a copied number that really is the answer to 3 significant digits
            for (title, address), value in typed.items():
                name, i, j = where(wb[title], address, shapes)
                lucky += agrees(value, right[name][i, j])
            files.append(target)
            expected[target.stem] = (lucky, n)
    profile = lo.recalc_profile(tmp_path)
    done = lo.recalculate_many(files, tmp_path / "recalculated", profile=profile)
    lazy_total = 0
    for path in done:
        got, of = score(path)
        want, n = expected[path.stem]
        max_score = int(of.split()[1])
        if want is None:  # a key: every answer filled in
            assert got == max_score, (path.name, got, of)
            continue
        assert max_score == n, (path.name, of, n)
        assert got == want, (path.name, got, want)
        if path.stem.startswith("lazy"):
            lazy_total += got
    assert lazy_total == 0


def test_levels(kit):
    """guided: one cell per computed matrix, arithmetic with numbers; formula: the same cells,
    arithmetic with cell names only; matrix: every cell, no arithmetic line."""
    sizes = {n: v.size for n, v in article_update(0).items()}
    per_step = {"3 Hidden layer input": ["hidden_layer_input"], "4 Hidden activations": ["hiddenlayer_activations"],
                "5 Output": ["output_layer_input", "output"], "6 Error": ["E"],
                "7 Slopes": ["slope_output_layer", "slope_hidden_layer"], "8 Output delta": ["d_output"],
                "9 Hidden error": ["Error_at_hidden_layer"], "10 Hidden delta": ["d_hiddenlayer"],
                "11 Update weights": ["Δwout", "Δwh"], "12 Update biases": ["Δbout", "Δbh"]}
    for level, out in kit.items():
        wb = load_workbook(next((out / "students").glob("*.xlsx")))
        total = 0
        for sheet, names in per_step.items():
            ws = wb[sheet]
            want = sum(sizes[n] for n in names) if level == "matrix" else len(names)
            assert len(answer_cells(ws)) == want, (level, sheet)
            total += want
            lines = [ws.cell(r, 1).value for r in range(3, 8) if isinstance(ws.cell(r, 1).value, str)]
            asked = [line for line in lines if line.endswith(" = ?")]
            if level == "matrix":
                assert asked == [], (sheet, lines)
                continue
            assert len(asked) == len(names), (level, sheet, lines)
            for line in asked:
                body = line.split(" = ", 1)[1][:-len(" = ?")]
                bare = re.sub(r"\[\d+,\d+\]", "", body)  # without the cells' indices
                if level == "formula":  # every number by the name of its cell
                    assert not re.search(r"\d\.\d", bare) and "[" in body, line
                elif sheet == "3 Hidden layer input":  # guided: the given numbers written out
                    assert re.search(r"\d\.\d", bare), line  # (earlier answers go by name)
        assert wb.defined_names["MaxScore"].attr_text == str(total), level


def test_protection_and_numbers_only(kit):
    path = next((kit["guided"] / "students").glob("*.xlsx"))
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert '<workbookProtection lockStructure="1"' in workbook
    assert 'definedName name="Score"' in workbook and 'definedName name="MaxScore"' in workbook
    assert all("<sheetProtection" in s and "password" not in s.split("<sheetProtection", 1)[1].split(">")[0]
               for s in sheets)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        answers = set(answer_cells(ws))
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert unlocked == answers, (ws.title, unlocked ^ answers)
        if answers:
            (dv,) = ws.data_validations.dataValidation
            assert dv.type == "decimal" and dv.showErrorMessage and dv.errorStyle == "stop"
            assert "decimal point" in dv.error
            assert set(str(dv.sqref).split()) == answers
    assert wb["Marks"].sheet_state == "veryHidden"
    key = load_workbook(next((kit["guided"] / "keys").glob("*_key.xlsx")))
    assert not any(ws.protection.sheet for ws in key.worksheets)  # the teacher's copy is open


def test_guided_lines_name_only_the_students_own_answers(kit):
    """In a guided copy a written-out line names a cell only where it holds the student's own
    earlier answer (asked on an earlier sheet, or earlier on this one); every given number is
    written out.  Step 11 speaks of the new weights, step 12 of the new biases."""
    wb = load_workbook(next((kit["guided"] / "students").glob("*.xlsx")))
    asked = []  # "name[i,j]" of the answers asked so far
    for ws in wb.worksheets[1:]:
        for r in range(3, 9):
            line = ws.cell(r, 1).value
            if not isinstance(line, str):
                continue
            if "(the new " in line:
                word = "weights" if ws.title.startswith("11") else "biases"
                assert f"(the new {word}: " in line, line
            if line.endswith(" = ?"):
                head, body = line[:-len(" = ?")].split(" = ", 1)
                named = re.findall(r"[A-Za-z_Δ]\w*\[\d+,\d+\]", body)
                assert set(named) <= set(asked), (ws.title, line, asked)
                assert head not in named
                asked.append(head)
    assert len(asked) == 14


def test_name_is_typed_in_without_a_roster(kit):
    """Without a roster the cell after "Name:" is the overview's one cell to type in: empty,
    unlocked, no answer (no check, no number-only rule); with a roster it holds the name, locked."""
    for folder, name in ((kit["formula"], None), (kit["guided"], "Ana Silva")):
        ws = load_workbook(sorted((folder / "students").glob("*.xlsx"))[0])["Overview"]
        (label,) = [c for row in ws.iter_rows() for c in row if c.value == "Name:"]
        cell = ws.cell(label.row, label.column + 1)
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert ws.protection.sheet
        assert cell.value == name
        assert unlocked == (set() if name else {cell.coordinate}), unlocked
        assert not ws.data_validations.dataValidation and not answer_cells(ws)


def test_marking_table(kit):
    """One row per copy, one column per question, the right answers (the article's numpy)."""
    ws = load_workbook(kit["guided"] / "keys" / "marking.xlsx")["Marking"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4) if row[0].value is not None]
    heads, body = rows[0], rows[1:]
    assert heads[:5] == ["variant", "student", "seed", "epoch", "copy"]
    assert [r[:5] for r in body] == [[f"Variant {k:02d}", n, k - 1, 1, f"students/{f}_exercise.xlsx"]
                                     for k, (n, f) in enumerate(zip(["Ana Silva", "Tom O'Brien", "王芳"],
                                                                    GUIDED_FILES), start=1)]
    assert len(heads) == 5 + 14
    for k, row in enumerate(body):
        right = article_update(k)
        for head, value in zip(heads[5:], row[5:]):
            step, cell = head.split(" ", 1)
            name, index = cell[:-1].split("[")
            i, j = (int(x) - 1 for x in index.split(","))
            assert value == pytest.approx(right[name][i, j], rel=1e-9, abs=1e-15), head


# ---------------------------------------------------------------- the command line


def test_exercise_records_epoch_one_unless_told(tmp_path):
    assert run_cli("--epochs", 12, "--exercise", "--out", tmp_path / "a", "--quiet") == 0
    assert sorted(p.name for p in (tmp_path / "a" / "students").iterdir()) == ["epoch_01_exercise.xlsx"]
    assert run_cli("--epochs", 12, "--exercise", "--record", "last", "--out", tmp_path / "b", "--quiet") == 0
    assert sorted(p.name for p in (tmp_path / "b" / "students").iterdir()) == ["epoch_12_exercise.xlsx"]
    assert run_cli("--epochs", 12, "--out", tmp_path / "c", "--quiet") == 0
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [".mlptrace.json", "epoch_01.xlsx", "epoch_12.xlsx",
                                                                  "summary.xlsx"]


@pytest.mark.parametrize("content, extra, words", [
    (b"", (), "names no student"),
    (b"\n  \n", (), "names no student"),
    (b"Ana\nBo\nana\n", (), "named twice"),
    (b"\xff\xfeA\x00", (), "UTF-8"),
    (b"Ana\nBo\n", ("--variants", 3), "disagree"),
    (b"Ana\n", ("--no-exercise",), "--exercise"),
    (None, (), "cannot be read"),
], ids=["empty", "blank-lines", "duplicate", "not-utf8", "variants", "no-exercise", "missing"])
def test_bad_roster_is_refused(tmp_path, capsys, content, extra, words):
    roster = tmp_path / "class.txt"
    if content is not None:
        roster.write_bytes(content)
    exercise = () if "--no-exercise" in extra else ("--exercise",)
    extra = tuple(a for a in extra if a != "--no-exercise")
    out = tmp_path / "o"
    assert run_cli("--epochs", 5, *exercise, "--roster", roster, *extra, "--out", out) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and err.count("\n") == 1 and words in err and "Traceback" not in err, err
    assert not out.exists()


@pytest.mark.parametrize("seed, settings, words", [
    (0, dict(exercise="guided", variants=0), "--variants must be a whole number of at least 1"),
    (0, dict(variants=2), "--variants goes with --exercise"),
    (0, dict(exercise="guided", variants=True), "--variants must be a whole number"),
    (0, dict(exercise="guided", roster=("Ana", "Bo"), variants=3), "disagree"),
    (4294967295, dict(exercise="guided", variants=2), "--seed plus --variants goes beyond the largest seed 4294967295"),
    (0, dict(exercise="guided"), "--variants: no exercise sets"),
], ids=["zero", "no-exercise", "bool", "roster-count", "seed-beyond", "none-asked"])
def test_the_api_checks_variants_as_the_command_line_does(tmp_path, seed, settings, words):
    """write_variants takes its count from OutputConfig, checked by the same table as --variants."""
    from mlptrace import MlptraceError, TrainConfig
    from mlptrace.config import OutputConfig
    from mlptrace.run import write_variants

    out = tmp_path / "o"
    with pytest.raises(MlptraceError, match=re.escape(words)):
        write_variants(TrainConfig(epochs=5, record="1", seed=seed), OutputConfig(out=str(out), **settings))
    assert not out.exists()


def test_the_api_writes_a_class_kit(tmp_path):
    """mlptrace.write_variants writes what --exercise --variants writes; write_workbooks, which
    writes one run, refuses variants rather than ignore them."""
    from mlptrace import MlptraceError, TrainConfig, train, write_variants, write_workbooks
    from mlptrace.config import OutputConfig

    out = tmp_path / "api"
    paths = write_variants(TrainConfig(epochs=20, record="1", seed=4), OutputConfig(out=str(out), exercise="guided",
                                                                                     variants=2))
    assert run_cli("--epochs", 20, "--record", 1, "--seed", 4, "--exercise", "--variants", 2, "--out",
                   tmp_path / "cli", "--quiet") == 0
    names = sorted(Path(p).relative_to(out).as_posix() for p in paths)
    assert names == sorted(p.relative_to(tmp_path / "cli").as_posix() for p in (tmp_path / "cli").rglob("*.xlsx"))
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    with pytest.raises(MlptraceError, match="write_variants"):
        write_workbooks(train(epochs=5, record="1"), str(tmp_path / "no"), exercise="guided", variants=2)
    assert not (tmp_path / "no").exists()


def test_a_roster_gives_the_number_of_variants():
    from mlptrace.config import OutputConfig
    assert OutputConfig(exercise="guided", roster=("Ana", "Bo", "Cy")).variants == 3


# ---------------------------------------------------------------- PDFs


@pytest.fixture(scope="module")
def pdf_kit(tmp_path_factory):
    lo.require_soffice()
    root = tmp_path_factory.mktemp("pdfkit")
    roster = root / "class.txt"
    roster.write_text("Ana Silva\nBo\n", encoding="utf-8")
    outs = []
    for name in ("a", "b"):
        out = root / name
        assert run_cli("--epochs", 20, "--exercise", "--roster", roster, "--pdf", "--out", out, "--quiet") == 0
        outs.append(out)
    return outs


@lo.requires_soffice
def test_merged_pdfs_hold_every_copy_in_order(pdf_kit):
    from pypdf import PdfReader

    out = pdf_kit[0]
    for merged, folder, suffix in (("students.pdf", "students", "_exercise"), ("keys/keys.pdf", "keys", "_key")):
        parts = sorted((out / folder).glob(f"*{suffix}.pdf"))
        assert len(parts) == 2
        pages = [len(PdfReader(p).pages) for p in parts]
        assert pages == [13, 13]  # the overview and twelve steps, a page each
        reader = PdfReader(out / merged)
        assert len(reader.pages) == sum(pages)
        starts = [0, pages[0]]  # each copy starts on a page of its own, with its variant and name
        for start, (k, name) in zip(starts, ((1, "Ana Silva"), (2, "Bo"))):
            text = reader.pages[start].extract_text()
            assert f"Variant {k:02d}" in text and name in text, text[:200]
    assert not [p for p in out.rglob(".mlptrace-*")]


@lo.requires_soffice
def test_marking_table_prints_readably(pdf_kit):
    """keys/marking.pdf: the copies' rows at three quarters of full size at least, every page
    with the whole note, every file name whole, every answer with the digits the sheets show
    (at least 3 decimals and 3 significant digits, no more)."""
    from pypdf import PdfReader

    out = pdf_kit[0]
    ws = load_workbook(out / "keys" / "marking.xlsx")["Marking"]
    note = " ".join(ws["A2"].value.split())
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5) if row[0].value is not None]
    pages = PdfReader(out / "keys" / "marking.pdf").pages
    sizes, tokens = [], []
    for page in pages:
        def visit(text, cm, tm, font, size):
            if text.startswith("Variant "):
                sizes.append(size * abs(tm[0]) * abs(cm[0]))
        text = page.extract_text(visitor_text=visit)
        assert note in " ".join(text.split()), text
        tokens += text.split()
    assert sizes and min(sizes) >= 0.75 * 11, sizes  # the cells' 11-pt text
    for row in rows:
        assert row[4] in tokens, row[4]
        for value in row[5:]:
            places = max(3, 2 - math.floor(math.log10(abs(value))))
            assert f"{value:.{places}f}" in tokens, (value, places)


@lo.requires_soffice
def test_pdfs_are_byte_identical_for_identical_arguments(pdf_kit):
    a, b = pdf_kit
    names = sorted(p.relative_to(a).as_posix() for p in a.rglob("*.pdf"))
    assert len(names) == 2 + 2 + 2 + 2  # copies, keys, summary, marking, students.pdf, keys.pdf
    assert names == sorted(p.relative_to(b).as_posix() for p in b.rglob("*.pdf"))
    different = [n for n in names if (a / n).read_bytes() != (b / n).read_bytes()]
    assert not different


def lo_processes(marker: str) -> list[str]:
    """Command lines of running LibreOffice processes that mention ``marker`` (a run's output
    folder: each LibreOffice of a run has its profile there), read from /proc."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        if "soffice" in cmd and marker in cmd:
            found.append(cmd)
    return found


@lo.requires_soffice
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to list processes")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_no_libreoffice_survives_an_interrupted_conversion(tmp_path, sig):
    """Interrupted once LibreOffice has made a PDF: no LibreOffice or temporary folder is left,
    and every PDF the progress lines reported is in place, whole, and recorded as the run's."""
    from pypdf import PdfReader

    out = tmp_path / "class"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "mlptrace", "--epochs", "20", "--exercise", "--variants", "6",
                             "--pdf", "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True,  # Ctrl-C reaches it even where this runs with SIGINT ignored (a job started with &)
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while not any(line.startswith("pdf 1 of ") for line in lines):  # LibreOffice has made one
        assert proc.poll() is None and time.monotonic() < deadline, (proc.communicate(), lines)
        time.sleep(0.05)
    assert lo_processes(str(out))  # and is converting more (its profile is in the run's folder)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    reader.join(timeout=10)
    err = "".join(lines)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    time.sleep(0.5)
    assert lo_processes(str(out)) == []
    assert [p for p in out.rglob(".mlptrace-*")] == []
    assert not (out / "students.pdf").exists()
    reported = [line.split(": ", 1)[1].strip() for line in lines if re.match(r"pdf \d+ of \d+ written: ", line)]
    recorded = json.loads((out / ".mlptrace.json").read_text(encoding="utf-8"))["files"]
    assert reported and len(reported) < 14, err  # some, not all of the 6 copies, 6 keys, summary, marking
    for path in reported:
        assert len(PdfReader(path).pages) >= 1, path
        assert Path(path).relative_to(out).as_posix() in recorded, (path, sorted(recorded))


def test_a_file_where_a_folder_goes_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "class"
    out.mkdir()
    (out / "students").write_text("not a folder")
    assert run_cli("--epochs", 5, "--exercise", "--out", out) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and err.count("\n") == 1 and "students" in err and "Traceback" not in err, err
    assert sorted(p.name for p in out.iterdir()) == ["students"]
