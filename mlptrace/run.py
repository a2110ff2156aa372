"""A whole run's files: workbooks, exercise copies, the summary, PDFs and per-student variants.

This is what the command line writes; each piece is in ``export``, ``layout`` and ``writers``.
Every book of a run is made once, on all cores (``parallel``), and checked before the first
file is written.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import export, files, parallel
from .config import OutputConfig, TrainConfig
from .layout.summary import summary_book
from .trainer import train
from .writers import pdf
from .writers import xlsx as writer


def _book(shared, job) -> tuple:
    """(bytes, page bytes or None) of one book of a run: an epoch workbook (``export.epoch_files``),
    or the summary (index None)."""
    trace, output, links = shared
    if job[1] is None:
        return writer.book_bytes(summary_book(trace, links, decimals=output.decimals)), None
    return export.epoch_files((trace, output), job)


def write_run(trace, output: OutputConfig, progress=None) -> list[str]:
    """Write one run's epoch workbooks (and copies), its summary and, if asked, PDFs and a
    page beside each epoch workbook.

    Each book is made once, checked as it is made, on all cores when there are several;
    files are written only once every book is made, so a bad one writes nothing.
    ``progress()`` is called after each book is made.
    """
    files.check_writable_dir(output.out)
    jobs = export.epoch_jobs(trace, output)
    links = export.summary_links([name for name, _, _ in jobs])
    jobs.insert(0, (files.SUMMARY, None, None))  # first: the largest, so it is not made last
    made = parallel.make_all(_book, jobs, (trace, output, links), progress)
    named = export.named_files(trace, jobs[1:], made[1:])
    books = named[:len(jobs) - 1] + [(files.SUMMARY, made[0][0])]
    paths = export.put_all(output.out, books + named[len(jobs) - 1:])  # workbooks, summary, pages
    return paths + (pdf.to_pdf(paths[:len(books)]) if output.pdf else [])


def _variant(shared, job):
    """One student's set (in a worker process): train with its seed, make its files' bytes."""
    config, output, number, count = job
    with np.errstate(all="ignore"):  # as the command line: a saturated sigmoid is no warning
        trace = train(config)
    prefix = files.variant_prefix(number, count)
    made = [(name, export.epoch_files((trace, output), (name, k, copy))[0]) for name, k, copy in
            export.epoch_jobs(trace, output, copies=("exercise", "key"), prefix=prefix)]
    return number, config.seed, float(trace.loss[-1]), made


def write_variants(config: TrainConfig, output: OutputConfig, n: int, trace=None) -> list[str]:
    """Write ``n`` exercise sets from seeds seed, seed+1, … (made in parallel on all cores), and
    a summary of the first (the run's own seed; ``trace`` if it is already trained) that lists
    every variant's seed and files.  Nothing is written until every set has been made."""
    files.check_writable_dir(output.out)
    jobs = [(replace(config, seed=config.seed + k), output, k + 1, n) for k in range(n)]
    done = parallel.make_all(_variant, jobs)
    index = [(number, seed, loss, [name for name, _ in made]) for number, seed, loss, made in done]
    summary = summary_book(trace or train(config), export.summary_links(index[0][3]),
                           decimals=output.decimals, variants=index)
    made = [pair for *_, pairs in done for pair in pairs] + [(files.SUMMARY, writer.book_bytes(summary))]
    paths = export.put_all(output.out, made)
    return paths + (pdf.to_pdf(paths) if output.pdf else [])
