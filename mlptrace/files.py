"""Files of a run: every file name a run writes (one owner), path checks, atomic writes.

The names are made here and nowhere else, so the writer, the clash checks and the list of a
run's files always agree.
"""
from __future__ import annotations

import os
import re
import tempfile

from .errors import MlptraceError

SUMMARY = "summary.xlsx"
#: the suffix of each kind of epoch workbook: the workbook, the student's copy, its answer key
COPIES = {None: "", "exercise": "_exercise", "key": "_key"}


def epoch_file(epoch: int, last_epoch: int, copy: str | None = None, prefix: str = "") -> str:
    """``epoch_0001.xlsx``: zero-padded to the width of the last epoch number; ``copy`` adds
    ``_exercise`` or ``_key``, ``prefix`` a variant's ``variant_07_``."""
    return f"{prefix}epoch_{epoch:0{len(str(last_epoch))}d}{COPIES[copy]}.xlsx"


def html_file(epoch: int, last_epoch: int) -> str:
    """``epoch_0001.html``: the page beside an epoch's workbook."""
    return os.path.splitext(epoch_file(epoch, last_epoch))[0] + ".html"


def variant_prefix(number: int, count: int) -> str:
    """``variant_07_``: the prefix of variant ``number`` of ``count``, at least two digits."""
    return f"variant_{number:0{max(2, len(str(count)))}d}_"


def pdf_file(path: str) -> str:
    """The PDF beside a workbook."""
    return os.path.splitext(path)[0] + ".pdf"


_RUN_FILE = re.compile(r"(variant_\d+_)?epoch_\d+(" + "|".join(s for s in COPIES.values() if s)
                       + r")?\.(xlsx|pdf)|epoch_\d+\.html|" + re.escape(os.path.splitext(SUMMARY)[0]) + r"\.(xlsx|pdf)")


def is_run_file(name: str) -> bool:
    """Whether a run could write a file called ``name`` (a workbook, summary, their PDFs, a page)."""
    return _RUN_FILE.fullmatch(name) is not None


def check_writable_dir(path: str, option: str = "--out") -> None:
    """Raise MlptraceError unless ``path`` is, or can be made, a writable folder."""
    if not path:
        raise MlptraceError(f"{option} needs a folder name")
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise MlptraceError(f"{option} {path!r} is a file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise MlptraceError(f"{option} {path!r}: the folder cannot be written")
        return
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise MlptraceError(f"{option} {path!r}: the folder cannot be created")


def check_writable_file(path: str, option: str, out: str | None = None) -> None:
    """Raise MlptraceError unless a file can be written at ``path`` without clashing with the
    files a run writes into folder ``out`` (which the run creates if need be)."""
    if not path:
        raise MlptraceError(f"{option} needs a file name")
    if os.path.isdir(path):
        raise MlptraceError(f"{option} {path!r} is a folder, not a file")
    folder = os.path.dirname(os.path.abspath(path))
    if out is not None and folder == os.path.abspath(out):
        if is_run_file(os.path.basename(path)):
            raise MlptraceError(f"{option} {path!r} is a file the run itself writes; choose another name")
        if not os.path.isdir(folder):
            return  # the run makes the folder; check_writable_dir has vouched for it
    if not os.path.isdir(folder):
        raise MlptraceError(f"{option} {path!r}: the folder {folder!r} does not exist")
    try:  # a real try, not os.access: some folders (a read-only mount) refuse whatever it says
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise MlptraceError(f"{option} {path!r}: the folder {folder!r} cannot be written") from None
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise MlptraceError(f"{option} {path!r} cannot be written")



def put(folder: str, name: str, data: bytes) -> str:
    """Write ``data`` as file ``name`` in ``folder`` (atomically); return its path."""
    path = os.path.join(folder, name)
    write_atomic(path, data)
    return path


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".mlptrace-", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a file is as the umask says
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, path) from None  # the user's path, not ours
        raise


def _read_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: once, at import
    os.umask(mask)
    return mask


_UMASK = _read_umask()
