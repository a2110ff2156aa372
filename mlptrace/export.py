"""Exporters: a trace's workbooks, its dump JSON and its weights JSON, written safely."""
from __future__ import annotations

import json
import os

from . import files, layout
from .writers import xlsx as writer
from .errors import MlptraceError
from .weights import to_json


def epoch_layouts(trace, *, focus=(1, 1), decimals=3, formulas=True, copies=(None,), prefix=""):
    """Yield (file name, layout book) for every recorded epoch and every copy asked for
    (None: the workbook; "exercise": the student copy; "key": its answer key)."""
    for epoch in trace.epochs:
        for copy in copies:
            book = layout.epoch_book(trace, epoch, focus=focus, decimals=decimals, formulas=formulas, copy=copy)
            yield files.epoch_file(epoch.epoch, trace.config.epochs, copy, prefix), book


def epoch_books(trace, **options):
    """Yield (file name, xlsx bytes) for every recorded epoch (options as ``epoch_layouts``)."""
    for name, book in epoch_layouts(trace, **options):
        yield name, writer.book_bytes(book)


def check_options(out: str, focus, decimals: int) -> None:
    """Raise MlptraceError for an output folder, focus or decimals that cannot be used."""
    files.check_writable_dir(out)
    if focus[0] < 1 or focus[1] < 1:
        raise MlptraceError(f"--focus row and column start at 1, not {focus[0]},{focus[1]}")
    if not 0 <= decimals <= 15:
        raise MlptraceError(f"--decimals must be from 0 to 15, not {decimals}")


def write_books(out: str, books, progress=None) -> list[str]:
    """Write the books that ``books()`` yields as (file name, layout book) into folder ``out``.

    ``books`` is called twice: first every book is checked (nothing is written if any cannot be
    made), then each is written, atomically.  ``progress()`` is called after each file.
    """
    for _, book in books():
        writer.check_book(book)
    os.makedirs(out, exist_ok=True)
    paths = []
    for name, book in books():
        paths.append(files.put(out, name, writer.book_bytes(book)))
        if progress is not None:
            progress()
    return paths


def write_workbooks(trace, out: str = "outputs", *, focus=(1, 1), decimals: int = 3,
                    formulas: bool = True, copies=(None,), prefix: str = "", progress=None) -> list[str]:
    """Write one workbook per recorded epoch into folder ``out``; return their paths.

    ``focus`` is the 1-based cell highlighted in every computed matrix (clipped to its shape);
    ``formulas`` False writes plain numbers instead of live formulas; ``copies`` adds exercise
    copies and answer keys; ``progress()`` is called after each file.  Every book is checked
    before the first file is written.
    """
    check_options(out, focus, decimals)
    return write_books(out, lambda: epoch_layouts(trace, focus=focus, decimals=decimals, formulas=formulas,
                                                  copies=copies, prefix=prefix), progress)


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
