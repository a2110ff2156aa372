"""A whole run's files: workbooks, exercise copies, the summary, PDFs and per-student variants.

This is what the command line writes; each piece is in ``export``, ``summary`` and ``pdf``.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from . import export, pdf
from .config import TrainConfig
from .trainer import train


@dataclass(frozen=True)
class Output:
    """How to write: folder, highlighted cell, decimals, live formulas, copies, PDFs."""
    out: str = "outputs"
    focus: tuple = (1, 1)
    decimals: int = 3
    formulas: bool = True
    exercise: bool = False
    pdf: bool = False

    @property
    def copies(self):
        return (None, "exercise", "key") if self.exercise else (None,)


def write_run(trace, output: Output, progress=None) -> list[str]:
    """Write one run's epoch workbooks (and copies), its summary and, if asked, PDFs;
    ``progress()`` is called after each workbook."""
    paths = export.write_workbooks(trace, output.out, focus=output.focus, decimals=output.decimals,
                                   formulas=output.formulas, copies=output.copies, progress=progress)
    paths.append(export.write_summary(trace, output.out, [os.path.basename(p) for p in paths],
                                      decimals=output.decimals))
    if output.pdf:
        paths += _pdfs(paths)
    return paths


def _pdfs(paths):
    summary = [p for p in paths if os.path.basename(p) == "summary.xlsx"]
    # the summary's data sheets (every epoch's loss) would print as dozens of pages: the
    # PDF keeps its first two pages, the summary and the concepts
    return pdf.to_pdf([p for p in paths if p.endswith(".xlsx")], pages={p: "1-2" for p in summary})


def _variant(args):
    """One student's set (runs in a worker process): train with its seed, write its copies."""
    config, output, number, width = args
    trace = train(config)
    prefix = f"variant_{number:0{width}d}_"
    paths = export.write_workbooks(trace, output.out, focus=output.focus, decimals=output.decimals,
                                   formulas=output.formulas, copies=("exercise", "key"), prefix=prefix)
    return number, config.seed, float(trace.loss[-1]), paths


def write_variants(config: TrainConfig, output: Output, n: int) -> list[str]:
    """Write ``n`` exercise sets from seeds seed, seed+1, … in parallel on all cores, with a
    summary of the first (the run's own seed) that lists every variant's seed and files."""
    width = len(str(n))
    jobs = [(replace(config, seed=config.seed + k), output, k + 1, width) for k in range(n)]
    workers = min(n, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_variant, jobs))
    else:
        done = [_variant(job) for job in jobs]
    paths = [p for *_, ps in done for p in ps]
    first = train(config)
    index = [(number, seed, loss, [os.path.basename(p) for p in ps]) for number, seed, loss, ps in done]
    paths.append(export.write_summary(first, output.out, [os.path.basename(p) for p in done[0][3]],
                                      decimals=output.decimals, variants=index))
    if output.pdf:
        paths += _pdfs(paths)
    return paths
