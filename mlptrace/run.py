"""A whole run's files: workbooks, exercise copies, the summary, PDFs and per-student variants.

This is what the command line writes; each piece is in ``export``, ``summary`` and ``pdf``.
Every book of a run is made and checked before the first file is written.
"""
from __future__ import annotations

import os
import multiprocessing
import signal
from dataclasses import replace

import numpy as np

from . import export, files
from .config import OutputConfig, TrainConfig
from .layout.exercise import Student, marking_book
from .layout.summary import summary_book
from .trainer import train
from .writers import pdf
from .writers import xlsx as writer

def write_run(trace, output: OutputConfig, progress=None, pdf_progress=None) -> list[str]:
    """Write one run's epoch workbooks (and copies), its summary, with --exercise the marking
    table, and, if asked, PDFs and a page beside each epoch workbook; ``progress()`` is called
    after each workbook, ``pdf_progress(done, total, path)`` after each PDF."""
    files.check_run_folders(output.out, output.exercise)
    names = export.epoch_names(trace, output)

    def books():
        yield from export.epoch_layouts(trace, output)
        yield files.SUMMARY, summary_book(trace, export.summary_links(names), decimals=output.decimals)
        if output.exercise:
            yield files.in_folder(files.KEYS, files.MARKING), marking_book(export.marking_rows(trace, output))

    with files.RunFolder(output.out) as folder:
        paths = export.write_books(folder, books, progress)
        pages = export.write_pages(folder, trace, output)
        made = pdf.write_pdfs(output.out, paths, output.exercise, pdf_progress) if output.pdf else []
        return paths + pages + folder.adopt(made)


def _worker_signals():
    """A worker leaves Ctrl-C to the run (which ends it) and dies quietly when ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _student(output: OutputConfig, number: int, count: int) -> Student:
    return Student(number, count, output.roster[number - 1] if output.roster else None)


def _variant(args):
    """One student's set (runs in a worker process): train with its seed, make its files' bytes
    and its rows of the marking table."""
    config, output, number, count = args
    with np.errstate(all="ignore"):  # as the command line: a saturated sigmoid is no warning
        trace = train(config)
    student = _student(output, number, count)
    prefix = files.variant_prefix(number, count, student.name)
    made = [(name, writer.book_bytes(book)) for name, book in
            export.epoch_layouts(trace, output, copies=("exercise", "key"), prefix=prefix, student=student)]
    return number, config.seed, float(trace.loss[-1]), made, export.marking_rows(trace, output, student, prefix)


def write_variants(config: TrainConfig, output: OutputConfig, n: int, trace=None, pdf_progress=None) -> list[str]:
    """Write ``n`` exercise sets from seeds seed, seed+1, … (made in parallel on all cores), the
    marking table of them all, and a summary of the first (the run's own seed; ``trace`` if it
    is already trained) that lists every variant's seed and files.  Nothing is written until
    every set has been made."""
    files.check_run_folders(output.out, output.exercise)
    jobs = [(replace(config, seed=config.seed + k), output, k + 1, n) for k in range(n)]
    workers = min(n, os.cpu_count() or 1)
    if workers > 1:
        # leaving the block (done, Ctrl-C, SIGTERM) ends every worker: none outlives the run
        with multiprocessing.Pool(workers, initializer=_worker_signals) as pool:
            done = pool.map(_variant, jobs, chunksize=1)
    else:
        done = [_variant(job) for job in jobs]
    index = [(number, seed, loss, [name for name, _ in made]) for number, seed, loss, made, _ in done]
    summary = summary_book(trace or train(config), export.summary_links(index[0][3]),
                           decimals=output.decimals, variants=index)
    marking = marking_book([row for *_, rows in done for row in rows])
    for book in (summary, marking):
        writer.check_book(book)
    marking_name = files.in_folder(files.KEYS, files.MARKING)
    files.check_targets(output.out, [name for *_, made, _ in done for name, _ in made] + [files.SUMMARY, marking_name])
    with files.RunFolder(output.out) as folder:
        paths = [folder.put(name, data) for *_, made, _ in done for name, data in made]
        paths.append(folder.put(files.SUMMARY, writer.book_bytes(summary)))
        paths.append(folder.put(marking_name, writer.book_bytes(marking)))
        made = pdf.write_pdfs(output.out, paths, output.exercise, pdf_progress) if output.pdf else []
        return paths + folder.adopt(made)
