"""Exporters: a trace's workbooks, its dump JSON and its weights JSON, written safely."""
from __future__ import annotations

import json
import os

from dataclasses import fields

from . import files, layout, size
from .config import OutputConfig
from .layout.trails import epoch_trails
from .writers import html
from .writers import xlsx as writer
from .errors import MlptraceError
from .layout.exercise import Student, questions
from .weights import to_json


def epoch_names(trace, options: OutputConfig, copies=None, prefix: str = "") -> list[str]:
    """The file name of every epoch workbook that ``epoch_layouts`` makes, without making any
    (in an exercise run with its folder: ``students/…``, ``keys/…``)."""
    return [files.epoch_file(epoch.epoch, trace.config.epochs, copy, prefix, bool(options.exercise))
            for epoch in trace.epochs for copy in copies or options.copies]


def epoch_layouts(trace, options: OutputConfig, copies=None, prefix: str = "", student=None):
    """Yield (file name, layout book) for every recorded epoch and every copy (default: those
    ``options`` asks for; None: the workbook; "exercise": the student copy; "key": its key);
    ``student`` (layout.exercise.Student) says whose copies they are."""
    for epoch in trace.epochs:
        for copy in copies or options.copies:
            book = layout.epoch_book(trace, epoch, options, copy, student)
            yield files.epoch_file(epoch.epoch, trace.config.epochs, copy, prefix, bool(options.exercise)), book


def marking_rows(trace, options: OutputConfig, student=None, prefix: str = "") -> list[tuple]:
    """One row of the marking table per recorded epoch: (variant, student name, seed, epoch,
    the student's file, [(question, right answer), …])."""
    student = student or Student(1, 1)
    rows = []
    for epoch in trace.epochs:
        sheets = layout.SheetNames.of(epoch.updates, trace.plan.steps)
        name = files.epoch_file(epoch.epoch, trace.config.epochs, "exercise", prefix, True)
        rows.append((student.label, student.name or "", trace.config.seed, epoch.epoch, name,
                     questions(epoch, options.exercise, options.focus, sheets)))
    return rows


def epoch_books(trace, options: OutputConfig | None = None):
    """Yield (file name, xlsx bytes) for every recorded epoch."""
    for name, book in epoch_layouts(trace, options or OutputConfig()):
        yield name, writer.book_bytes(book)


def epoch_pages(trace, options: OutputConfig):
    """Yield (file name, page bytes): the interactive page of every recorded epoch, the same
    sheets as its workbook with every cell's inputs and arithmetic."""
    for epoch in trace.epochs:
        book = layout.epoch_book(trace, epoch, options)
        page = html.page_bytes(book, epoch_trails(trace, epoch, options))
        yield files.html_file(epoch.epoch, trace.config.epochs, bool(options.exercise)), page


def write_pages(folder: files.RunFolder, trace, options: OutputConfig) -> list[str]:
    """Write the page of every recorded epoch into ``folder`` if ``options.html``; return
    their paths."""
    if not options.html:
        return []
    return [folder.put(name, data) for name, data in epoch_pages(trace, options)]


def update_html(trace, epoch, update, step=None, focus=(1, 1), decimals: int = 3) -> str:
    """An update's step ``step`` (None: every step) as an HTML element for a notebook: the
    sheets of its workbook, built by the same page writer."""
    options = OutputConfig(focus=focus, decimals=decimals)
    ctx = layout.epoch_context(trace, epoch, options)
    sheets = [layout.step_sheet(update, s, ctx) for s in trace.plan.steps if step in (None, s.id)]
    return html.fragment(sheets, epoch_trails(trace, epoch, options, [update.index]), decimals)


def output_options(out, options: OutputConfig | None, settings: dict) -> OutputConfig:
    """The OutputConfig of an API call: ``options`` as given, or made from folder ``out`` and
    the keyword ``settings`` (each checked by OutputConfig's table)."""
    if options is not None:
        if settings:
            raise MlptraceError(f"pass options or their fields, not both (got {', '.join(settings)})")
        return options
    unknown = sorted(set(settings) - {f.name for f in fields(OutputConfig)})
    if unknown:
        raise MlptraceError(f"unknown output setting {unknown[0]!r}")
    return OutputConfig(out=out, **settings)


def write_books(folder: files.RunFolder, books, progress=None) -> list[str]:
    """Write the books that ``books()`` yields as (file name, layout book) into ``folder``.

    ``books`` is called twice: first every book is checked (nothing is written if any cannot be
    made), then each is written, atomically.  ``progress()`` is called after each file.
    """
    names = []
    for name, book in books():
        writer.check_book(book)
        names.append(name)
    files.check_targets(folder.out, names)
    paths = []
    for name, book in books():
        paths.append(folder.put(name, writer.book_bytes(book)))
        if progress is not None:
            progress()
    return paths


def write_workbooks(trace, out: str = "outputs", *, options: OutputConfig | None = None,
                    prefix: str = "", progress=None, **settings) -> list[str]:
    """Write one workbook per recorded epoch into folder ``out``; return their paths.

    ``options`` is an OutputConfig, or give its fields as keywords (``focus=(2, 3)``,
    ``decimals=4``, ``formulas=False``, ``exercise="guided"``, ``html=True`` …); with
    ``options`` its own ``out`` is the folder.  ``progress()`` is called after each file.  Every
    book is checked before the first file is written.
    """
    options = output_options(out, options, settings)
    files.check_writable_dir(options.out)
    files.check_prefix(prefix)
    size.check(size.of_trace(trace))  # the command line checks before training; an API caller here
    with files.RunFolder(options.out) as folder:
        paths = write_books(folder, lambda: epoch_layouts(trace, options, prefix=prefix), progress)
        return paths + write_pages(folder, trace, options)


def dump_dict(trace) -> dict:
    """Every recorded matrix of every recorded epoch, as plain lists (the dump JSON)."""
    return {
        "config": trace.config.to_dict(),
        "sizes": list(trace.plan.sizes),
        "loss": trace.loss.tolist(),
        "epochs": [{"epoch": e.epoch, "loss": e.loss, "updates": [
            {"update": u.index, "samples": list(u.samples),
             **{name: value.tolist() for name, value in u.values.items()}}
            for u in e.updates]} for e in trace.epochs],
    }


def write_dump(trace, path: str) -> None:
    """Write the dump JSON of ``trace`` to ``path``."""
    files.write_atomic(path, (json.dumps(dump_dict(trace)) + "\n").encode("utf-8"))


def write_weights(layers, path: str) -> None:
    """Write layers as weights JSON (bit-exact floats)."""
    files.write_atomic(path, to_json(layers).encode("utf-8"))


def summary_links(files) -> list[tuple[str, str]]:
    """(label, file name) for the summary's list of workbooks."""
    return [(os.path.splitext(f)[0].replace("_", " "), f) for f in files]
