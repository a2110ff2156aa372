"""Exporters: a trace's workbooks, its dump JSON and its weights JSON, written safely."""
from __future__ import annotations

import json

from . import files, layout, parallel, size
from .config import OutputConfig, from_keywords
from .layout.trails import epoch_trails
from .writers import html
from .writers import xlsx as writer
from .errors import MlptraceError
from .i18n import catalogue
from .layout.exercise import Student, questions
from .weights import to_json


def epoch_jobs(trace, options: OutputConfig, copies=None, prefix: str = "", student=None) -> list[tuple]:
    """(file name, index in ``trace.epochs``, copy, student) of every epoch workbook: every
    recorded epoch and every copy (default: those ``options`` asks for; None: the workbook;
    "exercise": the student copy; "key": its answer key); ``student`` (layout.exercise.Student)
    says whose copies they are.  In an exercise run the names start with their folder
    (``students/…``, ``keys/…``).  Nothing is made yet."""
    return [(files.epoch_file(epoch.epoch, trace.config.epochs, copy, prefix, bool(options.exercise)), k, copy, student)
            for k, epoch in enumerate(trace.epochs) for copy in copies or options.copies]


def epoch_files(shared, job) -> tuple:
    """(xlsx bytes, page bytes or None) of one epoch job (``epoch_jobs``); ``shared`` is
    (trace, options, boards), ``boards`` a dict through which the books of one run share their
    board's layout (``layout.make_board``).  The layout is made once: the page (with
    ``options.html``, beside the workbook itself) is drawn from the same book; without a page
    the book is made and written one sheet at a time.  Checked as it is made: a MlptraceError
    for anything a spreadsheet cannot hold."""
    trace, options, boards = shared
    _, k, copy, student = job
    epoch = trace.epochs[k]
    with_page = bool(options.html) and copy is None
    book = layout.epoch_book(trace, epoch, options, copy, student, one_by_one=not with_page, boards=boards)
    page = html.page_bytes(book, epoch_trails(trace, epoch, options, boards=boards)) if with_page else None
    return writer.book_bytes(book), page


def named_files(trace, options: OutputConfig, jobs, made) -> list[tuple[str, bytes]]:
    """(file name, bytes) of what ``epoch_files`` made for ``jobs``: the workbooks, then the
    pages."""
    books = [(job[0], data) for job, (data, _) in zip(jobs, made)]
    pages = [(files.html_file(trace.epochs[job[1]].epoch, trace.config.epochs, bool(options.exercise)), page)
             for job, (_, page) in zip(jobs, made) if page is not None]
    return books + pages


def marking_rows(trace, options: OutputConfig, student=None, prefix: str = "") -> list[tuple]:
    """One row of the marking table per recorded epoch: (variant, student name, seed, epoch,
    the student's file, [(question, right answer), …])."""
    student, t = student or Student(1, 1), catalogue(options.lang)
    rows = []
    for epoch in trace.epochs:
        sheets = layout.SheetNames.of(epoch.updates, trace.plan.steps, t)
        name = files.epoch_file(epoch.epoch, trace.config.epochs, "exercise", prefix, True)
        rows.append((student.label(t), student.name or "", trace.config.seed, epoch.epoch, name,
                     questions(epoch, options.exercise, options.focus, sheets)))
    return rows


def epoch_books(trace, options: OutputConfig | None = None):
    """Yield (file name, xlsx bytes) for every recorded epoch, one after the other."""
    options, boards = options or OutputConfig(), {}
    for job in epoch_jobs(trace, options):
        yield job[0], epoch_files((trace, options, boards), job)[0]


def update_html(trace, epoch, update, step=None, focus=(1, 1), decimals: int = 3, lang: str = "en") -> str:
    """An update's step ``step`` (None: every step) as an HTML element for a notebook: the
    sheets of its workbook, built by the same page writer, in language ``lang``."""
    options = OutputConfig(focus=focus, decimals=decimals, lang=lang)
    ctx = layout.epoch_context(trace, epoch, options)
    sheets = [layout.step_sheet(update, s, ctx) for s in trace.plan.steps if step in (None, s.id)]
    return html.fragment(sheets, epoch_trails(trace, epoch, options, [update.index]), decimals, lang)


def output_options(out, options: OutputConfig | None, settings: dict) -> OutputConfig:
    """The OutputConfig of an API call: ``options`` as given, or made from folder ``out`` and
    the keyword ``settings`` (each checked by OutputConfig's table)."""
    if options is not None:
        if settings:
            raise MlptraceError(f"pass options or their fields, not both (got {', '.join(settings)})")
        return options
    return from_keywords(OutputConfig, {"out": out, **settings})


def write_made(folder: files.RunFolder, made) -> list[str]:
    """Write (file name, bytes) pairs into ``folder``, each atomically; return the paths.
    Called once every file's bytes are made, so a book that cannot be made writes nothing."""
    files.check_targets(folder.out, [name for name, _ in made])
    return [folder.put(name, data) for name, data in made]


def write_workbooks(trace, out: str = "outputs", *, options: OutputConfig | None = None,
                    prefix: str = "", progress=None, **settings) -> list[str]:
    """Write one workbook per recorded epoch into folder ``out``; return their paths.

    ``options`` is an OutputConfig, or give its fields as keywords (``focus=(2, 3)``,
    ``decimals=4``, ``formulas=False``, ``exercise="guided"``, ``html=True`` …); with
    ``options`` its own ``out`` is the folder.  Several workbooks are made on all cores;
    ``progress()`` is called after each.  Every book is made and checked before the first
    file is written.
    """
    options = output_options(out, options, settings)
    if options.variants:
        raise MlptraceError("variants: a class's exercise sets are written by write_variants(config, options), "
                            "which trains each set from its own seed")
    files.check_writable_dir(options.out)
    files.check_prefix(prefix)
    size.check(size.of_trace(trace))  # the command line checks before training; an API caller here
    jobs = epoch_jobs(trace, options, prefix=prefix)
    made = parallel.make_all(epoch_files, jobs, (trace, options, {}), progress)
    with files.RunFolder(options.out) as folder:
        return write_made(folder, named_files(trace, options, jobs, made))


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


