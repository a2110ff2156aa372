"""The command line, called as ``mlptrace.cli.main([...])``: files, messages, exit codes."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from mlptrace import TrainConfig, train
from mlptrace.cli import main

# SPEC §2: every matrix of an update (one hidden layer), parameters before and after.
SPEC_NAMES = ["X", "y", "wh", "bh", "wout", "bout", "hidden_layer_input", "hiddenlayer_activations",
              "output_layer_input", "output", "E", "slope_output_layer", "slope_hidden_layer", "d_output",
              "Error_at_hidden_layer", "d_hiddenlayer", "wout_next", "wh_next", "bout_next", "bh_next"]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def epoch_name(k, epochs):
    return f"epoch_{k:0{len(str(epochs))}d}.xlsx"


# ---------------------------------------------------------------- runs that work


def test_default_like_run_writes_and_reports(out_dir, capsys, run_article_script):
    out = out_dir
    code, stdout, err = run(capsys, "--out", out, "--epochs", 50)
    assert code == 0 and err == ""
    written = sorted(p.name for p in out.iterdir() if p.name != ".mlptrace.json")  # the manifest
    assert {"epoch_01.xlsx", "epoch_50.xlsx", "summary.xlsx"} <= set(written)
    assert written == sorted(n for n in written if n.endswith(".xlsx"))
    reported = re.findall(r"^wrote (.+)$", stdout, re.M)
    assert sorted(Path(p).name for p in reported) == written
    assert all(Path(p).parent == out for p in reported)
    m = re.search(r"final loss ([0-9.eE+-]+)", stdout)
    assert m, stdout
    expected = run_article_script(0, epochs=50)[4][-1]
    assert math.isclose(float(m.group(1)), expected, rel_tol=1e-5)


def test_quiet_prints_nothing(tmp_path, capsys):
    code, stdout, err = run(capsys, "--out", tmp_path / "o", "--epochs", 3, "--quiet")
    assert (code, stdout, err) == (0, "", "")
    assert (tmp_path / "o" / "epoch_1.xlsx").exists()


def test_python_dash_m_help():
    done = subprocess.run([sys.executable, "-m", "mlptrace", "--help"], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for option in ("--data", "--epochs", "--lr", "--seed", "--record", "--focus", "--out", "--dump-json"):
        assert option in done.stdout


@pytest.mark.parametrize("epochs,record,chosen", [
    (9, "1,last", [1, 9]),
    (50, "1,7,last", [1, 7, 50]),
    (100, "1,last", [1, 100]),
    (1000, "1-2,last", [1, 2, 1000]),
])
def test_file_names_are_zero_padded_to_the_last_epoch(tmp_path, capsys, epochs, record, chosen):
    out = tmp_path / "o"
    assert run(capsys, "--out", out, "--epochs", epochs, "--record", record, "--quiet")[0] == 0
    epochs_written = sorted(p.name for p in out.iterdir() if p.name.startswith("epoch_"))
    assert epochs_written == [epoch_name(k, epochs) for k in chosen]
    assert all(len(n) == len(f"epoch_{epochs}.xlsx") for n in epochs_written)


def test_save_weights_format(tmp_path, capsys):
    path = tmp_path / "w.json"
    assert run(capsys, "--out", tmp_path / "o", "--epochs", 10, "--hidden", "3,2", "--save-weights", path)[0] == 0
    doc = json.loads(path.read_text())
    assert list(doc) == ["layers"]
    shapes = [(np.array(layer["W"]).shape, np.array(layer["b"]).shape) for layer in doc["layers"]]
    assert shapes == [((4, 3), (1, 3)), ((3, 2), (1, 2)), ((2, 1), (1, 1))]
    final = train(TrainConfig(epochs=10, hidden=(3, 2))).final
    for layer, (W, b) in zip(doc["layers"], final):
        assert [repr(v) for row in layer["W"] for v in row] == [repr(float(v)) for v in W.ravel()]
        assert [repr(v) for row in layer["b"] for v in row] == [repr(float(v)) for v in b.ravel()]


def test_saved_weights_round_trip_bit_exact(tmp_path, capsys):
    """10 epochs, save; 5 more from the saved file == 15 epochs in one go, to the last bit."""
    first, second = tmp_path / "w10.json", tmp_path / "w15.json"
    assert run(capsys, "--out", tmp_path / "a", "--epochs", 10, "--save-weights", first, "--quiet")[0] == 0
    assert run(capsys, "--out", tmp_path / "b", "--epochs", 5, "--init-weights", first,
               "--save-weights", second, "--quiet")[0] == 0
    straight = train(TrainConfig(epochs=15)).final
    resumed = json.loads(second.read_text())["layers"]
    for layer, (W, b) in zip(resumed, straight):
        assert np.array(layer["W"]).tobytes() == W.tobytes()
        assert np.array(layer["b"]).tobytes() == b.tobytes()
    # and the file read back gives exactly the numbers that were written
    ten = train(TrainConfig(epochs=10)).final
    reread = train(TrainConfig(epochs=1, init_weights=str(first))).initial
    for (W0, b0), (W1, b1) in zip(ten, reread):
        assert W0.tobytes() == W1.tobytes() and b0.tobytes() == b1.tobytes()


def test_dump_json(tmp_path, capsys, run_article_script):
    path = tmp_path / "dump.json"
    assert run(capsys, "--out", tmp_path / "o", "--epochs", 30, "--record", "1,2,last", "--dump-json", path,
               "--quiet")[0] == 0
    doc = json.loads(path.read_text())
    assert {"config", "loss", "epochs"} <= set(doc)
    assert doc["config"]["epochs"] == 30 and doc["config"]["lr"] == 0.1 and doc["config"]["seed"] == 0
    assert len(doc["loss"]) == 30
    np.testing.assert_allclose(doc["loss"], run_article_script(0, epochs=30)[4], rtol=1e-12)
    assert [e["epoch"] for e in doc["epochs"]] == [1, 2, 30]
    trace = train(TrainConfig(epochs=30, record="1,2,last"))
    for e in doc["epochs"]:
        assert len(e["updates"]) == 1
        update = e["updates"][0]
        missing = [n for n in SPEC_NAMES if n not in update]
        assert not missing, f"epoch {e['epoch']}: no {missing}"
        recorded = trace.epoch(e["epoch"]).updates[0]
        for name in SPEC_NAMES:
            assert np.array(update[name]).tobytes() == recorded[name].tobytes(), name
    first = doc["epochs"][0]["updates"][0]
    second = doc["epochs"][1]["updates"][0]
    assert second["wh"] == first["wh_next"] and second["bout"] == first["bout_next"]


def test_dump_json_one_entry_per_update(tmp_path, capsys):
    path = tmp_path / "dump.json"
    assert run(capsys, "--out", tmp_path / "o", "--data", "xor", "--batch-size", 1, "--epochs", 2,
               "--dump-json", path, "--quiet")[0] == 0
    doc = json.loads(path.read_text())
    for e in doc["epochs"]:
        updates = e["updates"]
        assert len(updates) == 4
        assert [u["X"] for u in updates] == [[[0.0, 0.0]], [[0.0, 1.0]], [[1.0, 0.0]], [[1.0, 1.0]]]
        for before, after in zip(updates, updates[1:]):
            assert after["wh"] == before["wh_next"] and after["bh"] == before["bh_next"]
        loss = sum(0.5 * sum(v * v for row in u["E"] for v in row) for u in updates)
        assert math.isclose(doc["loss"][e["epoch"] - 1], loss, rel_tol=1e-12)


# ---------------------------------------------------------------- bad input


def _write(path: Path, content) -> str:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def _weights(layers):
    return json.dumps({"layers": [{"W": W, "b": b} for W, b in layers]})


def _zeros(rows, cols):
    return [[0.1] * cols for _ in range(rows)]


# (id, extra arguments built from the input folder, regex that the message must contain)
BAD = [
    ("unknown data name", lambda d: ["--data", "nosuch"], r"unknown data"),
    ("csv ragged", lambda d: ["--data", _write(d / "r.csv", "a,b,c\n1,2,3\n1,2\n")], r"line 3.*cells"),
    ("csv empty", lambda d: ["--data", _write(d / "e.csv", "")], r"empty"),
    ("csv header only", lambda d: ["--data", _write(d / "h.csv", "a,b,c\n")], r"no data rows"),
    ("csv non-numeric", lambda d: ["--data", _write(d / "n.csv", "a,b\n1,x\n")], r"'x' is not a number"),
    ("csv NaN", lambda d: ["--data", _write(d / "nan.csv", "a,b\n1,nan\n")], r"not a finite number"),
    ("csv inf", lambda d: ["--data", _write(d / "inf.csv", "a,b\n-inf,1\n")], r"not a finite number"),
    ("csv binary", lambda d: ["--data", _write(d / "b.csv", b"a,b\n1,\x002\n")], r"not a text"),
    ("csv a directory", lambda d: ["--data", str(_mkdir(d / "folder.csv"))], r"directory"),
    ("unknown --targets column", lambda d: ["--data", _write(d / "t.csv", "a,b\n1,2\n"), "--targets", "zz"],
     r"--targets.*no column 'zz'"),
    ("all columns as targets", lambda d: ["--data", _write(d / "t.csv", "a,b\n1,2\n"), "--targets", "a,b"],
     r"--targets.*every column"),
    ("weights file missing", lambda d: ["--init-weights", str(d / "missing.json")], r"does not exist"),
    ("weights file not text", lambda d: ["--init-weights", _write(d / "w.json", b"\xff\xfe{\x00")], r"UTF-16 text, not UTF-8"),
    ("weights not JSON", lambda d: ["--init-weights", _write(d / "w.json", "{nope")], r"not valid JSON"),
    ("weights wrong shapes", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(3, 3), _zeros(1, 3)), (_zeros(3, 1), _zeros(1, 1))]))], r"shape 3×3.*needs 4×3"),
    ("weights wrong bias shape", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(4, 3), _zeros(1, 2)), (_zeros(3, 1), _zeros(1, 1))]))], r"b has shape"),
    ("weights NaN", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(4, 3), _zeros(1, 3)), (_zeros(3, 1), _zeros(1, 1))]).replace("0.1", "NaN", 1))],
     r"not a finite number"),
    ("weights wrong layer count", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(4, 3), _zeros(1, 3))]))], r"1 layers? but the network has 2"),
    ("weights not layers", lambda d: ["--init-weights", _write(d / "w.json", "[1, 2]")], r"layers"),
    ("--epochs 0", lambda d: ["--epochs", "0"], r"--epochs"),
    ("--epochs -1", lambda d: ["--epochs", "-1"], r"--epochs"),
    ("--epochs x", lambda d: ["--epochs", "x"], r"--epochs"),
    ("--lr 0", lambda d: ["--lr", "0"], r"--lr"),
    ("--lr -0.1", lambda d: ["--lr", "-0.1"], r"--lr"),
    ("--lr nan", lambda d: ["--lr", "nan"], r"--lr"),
    ("--lr inf", lambda d: ["--lr", "inf"], r"--lr"),
    ("--hidden 0", lambda d: ["--hidden", "0"], r"--hidden"),
    ("--hidden 3,x", lambda d: ["--hidden", "3,x"], r"--hidden"),
    ("--focus 0,1", lambda d: ["--focus", "0,1"], r"--focus"),
    ("--focus 1", lambda d: ["--focus", "1"], r"--focus"),
    ("--focus a,b", lambda d: ["--focus", "a,b"], r"--focus"),
    ("--record beyond --epochs", lambda d: ["--record", "6000"], r"--record.*beyond"),
    ("--record x", lambda d: ["--record", "x"], r"--record"),
    ("--record 0", lambda d: ["--record", "0"], r"--record"),
    ("--decimals -1", lambda d: ["--decimals", "-1"], r"--decimals"),
    ("--out is a file", lambda d: ["--out", _write(d / "afile", "keep me")], r"--out.*file"),
    ("--out under a file", lambda d: ["--out", os.path.join(_write(d / "afile", "keep me"), "sub")], r"--out"),
    ("--save-weights is a folder", lambda d: ["--save-weights", str(_mkdir(d / "wdir"))], r"--save-weights"),
    ("--dump-json is a folder", lambda d: ["--dump-json", str(_mkdir(d / "ddir"))], r"--dump-json"),
    ("--batch-size 0", lambda d: ["--batch-size", "0"], r"--batch-size"),
    ("--activation foo", lambda d: ["--activation", "foo"], r"(?<![\w-])--activation\b.*'foo'"),
    ("--output-activation foo", lambda d: ["--output-activation", "foo"], r"--output-activation\b.*'foo'"),
    ("--init foo", lambda d: ["--init", "foo"], r"--init\b.*'foo'"),
    ("unknown option", lambda d: ["--bogus"], r"--bogus"),
    ("weights true for a number", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(4, 3), _zeros(1, 3)), (_zeros(3, 1), _zeros(1, 1))]).replace("0.1", "true", 1))],
     r"not a number"),
    ("weights text for a number", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(4, 3), _zeros(1, 3)), (_zeros(3, 1), _zeros(1, 1))]).replace("0.1", '"1"', 1))],
     r"not a number"),
    ("csv 1_000", lambda d: ["--data", _write(d / "u.csv", "a,b\n1_000,1\n")], r"'1_000' is not a number"),
    ("--out empty", lambda d: ["--out", ""], r"--out needs a folder"),
    ("--dump-json empty", lambda d: ["--dump-json", ""], r"--dump-json needs a file"),
    ("--save-weights empty", lambda d: ["--save-weights", ""], r"--save-weights needs a file"),
    ("--dump-json is --out", lambda d: ["--out", str(d / "o"), "--dump-json", str(d / "o")],
     r"--dump-json.*output folder"),
    ("--save-weights is --dump-json", lambda d: ["--save-weights", str(d / "x.json"), "--dump-json", str(d / "x.json")],
     r"same file"),
    ("--dump-json over a run file", lambda d: ["--out", str(d / "o"), "--dump-json", str(d / "o" / "summary.xlsx")],
     r"--dump-json.*the run itself writes"),
    ("weights number too large", lambda d: ["--init-weights", _write(d / "w.json", _weights(
        [(_zeros(4, 3), _zeros(1, 3)), (_zeros(3, 1), _zeros(1, 1))]).replace("0.1", "1" + "0" * 400, 1))],
     r"too large"),
    ("--record too many", lambda d: ["--epochs", "5000", "--record", "all"], r"--record.*more than 1000 epochs"),
    ("--variants 0", lambda d: ["--exercise", "--variants", "0"], r"--variants"),
    ("--variants without --exercise", lambda d: ["--variants", "2"], r"--variants goes with --exercise"),
    # argparse's own prefix ("argument --hidden: ") is left out: the message names the option once
    ("--hidden trailing comma", lambda d: ["--hidden", "3,"], r"^mlptrace: error: --hidden takes whole numbers"),
    ("--epochs 1e3", lambda d: ["--epochs", "1e3"], r"^mlptrace: error: --epochs takes a whole number"),
]

DIVERGES = ["--output-activation", "linear", "--activation", "relu", "--lr", "1e6"]


def _mkdir(path: Path) -> Path:
    path.mkdir(exist_ok=True)
    return path


def snapshot(root: Path) -> dict:
    """Every file and folder under ``root``: bytes and modification time (ns)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.join(dirpath, d)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[p] = (Path(p).read_bytes(), os.stat(p).st_mtime_ns)
    return out


@pytest.fixture
def guarded(tmp_path):
    """An output folder, dump and weights files that already exist, with old dates."""
    out = tmp_path / "out"
    out.mkdir()
    old = 1_000_000_000
    for name in ("epoch_01.xlsx", "epoch_50.xlsx", "summary.xlsx", "notes.txt"):
        (out / name).write_bytes(b"old " + name.encode())
    for p in (tmp_path / "dump.json", tmp_path / "saved.json"):
        p.write_text("old")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for p in out.iterdir():
        os.utime(p, ns=(old, old))
    os.utime(tmp_path / "dump.json", ns=(old, old))
    os.utime(tmp_path / "saved.json", ns=(old, old))
    base = ["--epochs", "50", "--out", str(out), "--dump-json", str(tmp_path / "dump.json"),
            "--save-weights", str(tmp_path / "saved.json")]
    return tmp_path, inputs, base


def assert_refused(capsys, root, args, pattern):
    """Exit 2, one line on stderr matching ``pattern``, no traceback, no warning, nothing written."""
    before = snapshot(root)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(args)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert re.search(pattern, lines[0]), lines[0]
    assert out == ""
    assert not caught, [str(w.message) for w in caught]  # a real run prints these on stderr
    after = snapshot(root)
    assert sorted(after) == sorted(before), "files were added or removed"
    for path, state in before.items():
        assert after[path] == state, f"{path} was written"
    return lines[0]


@pytest.mark.parametrize("case", [c[0] for c in BAD])
def test_bad_input_is_refused_cleanly(case, guarded, capsys):
    root, inputs, base = guarded
    _, make, pattern = next(c for c in BAD if c[0] == case)
    extra = make(inputs)
    assert_refused(capsys, root, base + extra, pattern)


def _first_bad_epoch(epochs=50):
    """The article's data with relu hidden, linear output, lr 1e6: the first epoch whose loss is not finite."""
    rng = np.random.RandomState(0)
    wh, bh = rng.uniform(size=(4, 3)), rng.uniform(size=(1, 3))
    wout, bout = rng.uniform(size=(3, 1)), rng.uniform(size=(1, 1))
    X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    y = np.array([[1], [1], [0]], dtype=float)
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            z = X @ wh + bh
            h = np.maximum(z, 0)
            out = h @ wout + bout
            E = y - out
            if not math.isfinite(0.5 * float(np.sum(E * E))):
                return epoch
            d_out = E
            d_h = d_out @ wout.T * (h > 0)
            wout = wout + h.T @ d_out * 1e6
            bout = bout + d_out.sum(axis=0, keepdims=True) * 1e6
            wh = wh + X.T @ d_h * 1e6
            bh = bh + d_h.sum(axis=0, keepdims=True) * 1e6
    return None


def test_diverging_run_is_refused_cleanly(guarded, capsys):
    root, _, base = guarded
    assert_refused(capsys, root, base + DIVERGES, r"diverged")  # numpy's overflow warnings too


def test_diverging_run_message(guarded, capsys):
    """Exit 2, names the epoch where the loss stopped being finite, suggests a smaller --lr."""
    root, _, base = guarded
    bad = _first_bad_epoch()
    assert bad is not None and bad <= 50, "the case must really diverge within 50 epochs"
    before = snapshot(root)
    code = main(base + DIVERGES)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert re.search(rf"\bepoch {bad}\b", err), err
    assert "smaller --lr" in err
    assert snapshot(root) == before


def test_diverging_run_prints_one_line_for_real(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mlptrace", "--epochs", "50", "--out", str(tmp_path / "o"),
                           *DIVERGES], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert not (tmp_path / "o").exists()


def test_a_good_run_after_refusals_still_overwrites(guarded, capsys):
    """The guard is real: the same folder and files *are* written by a good run."""
    root, _, base = guarded
    assert main(base) == 0
    capsys.readouterr()
    out = root / "out"
    assert (out / "epoch_01.xlsx").read_bytes()[:2] == b"PK"
    assert (out / "notes.txt").read_bytes() == b"old notes.txt"
    assert json.loads((root / "saved.json").read_text())["layers"]
    assert json.loads((root / "dump.json").read_text())["epochs"]


def test_saturating_run_prints_no_numpy_warning(tmp_path, capsys):
    """A learning rate that saturates the sigmoid (exp overflows inside numpy) but does not
    diverge: exit 0 and nothing on stderr."""
    code = main(["--lr", "1e4", "--epochs", "50", "--out", str(tmp_path / "o"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and out == "" and err == "", err


def test_many_outputs_are_cut_short(tmp_path, capsys):
    """moons has 40 samples: the closing line shows ten outputs and says how many more."""
    assert main(["--data", "moons", "--epochs", "5", "--out", str(tmp_path / "o")]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.count(",") == 10 and last.endswith("(30 more)"), last
