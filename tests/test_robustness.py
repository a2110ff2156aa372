"""What must hold when things go wrong or get big: interrupted writes, identical bytes,
quiet progress, memory that does not grow with the epochs, text that never becomes a formula,
numbers a spreadsheet cannot hold, sheets that would be too large."""
from __future__ import annotations

import errno
import io
import os
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest
from openpyxl import load_workbook

from mlptrace import MlptraceError, TrainConfig, files, train
from mlptrace.writers import xlsx as writer
from mlptrace import cli
from mlptrace.cli import main
from mlptrace.export import write_workbooks
from mlptrace.config import OutputConfig as Output
from mlptrace.run import write_run

import packages


def run_cli(*args) -> int:
    return main([str(a) for a in args])


def snapshot(folder) -> dict:
    """{file name: bytes} of everything in ``folder``, hidden files included, but for the
    run's manifest (tested in test_hostile.py)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != files.MANIFEST}


def temporaries(folder) -> list:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".mlptrace-"))


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.endswith("\n") and "Traceback" not in err


# ---------------------------------------------------------------- interrupted writes


class _FailingOs:
    """Stands in for ``os`` inside mlptrace.files: the ``fail_at``-th file written gets half its
    bytes, then ``exc`` is raised, as an interrupt or a full disk would do mid-write."""

    def __init__(self, folder, fail_at: int, exc: BaseException):
        self.folder, self.fail_at, self.exc = folder, fail_at, exc
        self.opened, self.seen_temporaries = 0, []

    def __getattr__(self, name):
        return getattr(os, name)

    def fdopen(self, fd, *args, **kwargs):
        fh = os.fdopen(fd, *args, **kwargs)
        self.opened += 1
        if self.opened != self.fail_at:
            return fh
        failing = self

        class Half:
            def __enter__(self):
                return self

            def __exit__(self, *exc_info):
                fh.close()
                return False

            def write(self, data):
                fh.write(data[: len(data) // 2])
                fh.flush()
                failing.seen_temporaries = temporaries(failing.folder)
                raise failing.exc

        return Half()


ARGS = ("--epochs", 30, "--quiet")
FILES = ["epoch_01.xlsx", "epoch_30.xlsx", "summary.xlsx"]  # in the order a run writes them


@pytest.fixture
def written_twice(tmp_path):
    """The folder after a first run, and what a complete second run (seed 1) writes."""
    out, ref = tmp_path / "out", tmp_path / "ref"
    assert run_cli(*ARGS, "--out", out) == 0
    assert run_cli(*ARGS, "--seed", 1, "--out", ref) == 0
    before, second = snapshot(out), snapshot(ref)
    assert sorted(before) == sorted(second) == FILES
    assert all(before[n] != second[n] for n in FILES)  # so a file that was replaced shows
    return out, before, second


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_interrupted_run_leaves_previous_files_intact(written_twice, monkeypatch, capsys, fail_at):
    out, before, second = written_twice
    failing = _FailingOs(out, fail_at, KeyboardInterrupt())
    monkeypatch.setattr(files, "os", failing)
    capsys.readouterr()
    assert run_cli(*ARGS, "--seed", 1, "--out", out) == 130
    stdout, err = capsys.readouterr()
    assert stdout == "" and one_line(err), err
    assert failing.seen_temporaries, "the interrupted file was not being written under a temporary name"
    after = snapshot(out)
    assert temporaries(out) == []
    assert sorted(after) == FILES
    for k, name in enumerate(FILES, start=1):
        # files finished before the interrupt are the new run's, complete; the rest untouched
        assert after[name] == (second[name] if k < fail_at else before[name]), (name, fail_at)


@pytest.mark.parametrize("fail_at", [1, 3])
def test_failed_write_leaves_previous_files_intact(written_twice, monkeypatch, fail_at):
    """A full disk in the library: the error reaches the caller; old files and no temporaries."""
    out, before, second = written_twice
    monkeypatch.setattr(files, "os", _FailingOs(out, fail_at, OSError(errno.ENOSPC, "No space left on device")))
    trace = train(epochs=30, seed=1)
    with pytest.raises(OSError):
        write_run(trace, Output(out=str(out)))
    after = snapshot(out)
    assert temporaries(out) == [] and sorted(after) == FILES
    for k, name in enumerate(FILES, start=1):
        assert after[name] == (second[name] if k < fail_at else before[name]), (name, fail_at)


def test_failed_write_from_the_command_line_is_one_line(written_twice, monkeypatch, capsys):
    out, before, _ = written_twice
    monkeypatch.setattr(files, "os", _FailingOs(out, 1, OSError(errno.ENOSPC, "No space left on device")))
    capsys.readouterr()
    code = run_cli(*ARGS, "--seed", 1, "--out", out)
    stdout, err = capsys.readouterr()
    assert code == 2 and one_line(err), (code, err)
    assert snapshot(out) == before


# ---------------------------------------------------------------- identical bytes


def test_two_command_line_runs_write_identical_bytes_with_fixed_dates(tmp_path):
    """Identical runs, identical bytes; and nothing in them depends on the clock: every zip
    entry and document date is a fixed one (so runs seconds or years apart agree too)."""
    args = ("--epochs", 30, "--exercise", "--quiet")
    assert run_cli(*args, "--out", tmp_path / "a") == 0
    assert run_cli(*args, "--out", tmp_path / "b") == 0
    def tree(root):  # {relative path: bytes}, students/ and keys/ included
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert sorted(a) == [".mlptrace.json", "keys/epoch_01.xlsx", "keys/epoch_01_key.xlsx", "keys/marking.xlsx",
                         "students/epoch_01_exercise.xlsx", "summary.xlsx"]  # --exercise: epoch 1 only
    with zipfile.ZipFile(tmp_path / "a" / "summary.xlsx") as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    different = [name for name in a if a[name] != b[name]]
    assert not different, different
    for name in a:
        if name.endswith(".xlsx"):
            packages.assert_fixed_dates(tmp_path / "a" / name)


# ---------------------------------------------------------------- progress bars


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


LONG = ("--epochs", 3000, "--record", "last", "--values")


@pytest.fixture
def bar_from_2000_epochs(monkeypatch):
    """The bar's threshold lowered (20,000 epochs in use), so a short run shows it."""
    monkeypatch.setattr(cli, "BAR_EPOCHS", 2000)


@pytest.mark.usefixtures("bar_from_2000_epochs")
def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys):
    assert not sys.stderr.isatty()
    assert run_cli(*LONG, "--out", tmp_path / "a") == 0
    stdout, err = capsys.readouterr()
    assert err == "" and "wrote" in stdout
    assert run_cli(*LONG, "--quiet", "--out", tmp_path / "b") == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.usefixtures("bar_from_2000_epochs")
def test_progress_bar_on_a_terminal(tmp_path, monkeypatch, capsys):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert run_cli(*LONG, "--out", tmp_path / "a") == 0
    assert "/3000" in tty.getvalue(), tty.getvalue()[:200]


@pytest.mark.usefixtures("bar_from_2000_epochs")
def test_quiet_shows_no_progress_bar_on_a_terminal(tmp_path, monkeypatch, capsys):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert run_cli(*LONG, "--quiet", "--out", tmp_path / "a") == 0
    assert tty.getvalue() == ""
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- memory


def _peak(epochs: int) -> tuple[int, object]:
    tracemalloc.start()
    try:
        trace = train(epochs=epochs, record="last")
        return tracemalloc.get_traced_memory()[1], trace
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_does_not_grow_with_the_epochs():
    """Beyond the loss array (8 bytes an epoch), the peak is the same for 10× the epochs."""
    train(epochs=1500, record="last")  # first-use allocations (imports, caches) out of the way
    small, trace_small = _peak(2_000)
    large, trace_large = _peak(20_000)
    assert trace_small.loss.nbytes == 8 * 2_000 and trace_large.loss.nbytes == 8 * 20_000
    base_small, base_large = small - 8 * 2_000, large - 8 * 20_000
    assert base_large - base_small < max(0.10 * base_small, 200_000), (small, large, base_small, base_large)
    assert len(trace_small.history) <= 501 and len(trace_large.history) <= 501


# ---------------------------------------------------------------- text that looks like a formula


NAMES = ["=SUM(A1)", "+1", "-x", "@y"]
TARGET = "=1+1"


def test_a_control_character_in_a_column_name_is_refused(tmp_path, capsys):
    """A spreadsheet cannot hold it: one line naming it, exit 2, nothing written."""
    csv = tmp_path / "ctrl.csv"
    csv.write_text("a\x01b,c,t\n1,0,1\n0,1,0\n")
    out = tmp_path / "o"
    assert run_cli("--data", csv, "--epochs", 3, "--out", out) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and one_line(err) and "control character" in err and "a\\x01b" in err, err
    assert not out.exists()


def test_formula_like_column_names_stay_text(tmp_path):
    csv = tmp_path / "risky.csv"
    csv.write_text(",".join(NAMES + [TARGET]) + "\n1,0,1,0,1\n0,1,1,1,0\n1,1,0,1,1\n0,0,1,1,0\n")
    out = tmp_path / "o"
    assert run_cli("--data", csv, "--epochs", 5, "--exercise", "--record", "1,last", "--out", out, "--quiet") == 0
    books = sorted(out.rglob("*.xlsx"))
    assert len(books) == 8  # two epochs × (workbook, exercise, key), the marking table, the summary
    step_sheets = 0
    for path in books:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        assert not any(n in c.value for n in NAMES + [TARGET, "SUM(A1)"]), (path.name, ws.title, c.value)
            if path.name in ("summary.xlsx", "marking.xlsx"):
                continue
            if ws.title in ("Overview", "Marks"):  # Marks: a copy's hidden 1-or-0 per answer
                continue
            # X's and y's column names: the row between the label and the numbers
            labels = {c.value: (c.row, c.column) for row in ws.iter_rows() for c in row
                      if isinstance(c.value, str) and c.value.startswith(("X  (", "y  ("))}
            (x_label,) = [k for k in labels if k.startswith("X")]
            (y_label,) = [k for k in labels if k.startswith("y")]
            r, col = labels[x_label]
            for k, name in enumerate(NAMES):
                cell = ws.cell(r + 1, col + k)
                assert (cell.value, cell.data_type) == (name, "s"), (path.name, ws.title, cell.coordinate)
            r, col = labels[y_label]
            assert (ws.cell(r + 1, col).value, ws.cell(r + 1, col).data_type) == (TARGET, "s")
            step_sheets += 1
    assert step_sheets == 6 * 12
    ws = load_workbook(out / "summary.xlsx")["Summary"]
    head = next(row for row in ws.iter_rows() if row[0].value == "sample")
    values = [(c.value, c.data_type) for c in head if c.value is not None]
    assert values == [("sample", "s"), *((n, "s") for n in NAMES), (f"target {TARGET}", "s"),
                      (f"output before training ({TARGET})", "s"), (f"output after training ({TARGET})", "s")]


# ---------------------------------------------------------------- numbers a sheet cannot hold


def _address_in(path, sheet, label, i, j) -> str:
    """The address of matrix ``label``'s cell [i, j] (0-based) found in a good workbook."""
    ws = load_workbook(path)[sheet]
    for row in ws.iter_rows():
        for c in row:
            if c.value == label:
                return ws.cell(c.row + 2 + i, c.column + j).coordinate
    raise AssertionError(f"{sheet}: no {label!r}")


@pytest.fixture(scope="module")
def good_workbook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    return write_workbooks(train(epochs=3, record="1,last"), str(folder))[0]


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("which", [0, 1], ids=["first-epoch", "last-epoch"])
def test_non_finite_number_is_refused_by_name(tmp_path, good_workbook, value, which):
    trace = train(epochs=3, record="1,last")
    trace.epochs[which].updates[0]["hidden_layer_input"][0, 1] = value
    address = _address_in(good_workbook, "3 Hidden layer input", "hidden_layer_input", 0, 1)
    with pytest.raises(MlptraceError) as info:
        write_workbooks(trace, str(tmp_path / "o"))
    message = str(info.value)
    assert "'3 Hidden layer input'" in message and address in message, (message, address)


@pytest.mark.parametrize("value", [np.nan, np.inf], ids=["nan", "inf"])
@pytest.mark.parametrize("which", [0, 1],
                         ids=["first-epoch", "last-epoch"])
def test_non_finite_number_writes_nothing(tmp_path, value, which):
    trace = train(epochs=3, record="1,last")
    trace.epochs[which].updates[0]["hidden_layer_input"][0, 1] = value
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(MlptraceError):
        write_workbooks(trace, str(out))
    assert list(out.iterdir()) == []


def test_non_finite_loss_writes_nothing(tmp_path):
    trace = train(epochs=50, record="1,last")
    trace.loss[10] = np.inf
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(MlptraceError, match="'Loss'"):
        write_run(trace, Output(out=str(out)))
    assert list(out.iterdir()) == []


def test_non_finite_loss_is_refused_by_name(tmp_path):
    trace = train(epochs=50, record="1,last")
    trace.loss[10] = np.nan
    with pytest.raises(MlptraceError, match=r"'Loss', cell B12"):
        write_run(trace, Output(out=str(tmp_path / "o")))


# ---------------------------------------------------------------- sheets too large


@pytest.mark.parametrize("limit", ["MAX_COLS", "MAX_ROWS"])
def test_too_large_for_a_sheet_is_refused_and_writes_nothing(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(writer, limit, 10)
    trace = train(epochs=3, record="1,last")
    out = tmp_path / "o"
    with pytest.raises(MlptraceError, match="more rows or columns than a spreadsheet has"):
        write_workbooks(trace, str(out))
    assert not out.exists()


def test_too_large_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(writer, "MAX_COLS", 10)
    out = tmp_path / "o"
    assert run_cli("--epochs", 3, "--out", out) == 2
    stdout, err = capsys.readouterr()
    assert stdout == "" and one_line(err) and "spreadsheet" in err, err
    assert not out.exists()


def test_summary_too_wide_writes_nothing(tmp_path, monkeypatch):
    # --hidden 4,4: the Parameters sheet needs 1 + 12 + 4 + 12 + 4 + 4 + 1 columns (at most
    # 12 charted a matrix), the epoch boards fewer than 30
    trace = train(TrainConfig(hidden=(4, 4), epochs=3, record="1,last"))
    monkeypatch.setattr(writer, "MAX_COLS", 30)
    out = tmp_path / "o"
    out.mkdir()
    with pytest.raises(MlptraceError, match="'Parameters'"):
        write_run(trace, Output(out=str(out)))
    assert list(out.iterdir()) == []
