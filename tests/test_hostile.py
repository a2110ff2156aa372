"""Input and surroundings a user can give that must never give a traceback, a hang, a huge
process, a replaced device or symlink, or a silently wrong result: each case checks the exit
code, the one line on stderr and that nothing around it changed."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mlptrace import MlptraceError, TrainConfig, load_data, train, write_workbooks
from mlptrace.config import OutputConfig
from mlptrace.cli import main
from mlptrace.errors import MAX_READ
from mlptrace.size import MAX_CELLS, MAX_SHEETS, estimate

REPO = Path(__file__).resolve().parent.parent
QUICK = ("--epochs", "3", "--quiet")


def cli(capsys, *args):
    """(exit code, stdout, stderr) of the command line."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and err.startswith("mlptrace: ") and "Traceback" not in err


def state(root: Path) -> dict:
    """Everything under ``root`` as it is: for each path its kind and what makes it that one
    (a file's bytes, a link's target, a device's number), without following links."""
    seen = {}
    for path in sorted(root.rglob("*")):
        st_ = path.lstat()
        if stat.S_ISLNK(st_.st_mode):
            seen[path] = ("link", os.readlink(path))
        elif stat.S_ISREG(st_.st_mode):
            seen[path] = ("file", path.read_bytes())
        elif stat.S_ISDIR(st_.st_mode):
            seen[path] = ("dir",)
        else:
            seen[path] = (stat.S_IFMT(st_.st_mode), st_.st_rdev)
    return seen


def refused(capsys, tmp_path, *args, says: str):
    """Run ``args``; assert exit 2, one line containing ``says`` and nothing changed."""
    before = state(tmp_path)
    code, out, err = cli(capsys, *args)
    assert (code, out) == (2, ""), (code, out, err)
    assert one_line(err), err
    assert says in err, err
    assert state(tmp_path) == before
    return err


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (minor 3) or /dev/full (minor 7) made in tmp_path,
    so that no test ever writes near the machine's own devices."""
    path = tmp_path / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        os.close(os.open(path, os.O_WRONLY))  # a file system mounted nodev refuses it here
    except OSError as exc:
        pytest.skip(f"cannot make a device node here ({exc})")
    return path


def is_device(path: Path, minor: int) -> bool:
    st_ = path.lstat()
    return stat.S_ISCHR(st_.st_mode) and os.minor(st_.st_rdev) == minor


# ---------------------------------------------------------------- devices, pipes, symlinks


def test_a_device_is_written_into_not_replaced(tmp_path, capsys):
    null = device(tmp_path, "null", 3)
    # a device may take both files: each is written into it, nothing is renamed over it
    code, _, err = cli(capsys, *QUICK, "--out", tmp_path / "o", "--dump-json", null, "--save-weights", null)
    assert (code, err) == (0, "")
    assert is_device(null, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".mlptrace-")]


def test_a_full_device_is_one_line_and_stays_a_device(tmp_path, capsys):
    full = device(tmp_path, "full", 7)
    code, out, err = cli(capsys, *QUICK, "--out", tmp_path / "o", "--save-weights", full)
    assert (code, out) == (2, "") and one_line(err) and "No space left" in err, err
    assert is_device(full, 7)
    assert not [p for p in tmp_path.rglob(".mlptrace-*")]


def test_a_pipe_nobody_reads_is_one_line_not_a_hang(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out, err = cli(capsys, *QUICK, "--out", tmp_path / "o", "--dump-json", fifo)
    assert (code, out) == (2, "") and one_line(err) and "nobody reads" in err, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_pipe_with_a_reader_gets_the_dump(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # the dump (a few KB) fits the pipe's buffer
    try:
        code, _, err = cli(capsys, *QUICK, "--out", tmp_path / "o", "--dump-json", fifo)
        got = os.read(reader, 1 << 20)
    finally:
        os.close(reader)
    assert (code, err) == (0, "")
    assert json.loads(got)["config"]["epochs"] == 3
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout here")
def test_dev_stdout_gets_the_dump(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mlptrace", *QUICK, "--out", str(tmp_path / "o"),
                           "--dump-json", "/dev/stdout"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["config"]["epochs"] == 3


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path, capsys):
    (tmp_path / "target.json").write_text("{}")
    (tmp_path / "link.json").symlink_to("target.json")
    (tmp_path / "dangling.json").symlink_to("new.json")
    code, _, err = cli(capsys, *QUICK, "--out", tmp_path / "o", "--save-weights", tmp_path / "link.json",
                       "--dump-json", tmp_path / "dangling.json")
    assert (code, err) == (0, "")
    assert os.readlink(tmp_path / "link.json") == "target.json"
    assert os.readlink(tmp_path / "dangling.json") == "new.json"
    assert list(json.loads((tmp_path / "target.json").read_text())) == ["layers"]
    assert "epochs" in json.loads((tmp_path / "new.json").read_text())


@pytest.mark.parametrize("how", ["symlink", "dotdot"])
def test_a_clash_through_a_symlink_or_dotdot_is_found(tmp_path, capsys, how):
    real = tmp_path / "real"
    assert cli(capsys, *QUICK, "--out", real)[0] == 0
    if how == "symlink":
        (tmp_path / "outlink").symlink_to("real")
        out, dump = tmp_path / "outlink", real / "summary.xlsx"
    else:
        out, dump = real, tmp_path / "real" / ".." / "real" / "epoch_1.xlsx"
    refused(capsys, tmp_path, *QUICK, "--out", out, "--dump-json", dump, says="a file the run itself writes")


def test_an_output_file_never_replaces_the_data(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("a,b\n0,1\n1,0\n")
    (tmp_path / "alias.csv").symlink_to("d.csv")
    refused(capsys, tmp_path, "--data", data, *QUICK, "--out", tmp_path / "o", "--dump-json",
            tmp_path / "alias.csv", says="is the --data file")


def test_a_run_file_name_taken_by_a_folder_is_refused_before_writing(tmp_path, capsys):
    out = tmp_path / "o"
    (out / "summary.xlsx").mkdir(parents=True)
    refused(capsys, tmp_path, *QUICK, "--out", out, says="is a folder")


# ---------------------------------------------------------------- a folder holds one run


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_later_run_removes_the_earlier_runs_unchanged_files(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli(capsys, "--epochs", 30, "--exercise", "--record", "1,last", "--quiet", "--out", out)[0] == 0
    (out / "notes.txt").write_text("mine")
    (out / "epoch_99.xlsx").write_text("mine too, named like a workbook")
    with open(out / "keys" / "epoch_30_key.xlsx", "ab") as fh:
        fh.write(b"edited")
    code, _, err = cli(capsys, "--epochs", 5, "--quiet", "--out", out)
    assert code == 0
    assert err == ("mlptrace: note: kept 1 file of an earlier run in " + str(out)
                   + " that changed since it was written: keys/epoch_30_key.xlsx\n")
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert names == [".mlptrace.json", "epoch_1.xlsx", "epoch_5.xlsx", "epoch_99.xlsx", "keys",
                     "keys/epoch_30_key.xlsx", "notes.txt", "summary.xlsx"]  # students/, emptied, is gone
    manifest = json.loads((out / ".mlptrace.json").read_text())["files"]
    assert manifest == {n: sha(out / n) for n in ("epoch_1.xlsx", "epoch_5.xlsx", "summary.xlsx")}


def test_a_manifest_cannot_reach_outside_its_folder(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli(capsys, *QUICK, "--out", out)[0] == 0
    victim = tmp_path / "victim.xlsx"
    victim.write_text("keep me")
    (out / "sub").mkdir()
    (out / "sub" / "inner.xlsx").write_text("keep me too")
    (out / ".mlptrace.json").write_text(json.dumps({"files": {
        "../victim.xlsx": sha(victim), "sub/inner.xlsx": sha(out / "sub" / "inner.xlsx"),
        str(victim): sha(victim), "sub": "x"}}))
    assert cli(capsys, *QUICK, "--out", out) == (0, "", "")
    assert victim.read_text() == "keep me" and (out / "sub" / "inner.xlsx").read_text() == "keep me too"


@pytest.mark.parametrize("manifest", ["not json", "[1, 2]", '{"files": 5}', "[" * 100000])
def test_a_broken_manifest_removes_nothing(tmp_path, capsys, manifest):
    out = tmp_path / "o"
    assert cli(capsys, "--epochs", 30, "--quiet", "--out", out)[0] == 0
    (out / ".mlptrace.json").write_text(manifest)
    assert cli(capsys, *QUICK, "--out", out) == (0, "", "")
    assert (out / "epoch_30.xlsx").exists()


# ---------------------------------------------------------------- text a sheet cannot hold


@pytest.mark.parametrize("header", ['"a\x01b",c', '"a\x85b",c', '"a\u2028b",c', '"a\nb",c'],
                         ids=["control", "NEL", "line-separator", "newline"])
def test_a_column_name_a_sheet_cannot_show_is_refused(tmp_path, capsys, header):
    data = tmp_path / "d.csv"
    data.write_text(header + "\n0,1\n1,0\n", encoding="utf-8", newline="")
    err = refused(capsys, tmp_path, "--data", data, *QUICK, "--out", tmp_path / "o",
                  says="control character or a line break")
    assert "\\x" in err or "\\u" in err or "\\n" in err  # shown escaped, visibly


def test_a_control_character_in_a_file_name_is_shown_escaped(tmp_path, capsys):
    from openpyxl import load_workbook

    data = tmp_path / "da\x01ta.csv"
    data.write_text("a,b\n0,1\n1,0\n")
    assert cli(capsys, "--data", data, *QUICK, "--out", tmp_path / "o") == (0, "", "")
    ws = load_workbook(tmp_path / "o" / "epoch_1.xlsx")["Overview"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("da\\x01ta.csv: 2 samples") for t in texts), texts


def test_an_error_naming_a_path_with_a_line_break_stays_one_line(tmp_path, capsys):
    refused(capsys, tmp_path, "--data", tmp_path / "no\nsuch.csv", *QUICK, "--out", tmp_path / "o",
            says="does not exist")


# ---------------------------------------------------------------- numbers that overflow


def weights_file(path: Path, value: float, bias: float = 0.5) -> Path:
    layers = [{"W": [[value] * 3] * 4, "b": [[bias] * 3]}, {"W": [[0.5]] * 3, "b": [[0.5]]}]
    path.write_text(json.dumps({"layers": layers}))
    return path


def test_weights_beyond_a_spreadsheet_are_refused(tmp_path, capsys):
    w = weights_file(tmp_path / "w.json", 1e308)
    refused(capsys, tmp_path, "--init-weights", w, *QUICK, "--out", tmp_path / "o",
            says="layer 1 W holds a number beyond ±9.99999999999999E+307")


def test_an_overflow_in_a_recorded_epoch_names_the_epoch(tmp_path, capsys):
    # X·wh + bh of the article's first sample: 5e307 + 5e307 + 5e307 is beyond the largest number
    w = weights_file(tmp_path / "w.json", 5e307, bias=5e307)
    refused(capsys, tmp_path, "--init-weights", w, *QUICK, "--out", tmp_path / "o",
            says="epoch 1, update 1: hidden_layer_input overflows")


def test_deeply_nested_json_is_not_valid_json(tmp_path, capsys):
    w = tmp_path / "w.json"
    w.write_text("[" * 200000 + "]" * 200000)
    refused(capsys, tmp_path, "--init-weights", w, *QUICK, "--out", tmp_path / "o", says="not valid JSON")


# ---------------------------------------------------------------- CSV dialects and digits


GOOD = "a,b,c\n1,0,1\n0.5,1,0\n1e-1,1,1\n"


@pytest.mark.parametrize("text", [GOOD.replace(",", ";"), "sep=;\n" + GOOD.replace(",", ";"),
                                  GOOD.replace(",", "\t"), "\ufeff" + GOOD, GOOD.replace("\n", "\r\n")],
                         ids=["semicolon", "excel-sep-line", "tab", "bom", "crlf"])
def test_other_separators_read_as_the_comma_file(tmp_path, text):
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "other.csv").write_text(text, newline="")
    want, got = load_data(str(tmp_path / "good.csv")), load_data(str(tmp_path / "other.csv"))
    assert (got.input_names, got.target_names) == (("a", "b"), ("c",))
    assert np.array_equal(got.X, [[1, 0], [0.5, 1], [0.1, 1]]) and np.array_equal(got.y, [[1], [0], [1]])
    assert np.array_equal(got.X, want.X) and np.array_equal(got.y, want.y)


@pytest.mark.parametrize("raw, says", [
    (b"a;b\n1,5;2\n", "'1,5' has a decimal comma: write 1.5"),
    ("a,b\nn\u00e9,2\n".encode("cp1252"), "is not UTF-8 (perhaps Windows-1252 or Latin-1): save it as CSV UTF-8"),
    ("a,b\n1,2\n".encode("utf-16"), "is UTF-16 text, not UTF-8: save it as CSV UTF-8"),
    (b'a,b\n"1,2\n3,4\n', "line 2: a quote (\") is opened and never closed"),
    ("a,b\n\uff11,2\n".encode(), "'１' is not a number"),
    ("a,b\n\u0663,2\n".encode(), "'٣' is not a number"),
    ("a,b\n\u00b2,2\n".encode(), "'²' is not a number"),
    (b"a,b\n1_000,2\n", "'1_000' is not a number"),
    (b"a,b\n1e999,2\n", "beyond ±9.99999999999999E+307"),
    (b"a,b\nnan,2\n", "'nan' is not a finite number"),
    (b"a,b\n1,2\x00\n", "is not a text CSV file"),
], ids=["decimal-comma", "cp1252", "utf-16", "unclosed-quote", "fullwidth", "arabic-indic", "superscript",
        "underscore", "overflow", "nan", "binary"])
def test_a_csv_problem_is_named(tmp_path, capsys, raw, says):
    data = tmp_path / "d.csv"
    data.write_bytes(raw)
    refused(capsys, tmp_path, "--data", data, *QUICK, "--out", tmp_path / "o", says=says)


def test_a_non_ascii_digit_is_no_option_number(tmp_path, capsys):
    refused(capsys, tmp_path, "--epochs", "\uff13", "--out", tmp_path / "o", says="--epochs")
    refused(capsys, tmp_path, "--hidden", "\u0663", "--out", tmp_path / "o", says="--hidden")
    refused(capsys, tmp_path, "--lr", "\u0660.1", "--out", tmp_path / "o", says="--lr")


def test_a_file_too_large_to_read_is_refused_unread(tmp_path, capsys):
    data = tmp_path / "d.csv"
    with open(data, "wb") as fh:
        fh.truncate(MAX_READ + 1)  # sparse: costs no disk
    refused(capsys, tmp_path, "--data", data, *QUICK, "--out", tmp_path / "o", says="larger than 16 MB")


# ---------------------------------------------------------------- size known before work


def rows_csv(path: Path, n: int) -> Path:
    path.write_text("a,b,c\n" + "".join(f"{i % 2},{i % 3},{i % 5 % 2}\n" for i in range(n)))
    return path


@pytest.mark.parametrize("n, extra, says", [
    (2_000, ("--batch-size", "1"), "each workbook would have 24,001 sheets"),
    (200_000, (), "each workbook would hold about"),
    (1_100_000, (), "more than the 1,048,576 rows a spreadsheet has"),
], ids=["sgd-sheets", "200k-cells", "1.1M-rows"])
def test_too_large_is_refused_at_once(tmp_path, capsys, n, extra, says):
    data = rows_csv(tmp_path / "big.csv", n)
    started = time.monotonic()
    err = refused(capsys, tmp_path, "--data", data, *extra, "--record", "1", "--out", tmp_path / "o", says=says)
    assert time.monotonic() - started < 30, "refused only after working on it"
    assert "--batch-size" in err or "fewer rows" in err


@pytest.mark.parametrize("data, hidden, batch", [("article", (3,), None), ("article", (5, 4), None),
                                                 ("xor", (3,), 1), ("moons", (30,), 8), ("moons", (2, 3, 2), 7)])
def test_the_estimate_counts_what_the_layout_places(data, hidden, batch):
    """The estimate is made from shapes alone; the layout places the numbers of a real run."""
    from mlptrace.layout import epoch_book

    trace = train(data=data, hidden=hidden, batch_size=batch, epochs=1, record="1")
    book = epoch_book(trace, trace.epochs[0], OutputConfig())
    numbers = sum(1 for s in book.sheets[1:] for c in s.cells
                  if isinstance(c.value, float) and c.role != "label")
    size = estimate(*trace.data.X.shape, trace.data.y.shape[1], hidden, batch)
    assert size.sheets == len(book.sheets)
    assert size.cells == numbers
    assert size.rows <= max(c.row for s in book.sheets[1:] for c in s.cells)  # at least
    assert size.cols <= max(c.col + c.span - 1 for s in book.sheets[1:] for c in s.cells)


def test_the_api_checks_the_size_before_writing(tmp_path):
    trace = train(data=str(rows_csv(tmp_path / "d.csv", 16_000)), epochs=1, record="1")
    before = state(tmp_path)
    with pytest.raises(MlptraceError, match="each workbook would hold about"):
        write_workbooks(trace, str(tmp_path / "o"))
    assert state(tmp_path) == before


def test_workbooks_made_at_once_share_the_budget(tmp_path, capsys, monkeypatch):
    data = rows_csv(tmp_path / "d.csv", 8_000)  # 1,328,176 numbers a workbook: one fits, two do not
    assert MAX_CELLS / 2 < estimate(8_000, 2, 1, (3,), None).cells < MAX_CELLS
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    refused(capsys, tmp_path, "--data", data, "--exercise", "--variants", 2, "--record", 1, "--out",
            tmp_path / "o", says="(2 written at once by --variants)")


def test_the_budget_admits_the_handouts():
    assert estimate(40, 2, 1, (6,), 8).cells < MAX_CELLS and estimate(40, 2, 1, (6,), 8).sheets < MAX_SHEETS


# ---------------------------------------------------------------- the Python API


WRONG = {
    "data": [5, None, b"article", ["article"], ""],
    "targets": [5, ["a", 5], [], [""], b"y"],
    "hidden": ["3", "5,4", 2.0, [3, "4"], [True], [], [0], None],
    "epochs": ["10", 2.5, True, 0, None, np.float64(3)],
    "lr": ["0.1", True, None, 0, -1, float("inf"), float("nan"), 1e309, [0.1]],
    "seed": [-1, 2**32, "1", 1.0, False, None],
    "init": [None, 1, ["uniform"], "Uniform"],
    "init_weights": [5, True, 1.5, ["w.json"], ""],
    "activation": [None, 1, ("sigmoid",)],
    "output_activation": [None, 0],
    "batch_size": [0, "8", 2.0, True],
    "shuffle": ["no", "yes", 1, 0, None, "False"],
    "record": [1, None, ["1"], ""],
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(WRONG)).flatmap(lambda f: st.tuples(st.just(f), st.sampled_from(WRONG[f]))))
def test_a_wrong_setting_is_an_error_naming_it(case):
    field, value = case
    with pytest.raises(MlptraceError) as info:
        train(**{"epochs": 2, field: value})
    option = field.replace("_", "-")
    assert option in str(info.value) or field in str(info.value), (field, value, str(info.value))


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.binary(max_size=3), st.none(),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)))
def test_any_value_for_any_setting_is_accepted_or_an_error(value):
    for field in sorted(WRONG):
        try:
            TrainConfig(**{field: value})
        except MlptraceError:
            pass


@pytest.mark.parametrize("call", [lambda: train(epoch=3), lambda: train(TrainConfig(), epochs=3),
                                  lambda: write_workbooks(train(epochs=2), "o", focuss=(1, 1))])
def test_an_unknown_setting_is_an_error_naming_it(call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MlptraceError) as info:
        call()
    assert any(name in str(info.value) for name in ("'epoch'", "epochs", "'focuss'")), str(info.value)
    assert not (tmp_path / "o").exists()


def test_one_string_is_one_column_and_one_number_one_layer(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b,ab\n0,1,1\n1,0,1\n1,1,0\n")
    trace = train(data=str(data), targets="ab", hidden=2, epochs=2)
    assert trace.data.target_names == ("ab",) and trace.data.input_names == ("a", "b")
    assert trace.config.hidden == (2,) and trace.plan.sizes == (2, 2, 1)
    assert train(data=data, epochs=1).config.data == str(data)  # a Path is a file name


def test_a_prefix_cannot_leave_the_folder(tmp_path):
    trace = train(epochs=2)
    before = state(tmp_path)
    for prefix in ("../x_", "a/b_", "/tmp/x", ".hidden_", "x\x01", 5):
        with pytest.raises(MlptraceError, match="prefix"):
            write_workbooks(trace, str(tmp_path / "o"), prefix=prefix)
    assert state(tmp_path) == before


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab_-./\\\x00\x01é~"), max_size=6))
def test_any_prefix_stays_in_the_folder_or_is_refused(tmp_path_factory, prefix):
    root = tmp_path_factory.mktemp("p")
    out = root / "o"
    trace = _ONE_EPOCH
    try:
        paths = write_workbooks(trace, str(out), prefix=prefix)
    except MlptraceError:
        assert not root.joinpath("o").exists() or not any(out.iterdir())
        return
    assert [Path(p).parent for p in paths] == [out]
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == sorted([prefix + "epoch_1.xlsx", ".mlptrace.json"])


_ONE_EPOCH = train(epochs=1, record="1")


# ---------------------------------------------------------------- SIGTERM


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] not in "ZX"
    except (OSError, IndexError):
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to see worker processes")
def test_sigterm_ends_like_ctrl_c_with_its_workers(tmp_path):
    out = tmp_path / "o"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "mlptrace", "--exercise", "--variants", "2", "--epochs", "300000",
           "--record", "1", "--quiet", "--out", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        deadline, workers = time.monotonic() + 120, set()
        while not workers and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the run trains its own seed first, then starts the workers
            workers = _children(proc.pid)
        assert workers, "the run never started its workers"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert err == "mlptrace: terminated; files already written are complete, none is half-written\n", err
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)]
    assert not out.exists() or not list(out.iterdir())
