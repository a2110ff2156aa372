"""mlptrace benchmark: every figure the median of paired ratios against a baseline timed in the
same run.

    python bench/bench.py            # the full run (a few minutes)
    python bench/bench.py --quick    # a fast smoke run: fewer pairs and epochs, rough figures

Figures (subject against baseline)
  * training: ``mlptrace.train(record="1,last")`` against the article's own numpy loop
    (tests/article.py, verbatim);
  * one epoch workbook through the API (layout and writer to xlsx bytes) against openpyxl
    writing the same cells, formulas, text, named styles, merges and column widths without
    mlptrace (read back from mlptrace's own file before timing);
  * the default command ``python -m mlptrace`` against ``python -c "import numpy, openpyxl"``;
  * ``--hidden 100 --record 1`` against the default network's ``--record 1``;
  * a run of 40 recorded epochs: the command's CPU per workbook against one workbook written
    through the API in this process;
  * a 5,000-row CSV with ``--record 1``: the peak resident memory of the command.

Each pair runs baseline and subject back to back (which goes first alternates), the ratio is
taken per pair, and the figure is the median of the pairs' ratios: drift of a shared machine
cancels within a pair and one disturbed pair cannot move the median.  The CPU ratio (process
CPU time, for a command its own and its children's) stands beside the wall ratio: it is the
steadier figure when other work shares the machine.  Commands run with Python's bytecode
cache on (as for an installed package), whatever the environment says.  This is a script, not
a test.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import openpyxl
from openpyxl.styles import NamedStyle

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]  # this checkout's mlptrace, and the tests' article loop

import mlptrace  # noqa: E402
from mlptrace import export  # noqa: E402
from article import article_script  # noqa: E402  (the tests' verbatim copy of the article's loop)


# ------------------------------------------------------------------ timing


class Figure:
    """Medians of paired ratios (wall and CPU) and of the absolute times of each side."""

    def __init__(self, pairs):
        (bw, bc), (sw, sc) = zip(*[p[0] for p in pairs]), zip(*[p[1] for p in pairs])
        self.wall = statistics.median(s / b for s, b in zip(sw, bw))
        self.cpu = statistics.median(s / b for s, b in zip(sc, bc))
        self.base_wall, self.subj_wall = statistics.median(bw), statistics.median(sw)
        self.base_cpu, self.subj_cpu = statistics.median(bc), statistics.median(sc)
        self.spread = (min(s / b for s, b in zip(sc, bc)), max(s / b for s, b in zip(sc, bc)))


def in_process(fn):
    """(wall, CPU) seconds of one call of ``fn`` in this process."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def command(args: list[str], cwd: str):
    """(wall, CPU, peak resident MB) of ``python ARGS`` as a child process; its CPU counts the
    processes it waited for (its workers), its peak memory is its own largest resident set."""
    t = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once and cached, as an installed package is
    child = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def paired(baseline, subject, pairs: int) -> Figure:
    """Run baseline and subject ``pairs`` times each, back to back, alternating who goes first;
    each returns (wall, CPU)."""
    baseline(), subject()  # warm up: imports, caches, first allocations, the disk cache
    out = []
    for k in range(pairs):
        if k % 2 == 0:
            b = baseline()
            s = subject()
        else:
            s = subject()
            b = baseline()
        out.append((b, s))
    return Figure(out)


# ------------------------------------------------------------------ the baselines


def article_loop(seed: int, epoch: int):
    """The article's numpy script (the one copy, in tests/article.py), as [(wh, bh), (wout, bout)]."""
    state = np.random.get_state()
    try:
        wh, bh, wout, bout = article_script(seed, epoch)
    finally:
        np.random.set_state(state)
    return [(wh, bh), (wout, bout)]


def book_content(data: bytes):
    """What an xlsx file holds, read with openpyxl: its named styles and, per sheet, its cells
    (value or formula, style name), merged ranges and column widths."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    styles = [(s.name, s.font, s.fill, s.border, s.alignment, s.number_format) for s in wb._named_styles]
    sheets = []
    for ws in wb.worksheets:
        cells = [(c.row, c.column, c.value, c.style) for row in ws.iter_rows() for c in row if c.value is not None]
        widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
        sheets.append((ws.title, cells, [str(r) for r in ws.merged_cells.ranges], widths))
    return styles, sheets


def bare_book(content) -> bytes:
    """openpyxl alone writing ``content`` (book_content's): the same cells, formulas, text,
    named styles, merges and widths."""
    styles, sheets = content
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, font, fill, border, alignment, fmt in styles:
        if name != "Normal":
            wb.add_named_style(NamedStyle(name=name, font=font, fill=fill, border=border,
                                          alignment=alignment, number_format=fmt))
    for title, cells, merged, widths in sheets:
        ws = wb.create_sheet(title)
        for row, col, value, style in cells:
            c = ws.cell(row=row, column=col, value=value)
            c.style = style
        for r in merged:
            ws.merge_cells(r)
        for k, w in widths.items():
            ws.column_dimensions[k].width = w
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue()


def same_weights(a, b) -> bool:
    return all(np.array_equal(p, q) for (W1, b1), (W2, b2) in zip(a, b) for p, q in ((W1, W2), (b1, b2)))


def csv_rows(path: str, rows: int) -> None:
    """A CSV of ``rows`` samples: four inputs and one 0/1 target, fixed by a seed."""
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, size=(rows, 4))
    y = (X[:, 0] ^ X[:, 3])[:, None]
    np.savetxt(path, np.hstack([X, y]), fmt="%d", delimiter=",", header="a,b,c,d,t", comments="")


# ------------------------------------------------------------------ figures

Row = tuple  # (figure, subject, baseline, wall ratio, CPU ratio, target text, met)


def _row(name, fig: Figure, unit, target=None):
    scale, fmt = {"ms": (1e3, "{:.1f} ms"), "s": (1, "{:.2f} s")}[unit]
    met = None if target is None else fig.cpu <= target
    return (name, fmt.format(fig.subj_cpu * scale), fmt.format(fig.base_cpu * scale), fig.wall, fig.cpu,
            fig.spread, None if target is None else f"≤ {target}×", met)


def bench_training(quick: bool, checks: list) -> list[Row]:
    rows = []
    for epochs, pairs in [(5000, 5)] if quick else [(5000, 15), (50000, 5)]:
        fig = paired(lambda: in_process(lambda: article_loop(0, epochs)),
                     lambda: in_process(lambda: mlptrace.train(epochs=epochs, seed=0, record="1,last")), pairs)
        same = same_weights(article_loop(0, epochs), mlptrace.train(epochs=epochs, seed=0, record="1,last").final)
        checks.append(f"trained weights bit for bit the article loop's at {epochs:,} epochs: {'yes' if same else 'NO'}")
        rows.append(_row(f"training, {epochs:,} epochs, record 1,last / the article's loop", fig, "ms", 1.1))
    return rows


def bench_workbook(quick: bool) -> list[Row]:
    trace = mlptrace.train(epochs=5000, seed=0, record="1")
    content = book_content(next(export.epoch_books(trace))[1])
    fig = paired(lambda: in_process(lambda: bare_book(content)),
                 lambda: in_process(lambda: list(export.epoch_books(trace))), 5 if quick else 15)
    cells = sum(len(s[1]) for s in content[1])
    return [_row(f"one epoch workbook ({cells:,} cells) / openpyxl writing the same content", fig, "ms")]


def bench_commands(quick: bool, tmp: str) -> list[Row]:
    pairs = 3 if quick else 9
    out = os.path.join(tmp, "out")

    def run(*args):
        return lambda: command(["-m", "mlptrace", "--quiet", "--out", out, *args], tmp)[:2]

    imports = lambda: command(["-c", "import numpy, openpyxl"], tmp)[:2]  # noqa: E731
    rows = [_row("default command / python -c 'import numpy, openpyxl'", paired(imports, run(), pairs), "s", 2.6),
            _row("--hidden 100 --record 1 / default network --record 1",
                 paired(run("--record", "1"), run("--hidden", "100", "--record", "1"), pairs), "s", 3)]
    return rows


def bench_many_books(quick: bool, tmp: str) -> list[Row]:
    """40 recorded epochs: the command's CPU per workbook against the API's per workbook."""
    epochs = 40
    trace = mlptrace.train(epochs=epochs, seed=0, record="all")
    out = os.path.join(tmp, "many")

    def cli():
        wall, cpu, _ = command(["-m", "mlptrace", "--quiet", "--out", out, "--epochs", str(epochs),
                                "--record", "all"], tmp)
        return wall / epochs, cpu / epochs

    def api():
        wall, cpu = in_process(lambda: next(export.epoch_books(trace)))
        return wall, cpu

    fig = paired(api, cli, 3 if quick else 5)
    return [_row(f"{epochs} recorded epochs: command CPU per workbook / one workbook through the API",
                 fig, "ms", 1.2)]


def bench_memory(quick: bool, tmp: str) -> tuple[str, float]:
    path = os.path.join(tmp, "rows.csv")
    csv_rows(path, 5000)
    peaks = [command(["-m", "mlptrace", "--quiet", "--data", path, "--epochs", "20", "--record", "1",
                      "--out", os.path.join(tmp, "csv")], tmp)[2] for _ in range(1 if quick else 3)]
    return "5,000-row CSV, --record 1: peak resident memory of the command", statistics.median(peaks)


# ------------------------------------------------------------------ report


def machine_facts() -> list[tuple[str, str]]:
    blas = "?"
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{cfg.get('name', '?')} {cfg.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        pass
    return [
        ("python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("numpy", f"{np.__version__} (BLAS: {blas})"),
        ("openpyxl", openpyxl.__version__),
        ("mlptrace", mlptrace.__version__),
        ("machine", f"{platform.machine()}, {platform.system()}, {os.cpu_count()} CPUs"),
        ("load", "average {:.2f} {:.2f} {:.2f} (1, 5, 15 min) at the start".format(*os.getloadavg())),
    ]


def print_table(rows: list[Row]) -> None:
    head = ("figure (subject / baseline)", "subject CPU", "baseline CPU", "wall ratio", "CPU ratio",
            "CPU ratio range", "target")
    table = [head] + [(f, s, b, f"{w:.2f}×", f"{c:.2f}×", f"{lo:.2f}–{hi:.2f}",
                       "" if t is None else t + (" ✔" if met else " ✘"))
                      for f, s, b, w, c, (lo, hi), t, met in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for k, row in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a fast smoke run: fewer pairs, rough figures")
    quick = ap.parse_args(argv).quick
    started = time.perf_counter()
    print("mlptrace benchmark" + (" (--quick: smoke run, figures are rough)" if quick else ""))
    for k, v in machine_facts():
        print(f"  {k:<9} {v}")
    print()
    checks: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows = bench_training(quick, checks) + bench_workbook(quick)
        rows += bench_commands(quick, tmp) + bench_many_books(quick, tmp)
        memory, peak = bench_memory(quick, tmp)
    print_table(rows)
    print("  each ratio: the median over pairs run back to back (who goes first alternating) of")
    print("  subject / baseline; times: medians of each side; CPU of a command includes its workers.")
    print()
    print(f"{memory}: {peak:.0f} MB (target < 400 MB {'✔' if peak < 400 else '✘'})")
    for line in checks:
        print(line)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
