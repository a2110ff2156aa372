"""A whole run's files: workbooks, exercise copies, the summary, PDFs and per-student variants.

This is what the command line writes; each piece is in ``export``, ``summary`` and ``pdf``.
Every book of a run is made and checked before the first file is written.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np

from . import export, files
from .config import OutputConfig, TrainConfig
from .layout.summary import summary_book
from .trainer import train
from .writers import pdf
from .writers import xlsx as writer

def write_run(trace, output: OutputConfig, progress=None) -> list[str]:
    """Write one run's epoch workbooks (and copies), its summary and, if asked, PDFs and a
    page beside each epoch workbook; ``progress()`` is called after each workbook."""
    files.check_writable_dir(output.out)
    names = export.epoch_names(trace, output)

    def books():
        yield from export.epoch_layouts(trace, output)
        yield files.SUMMARY, summary_book(trace, export.summary_links(names), decimals=output.decimals)

    paths = export.write_books(output.out, books, progress)
    return paths + export.write_pages(trace, output) + (pdf.to_pdf(paths) if output.pdf else [])


def _variant(args):
    """One student's set (runs in a worker process): train with its seed, make its files' bytes."""
    config, output, number, count = args
    with np.errstate(all="ignore"):  # as the command line: a saturated sigmoid is no warning
        trace = train(config)
    prefix = files.variant_prefix(number, count)
    made = [(name, writer.book_bytes(book)) for name, book in
            export.epoch_layouts(trace, output, copies=("exercise", "key"), prefix=prefix)]
    return number, config.seed, float(trace.loss[-1]), made


def write_variants(config: TrainConfig, output: OutputConfig, n: int, trace=None) -> list[str]:
    """Write ``n`` exercise sets from seeds seed, seed+1, … (made in parallel on all cores), and
    a summary of the first (the run's own seed; ``trace`` if it is already trained) that lists
    every variant's seed and files.  Nothing is written until every set has been made."""
    files.check_writable_dir(output.out)
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
