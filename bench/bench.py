"""mlptrace benchmark: every figure as a ratio against a bare baseline timed in the same run.

    python bench/bench.py            # the full run (about a minute)
    python bench/bench.py --quick    # a fast smoke run: fewer epochs and repeats

Figures
  * training: ``mlptrace.train(record="1,last")`` against the article's own numpy loop (copied
    verbatim: sigmoid, derivatives, in-place updates), 5,000 and 50,000 epochs;
  * one epoch workbook: layout + writer to xlsx bytes (``mlptrace.export.epoch_books``) against a
    bare openpyxl write of the same number of cells on the same number of sheets, every cell
    with a font, fill, border and number format through a named style, saved to BytesIO;
  * the default command ``python -m mlptrace --out DIR`` as a subprocess (wall time), next to
    the bare start of ``python -c "import numpy, openpyxl"``.

Subject and baseline are interleaved (alternating which goes first), so slow drift of the
machine cancels, and each in-process figure is the best of its repeats (the command's: the
median of three runs).  The garbage collector stays on,
as in real use.  This is a script, not a test: it asserts no timing.
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
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

import mlptrace
from mlptrace import export, layout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from article import article_script  # noqa: E402  (the tests' verbatim copy of the article's loop)

TARGETS = {"train": 1.1, "book": 1.2}


# ------------------------------------------------------------------ the baselines


def article_loop(seed: int, epoch: int):
    """The article's numpy script (the one copy, in tests/article.py), as [(wh, bh), (wout, bout)]."""
    wh, bh, wout, bout = article_script(seed, epoch)
    return [(wh, bh), (wout, bout)]


def bare_book(sheet_sizes: list[int]) -> bytes:
    """openpyxl alone: the same cells per sheet, each styled through a named style."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="BFBFBF")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for name, fill in (("plain", "FFFFFF"), ("focus", "FFFF00"), ("input", "FFC000")):
        wb.add_named_style(NamedStyle(name=name, font=Font(name="Calibri", size=11), border=box,
                                      fill=PatternFill("solid", fgColor=fill), number_format="0.000",
                                      alignment=Alignment(horizontal="center")))
    styles = ("plain", "plain", "plain", "focus", "input")
    for s, size in enumerate(sheet_sizes, start=1):
        ws = wb.create_sheet(f"Sheet {s}")
        for k in range(size):
            c = ws.cell(row=1 + k // 10, column=1 + k % 10, value=k * 0.123456789)
            c.style = styles[k % 5]
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue()


# ------------------------------------------------------------------ timing


def paired(baseline, subject, repeats: int):
    """Best times of baseline and subject, run alternately (who goes first alternates too).

    Returns ((baseline wall, subject wall), (baseline CPU, subject CPU)) in seconds.  The best
    of several runs, because other work on the machine only ever adds time; the CPU time of the
    process is the steadier figure when the machine is shared.
    """
    baseline(), subject()  # warm up: imports, caches, first allocations
    wall, cpu = {"base": [], "subj": []}, {"base": [], "subj": []}
    for r in range(repeats):
        order = (("base", baseline), ("subj", subject)) if r % 2 == 0 else (("subj", subject), ("base", baseline))
        for key, fn in order:
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall[key].append(time.perf_counter() - t)
            cpu[key].append(time.process_time() - c)
    return (min(wall["base"]), min(wall["subj"])), (min(cpu["base"]), min(cpu["subj"]))


def command_time(args: list[str], runs: int, cwd: str) -> float:
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
    return statistics.median(walls)


def same_weights(a, b) -> bool:
    return all(np.array_equal(p, q) for (W1, b1), (W2, b2) in zip(a, b) for p, q in ((W1, W2), (b1, b2)))


# ------------------------------------------------------------------ report


def machine_facts() -> list[tuple[str, str]]:
    blas = "?"
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{cfg.get('name', '?')} {cfg.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        pass
    env = {k: os.environ[k] for k in sorted(os.environ)
           if k.startswith(("OPENBLAS_", "OMP_", "MKL_", "NVPL_"))}
    return [
        ("python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("numpy", f"{np.__version__} (BLAS: {blas})"),
        ("openpyxl", openpyxl.__version__),
        ("mlptrace", mlptrace.__version__),
        ("machine", f"{platform.machine()}, {platform.system()}, {os.cpu_count()} CPUs"),
        ("BLAS env", ", ".join(f"{k}={v}" for k, v in env.items()) or "none set"),
        ("load", "average {:.2f} {:.2f} {:.2f} (1, 5, 15 min) at the start".format(*os.getloadavg())
         if hasattr(os, "getloadavg") else "?"),
    ]


def bench_training(quick: bool):
    """Rows, quotes and bit-identity checks of the training figures."""
    rows, quotes, checks = [], [], []
    for epochs, repeats in [(5000, 3)] if quick else [(5000, 11), (50000, 5)]:
        def ours():
            return mlptrace.train(epochs=epochs, seed=0, record="1,last")
        (base, subj), (cbase, csubj) = paired(lambda: article_loop(0, epochs), ours, repeats)
        same = same_weights(article_loop(0, epochs), ours().final)
        checks.append(f"trained weights identical to the article loop's at {epochs} epochs: "
                      f"{'yes' if same else 'NO'}")
        rows.append((f"train, {epochs} epochs, record 1,last", f"{subj * 1e3:.1f} ms", f"{base * 1e3:.1f} ms",
                     subj / base, csubj / cbase, TARGETS["train"]))
        quotes.append(f"Training {epochs:,} epochs (recording epochs 1 and {epochs:,}) takes "
                      f"{subj / base:.2f}× the article's bare numpy loop ({subj * 1e6 / epochs:.1f} µs vs "
                      f"{base * 1e6 / epochs:.1f} µs per epoch).")
    return rows, quotes, checks


def bench_workbook(quick: bool):
    """Row and quote of the epoch workbook figure (the default run's two books)."""
    trace = mlptrace.train(epochs=5000, seed=0, record="1,last")
    sizes = [[len(s.cells) for s in layout.epoch_book(trace, e, mlptrace.OutputConfig()).sheets] for e in trace.epochs]
    n_books, cells = len(sizes), sum(map(sum, sizes)) / len(sizes)
    (base, subj), (cbase, csubj) = paired(lambda: [bare_book(s) for s in sizes],
                                          lambda: list(export.epoch_books(trace)), 3 if quick else 9)
    base, subj = base / n_books, subj / n_books
    row = (f"one epoch workbook, {cells:.0f} cells", f"{subj * 1e3:.1f} ms", f"{base * 1e3:.1f} ms",
           subj / base, csubj / cbase, TARGETS["book"])
    quote = (f"One epoch workbook ({cells:.0f} cells on {len(sizes[0])} sheets) takes {subj * 1e3:.0f} ms, "
             f"{subj / base:.2f}× a bare openpyxl write of as many styled cells ({base * 1e3:.0f} ms; "
             f"{cells / subj:,.0f} vs {cells / base:,.0f} cells/s).")
    return row, quote


def bench_command(quick: bool):
    """Row and quote of the default command's wall time."""
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        start = command_time(["-c", "import numpy, openpyxl"], runs, tmp)
        wall = command_time(["-m", "mlptrace", "--out", os.path.join(tmp, "out")], runs, tmp)
        books = len([f for f in os.listdir(os.path.join(tmp, "out")) if f.endswith(".xlsx")])
    row = ("python -m mlptrace --out DIR (wall)", f"{wall * 1e3:.0f} ms", f"{start * 1e3:.0f} ms",
           wall / start, None, None)
    quote = (f"The default command (`python -m mlptrace`: 5,000 epochs, {books} workbooks) runs in "
             f"{wall:.2f} s wall time; starting Python with numpy and openpyxl alone takes {start:.2f} s.")
    return row, quote


def print_table(rows) -> None:
    head = ("figure", "mlptrace", "baseline", "ratio", "CPU ratio", "target")
    table = [head] + [(f, s, b, f"{r:.2f}×", "" if c is None else f"{c:.2f}×",
                       "" if t is None else f"≤ {t}×" + ("" if r <= t else "  ABOVE"))
                      for f, s, b, r, c, t in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for k, row in enumerate(table):
        cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        print("  ".join(cells).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print("  ratio: best wall times of interleaved runs (command: median of 3); CPU ratio: the same runs"
          " in process CPU time.")
    print("  baselines: the article's numpy loop; bare openpyxl (same cells per sheet, named styles);")
    print("             python -c 'import numpy, openpyxl'.")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a fast smoke run: fewer epochs and repeats")
    quick = ap.parse_args(argv).quick
    started = time.perf_counter()

    print("mlptrace benchmark" + (" (--quick: smoke run, figures are rough)" if quick else ""))
    facts = machine_facts()
    width = max(len(k) for k, _ in facts)
    for k, v in facts:
        print(f"  {k:<{width}}  {v}")
    print()

    rows, quotes, checks = bench_training(quick)
    for row, quote in (bench_workbook(quick), bench_command(quick)):
        rows.append(row)
        quotes.append(quote)

    print_table(rows)
    print()
    for line in checks:
        print(line)
    print()
    print("For the README:")
    for q in quotes:
        print(f"  {q}")
    print(f"  (measured by `python bench/bench.py` on {dict(facts)['machine']}, "
          f"Python {platform.python_version()}, numpy {np.__version__}, openpyxl {openpyxl.__version__}.)")
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
