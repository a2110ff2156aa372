"""A whole run's files: workbooks, exercise copies, the summary, PDFs and per-student variants.

This is what the command line writes; each piece is in ``export``, ``layout`` and ``writers``.
Every book of a run is made once, on all cores (``parallel``), and checked before the first
file is written.
"""
from __future__ import annotations

import numpy as np

from . import export, files, parallel
from .config import OutputConfig, TrainConfig, variant_configs
from .layout.exercise import Student, marking_book
from .layout.summary import summary_book
from .trainer import train
from .writers import pdf
from .writers import xlsx as writer


def _book(shared, job) -> tuple:
    """(bytes, page bytes or None) of one book of a run: an epoch workbook (``export.epoch_files``),
    the summary or the marking table."""
    trace, output, links, boards = shared
    if job[1] == "summary":
        return writer.book_bytes(summary_book(trace, links, decimals=output.decimals, lang=output.lang)), None
    if job[1] == "marking":
        return writer.book_bytes(marking_book(export.marking_rows(trace, output), output.decimals, output.lang)), None
    return export.epoch_files((trace, output, boards), job)


def write_run(trace, output: OutputConfig, progress=None, pdf_progress=None) -> list[str]:
    """Write one run's epoch workbooks (and copies), its summary, with --exercise the marking
    table, and, if asked, PDFs and a page beside each epoch workbook.

    Each book is made once, checked as it is made, on all cores when there are several;
    files are written only once every book is made, so a bad one writes nothing.
    ``progress()`` is called after each book is made, ``pdf_progress(done, total, path)``
    after each PDF.
    """
    files.check_run_folders(output.out, output.exercise)
    jobs = export.epoch_jobs(trace, output)
    links = files.links([job[0] for job in jobs])
    extra = [(files.SUMMARY, "summary", None, None)]  # first: the largest, so it is not made last
    if output.exercise:
        extra.append((files.in_folder(files.KEYS, files.MARKING), "marking", None, None))
    # the books share one board search per shape of board (each worker keeps its own)
    made = parallel.make_all(_book, extra + jobs, (trace, output, links, {}), progress)
    named = export.named_files(trace, output, jobs, made[len(extra):])
    books = named[:len(jobs)] + [(job[0], data) for job, (data, _) in zip(extra, made)]
    with files.RunFolder(output.out) as folder:
        written = export.write_made(folder, books + named[len(jobs):])  # workbooks, summary, marking, pages
        paths = written[:len(books)]
        pdfs = pdf.write_pdfs(output.out, paths, output.exercise, pdf_progress, keep=folder.adopt) if output.pdf else []
        return written + pdfs


def _student(output: OutputConfig, number: int, count: int) -> Student:
    return Student(number, count, output.roster[number - 1] if output.roster else None)


def _variant(shared, job):
    """One student's set (in a worker process): train with its seed, make its files' bytes
    and its rows of the marking table."""
    config, output, number, count = job
    with np.errstate(all="ignore"):  # as the command line: a saturated sigmoid is no warning
        trace = train(config)
    student = _student(output, number, count)
    prefix = files.variant_prefix(number, count, student.name)
    jobs = export.epoch_jobs(trace, output, copies=("exercise", "key"), prefix=prefix, student=student)
    boards = {}  # the copies and keys of a set share their board's layout
    made = [(job[0], export.epoch_files((trace, output, boards), job)[0]) for job in jobs]
    return number, config.seed, float(trace.loss[-1]), made, export.marking_rows(trace, output, student, prefix)


def write_variants(config: TrainConfig, output: OutputConfig, trace=None, pdf_progress=None) -> list[str]:
    """Write ``output.variants`` exercise sets from seeds seed, seed+1, … (made in parallel on
    all cores), the marking table of them all, and a summary of the first (the run's own seed;
    ``trace`` if it is already trained) that lists every variant's seed and files.  Nothing is
    written until every set has been made."""
    configs = variant_configs(config, output)
    files.check_run_folders(output.out, output.exercise)
    jobs = [(c, output, k, len(configs)) for k, c in enumerate(configs, start=1)]
    done = parallel.make_all(_variant, jobs, min_jobs=2)  # a set is a training and its books
    index = [(number, seed, loss, [name for name, _ in made]) for number, seed, loss, made, _ in done]
    summary = summary_book(trace or train(config), files.links(index[0][3]),
                           decimals=output.decimals, variants=index, lang=output.lang)
    marking = marking_book([row for *_, rows in done for row in rows], output.decimals, output.lang)
    made = [pair for *_, pairs, _ in done for pair in pairs]
    made += [(files.SUMMARY, writer.book_bytes(summary)),
             (files.in_folder(files.KEYS, files.MARKING), writer.book_bytes(marking))]
    with files.RunFolder(output.out) as folder:
        paths = export.write_made(folder, made)
        pdfs = pdf.write_pdfs(output.out, paths, output.exercise, pdf_progress, keep=folder.adopt) if output.pdf else []
        return paths + pdfs
