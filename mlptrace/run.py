"""A whole run's files: workbooks, exercise copies, the summary, PDFs and per-student variants.

This is what the command line writes; each piece is in ``export``, ``summary`` and ``pdf``.
Every book of a run is made and checked before the first file is written.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from . import export, files
from .config import TrainConfig
from .layout.summary import summary_book
from .trainer import train
from .writers import pdf
from .writers import xlsx as writer

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

    def layouts(self, trace, copies=None, prefix=""):
        """(file name, layout book) of every epoch workbook of ``trace``."""
        return export.epoch_layouts(trace, focus=self.focus, decimals=self.decimals, formulas=self.formulas,
                                    copies=copies or self.copies, prefix=prefix)


def write_run(trace, output: Output, progress=None) -> list[str]:
    """Write one run's epoch workbooks (and copies), its summary and, if asked, PDFs;
    ``progress()`` is called after each workbook."""
    export.check_options(output.out, output.focus, output.decimals)
    names = [name for name, _ in output.layouts(trace)]

    def books():
        yield from output.layouts(trace)
        yield files.SUMMARY, summary_book(trace, export.summary_links(names), decimals=output.decimals)

    paths = export.write_books(output.out, books, progress)
    return paths + (pdf.to_pdf(paths) if output.pdf else [])


def _variant(args):
    """One student's set (runs in a worker process): train with its seed, make its files' bytes."""
    config, output, number, count = args
    with np.errstate(all="ignore"):  # as the command line: a saturated sigmoid is no warning
        trace = train(config)
    prefix = files.variant_prefix(number, count)
    made = [(name, writer.book_bytes(book)) for name, book in
            output.layouts(trace, copies=("exercise", "key"), prefix=prefix)]
    return number, config.seed, float(trace.loss[-1]), made


def write_variants(config: TrainConfig, output: Output, n: int, trace=None) -> list[str]:
    """Write ``n`` exercise sets from seeds seed, seed+1, … (made in parallel on all cores), and
    a summary of the first (the run's own seed; ``trace`` if it is already trained) that lists
    every variant's seed and files.  Nothing is written until every set has been made."""
    export.check_options(output.out, output.focus, output.decimals)
    jobs = [(replace(config, seed=config.seed + k), output, k + 1, n) for k in range(n)]
    workers = min(n, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_variant, jobs))
    else:
        done = [_variant(job) for job in jobs]
    index = [(number, seed, loss, [name for name, _ in made]) for number, seed, loss, made in done]
    summary = summary_book(trace or train(config), export.summary_links(index[0][3]),
                           decimals=output.decimals, variants=index)
    writer.check_book(summary)
    os.makedirs(output.out, exist_ok=True)
    paths = [files.put(output.out, name, data) for *_, made in done for name, data in made]
    paths.append(files.put(output.out, files.SUMMARY, writer.book_bytes(summary)))
    return paths + (pdf.to_pdf(paths) if output.pdf else [])
