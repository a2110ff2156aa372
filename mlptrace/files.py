"""Files of a run: every file name a run writes (one owner), path checks, atomic writes.

The names are made here and nowhere else, so the writer, the clash checks and the list of a
run's files always agree.  Paths are compared resolved (symlinks, ``..``), a device or a pipe is
written into, never replaced, and a symlink is written through to its target, never replaced.
A folder holds one run: ``RunFolder`` records what a run wrote in a manifest and removes the
earlier run's files that the new one does not rewrite, unless the user changed them.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import tempfile
import warnings
import unicodedata
from pathlib import Path

from .errors import MlptraceError

SUMMARY = "summary.xlsx"
#: the suffix of each kind of epoch workbook: the workbook, the student's copy, its answer key
COPIES = {None: "", "exercise": "_exercise", "key": "_key"}
#: with --exercise: the student copies (a folder to hand out as it is) and everything with
#: answers (keys, the plain workbooks, the marking table), never mixed
STUDENTS, KEYS = "students", "keys"
MARKING = "marking.xlsx"
#: with --exercise --pdf: every student copy, and every key, merged for one print job each
STUDENTS_PDF, KEYS_PDF = "students.pdf", "keys.pdf"
#: the longest student name kept in a file name
NAME_CHARS = 40


def epoch_file(epoch: int, last_epoch: int, copy: str | None = None, prefix: str = "",
               exercise: bool = False) -> str:
    """``epoch_0001.xlsx``: zero-padded to the width of the last epoch number; ``copy`` adds
    ``_exercise`` or ``_key``, ``prefix`` a variant's ``variant_07_``.  In an exercise run
    (``exercise``) the name starts with its folder: ``students/…`` or ``keys/…``."""
    name = f"{prefix}epoch_{epoch:0{len(str(last_epoch))}d}{COPIES[copy]}.xlsx"
    return in_folder(copy_folder(copy, exercise), name)


def html_file(epoch: int, last_epoch: int, exercise: bool = False) -> str:
    """``epoch_0001.html``: the page beside an epoch's workbook (in keys/ in an exercise run)."""
    return os.path.splitext(epoch_file(epoch, last_epoch, None, "", exercise))[0] + ".html"


def copy_folder(copy: str | None, exercise: bool) -> str:
    """The folder of a copy inside the output folder: "" without --exercise."""
    if not exercise:
        return ""
    return STUDENTS if copy == "exercise" else KEYS


def in_folder(folder: str, name: str) -> str:
    """A run file's relative name (forward slashes: it is also a link in the summary)."""
    return f"{folder}/{name}" if folder else name


def variant_prefix(number: int, count: int, name: str | None = None) -> str:
    """``variant_07_`` (at least two digits) or, with a roster, ``variant_07_Ana_Silva_``."""
    safe = safe_name(name) if name else ""
    return f"variant_{number:0{max(2, len(str(count)))}d}_" + (f"{safe}_" if safe else "")


def safe_name(name: str) -> str:
    """A student's name as a file name can hold it everywhere: letters and digits (any script),
    everything else one underscore, at most NAME_CHARS characters ("" when nothing is left)."""
    text = re.sub(r"[^\w]+|_+", "_", unicodedata.normalize("NFC", name)).strip("_")
    return text[:NAME_CHARS].rstrip("_")


def check_prefix(prefix) -> None:
    """Raise MlptraceError unless ``prefix`` is text that keeps a file name in its folder."""
    if not isinstance(prefix, str):
        raise MlptraceError(f"prefix must be text, not {prefix!r}")
    if _NAME_PART.fullmatch(prefix) is None:
        raise MlptraceError(f"prefix {prefix!r} must be letters, digits, '-', '_' or '.' "
                            "(a file name part, which cannot leave the output folder)")


_NAME_PART = re.compile(r"(?!\.)[\w.-]*", re.ASCII)


def pdf_file(path: str) -> str:
    """The PDF beside a workbook."""
    return os.path.splitext(path)[0] + ".pdf"


def links(names: list[str]) -> list[tuple[str, str]]:
    """(label, file name) of each run file for the summary's list: ``epoch 0001`` for
    ``epoch_0001.xlsx``."""
    return [(os.path.splitext(name)[0].replace("_", " "), name) for name in names]


def merged_pdfs(out: str, pdfs: list[str]) -> list[tuple[str, list[str]]]:
    """An exercise run's print jobs: (``students.pdf`` in ``out``, every student copy's PDF)
    and (``keys/keys.pdf``, every answer key's), each in the order given."""
    def kind(path, folder, copy=None):
        return Path(path).parent.name == folder and (copy is None or Path(path).stem.endswith(COPIES[copy]))
    return [(os.path.join(out, STUDENTS_PDF), [p for p in pdfs if kind(p, STUDENTS)]),
            (os.path.join(out, KEYS, KEYS_PDF), [p for p in pdfs if kind(p, KEYS, "key")])]


#: the start of every temporary file or folder a run makes in the output folder (never a
#: run file's name, so no clash check or manifest mistakes one for a run file)
TEMP_PREFIX = ".mlptrace-"


_RUN_FILE = re.compile(r"(variant_\d+_(\w+_)?)?epoch_\d+(" + "|".join(s for s in COPIES.values() if s)
                       + r")?\.(xlsx|pdf)|epoch_\d+\.html|" + "|".join(re.escape(os.path.splitext(f)[0]) + r"\.(xlsx|pdf)"
                                                     for f in (SUMMARY, MARKING))
                       + "|" + "|".join(re.escape(f) for f in (STUDENTS_PDF, KEYS_PDF)))


def is_run_file(name: str) -> bool:
    """Whether a run could write a file called ``name`` (a workbook, summary, marking table,
    their PDFs, a page, the merged PDFs), in the output folder or its students/ and keys/."""
    return _RUN_FILE.fullmatch(name) is not None


def same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name the same file once symlinks and ``..`` are resolved
    (or are hard links to one file)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def is_special(path: str) -> bool:
    """Whether ``path`` is (or links to) something other than a regular file or folder that
    exists — a device such as /dev/null, a pipe, a socket — or a process's own stream such as
    /dev/stdout: such a path is written into, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return False
    return not stat.S_ISREG(mode) or os.path.abspath(path).startswith(_STREAMS)


#: a process's own open files: a shell's ``> file`` behind them is appended to, never replaced
_STREAMS = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/")


def read_roster(path: str) -> tuple[str, ...]:
    """The student names of a roster file (UTF-8, one name a line; blank lines skipped)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            lines = fh.read().splitlines()
    except UnicodeDecodeError:
        raise MlptraceError(f"--roster {path!r} is not UTF-8 text") from None
    except OSError as exc:
        raise MlptraceError(f"--roster {path!r} cannot be read: {exc.strerror or exc}") from None
    return tuple(" ".join(line.split()) for line in lines if line.strip())


def check_writable_dir(path: str, option: str = "--out") -> None:
    """Raise MlptraceError unless ``path`` (a folder name, checked with the settings) is, or
    can be made, a writable folder."""
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise MlptraceError(f"{option} {path!r} is a file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise MlptraceError(f"{option} {path!r}: the folder cannot be written")
        return
    if os.path.islink(path):
        raise MlptraceError(f"{option} {path!r} is a symlink to nothing; make its folder or name another")
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
        raise MlptraceError(f"{option} {path!r}: the folder cannot be created")


def check_run_folders(out: str, exercise) -> None:
    """Raise MlptraceError unless the run's folder, and with --exercise its students/ and keys/,
    are, or can be made, writable folders (checked before the first file is written)."""
    check_writable_dir(out)
    if exercise:
        for folder in (STUDENTS, KEYS):
            check_writable_dir(os.path.join(out, folder))


def check_writable_file(path: str, option: str, out: str | None = None) -> None:
    """Raise MlptraceError unless a file can be written at ``path`` without clashing with the
    files a run writes into folder ``out`` (which the run creates if need be).  Paths are
    compared resolved, so a symlink or ``..`` cannot hide a clash."""
    if not path:
        raise MlptraceError(f"{option} needs a file name")
    if os.path.isdir(path):
        raise MlptraceError(f"{option} {path!r} is a folder, not a file")
    if is_special(path):  # written into as it is: only its own permission matters
        if not os.access(path, os.W_OK):
            raise MlptraceError(f"{option} {path!r} cannot be written")
        return
    resolved = os.path.realpath(path)
    folder = os.path.dirname(resolved)
    if out is not None and folder == os.path.realpath(out):
        if is_run_file(os.path.basename(resolved)) or os.path.basename(resolved) == MANIFEST:
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
    if os.path.exists(resolved) and not os.access(resolved, os.W_OK):
        raise MlptraceError(f"{option} {path!r} cannot be written")


def check_targets(out: str, names) -> None:
    """Raise MlptraceError if a file of the run would have to replace a folder in ``out``."""
    for name in names:
        if os.path.isdir(os.path.join(out, name)):
            raise MlptraceError(f"{os.path.join(out, name)!r} is a folder; the run needs that name for a file")


def put(folder: str, name: str, data: bytes) -> str:
    """Write ``data`` as file ``name`` in ``folder`` (atomically); return its path."""
    path = os.path.join(folder, name)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)  # students/, keys/
    write_atomic(path, data)
    return path


def write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A device, pipe or stream (``/dev/null``, a FIFO, ``/dev/stdout``) is written into instead:
    renaming over it would replace it.  A symlink is written through: its target gets the new
    file and the link stays as it was.
    """
    if is_special(path):
        _write_into(path, data)
        return
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a file is as the umask says
        os.replace(tmp, target)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, path) from None  # the user's path, not ours
        raise


def _write_into(path: str, data: bytes) -> None:
    """Write ``data`` into an existing device, pipe or stream, which stays what it is."""
    mode = os.stat(path).st_mode
    fifo = stat.S_ISFIFO(mode)
    flags = os.O_WRONLY | (os.O_NONBLOCK if fifo else 0) | (os.O_APPEND if stat.S_ISREG(mode) else 0)
    try:
        fd = os.open(path, flags)  # no O_CREAT: it exists, and is never made anew
    except OSError as exc:
        if fifo and exc.errno == errno.ENXIO:  # a pipe with no reader would block forever
            raise MlptraceError(f"{path!r} is a pipe that nobody reads from") from None
        raise OSError(exc.errno, exc.strerror, path) from None
    try:
        if fifo:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as exc:  # /dev/full: "No space left on device"
        raise OSError(exc.errno, exc.strerror, path) from None


def _read_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: once, at import
    os.umask(mask)
    return mask


_UMASK = _read_umask()


# ---------------------------------------------------------------- a folder holds one run

#: the manifest of the run that last wrote into a folder: each file's name and sha256
MANIFEST = ".mlptrace.json"


class EditedFilesKept(UserWarning):
    """Files of an earlier run that the user changed since, kept although a new run replaced
    that run (the command line prints the message as one note)."""


def _sha256(path: str) -> str | None:
    """The file's sha256, or None if it is not a regular file (a link, a folder, nothing)."""
    if os.path.islink(path) or not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(folder: str) -> dict[str, str]:
    """{name: sha256} of the files the last run wrote into ``folder``.  Only plain file names
    count (no folder, nothing hidden), so an edited or hostile manifest cannot reach beyond the
    folder; and a file is only ever removed when its bytes are the ones recorded."""
    path = os.path.join(folder, MANIFEST)
    if os.path.islink(path) or not os.path.isfile(path):
        return {}
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read(1 << 24).decode("utf-8"))
        entries = doc["files"]
        return {name: digest for name, digest in entries.items()
                if isinstance(name, str) and isinstance(digest, str) and _plain(name)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}  # an unreadable manifest records nothing: nothing is removed


def _plain(name: str) -> bool:
    """A file name of a run: in the folder itself, or in its students/ or keys/ (an exercise)."""
    folder, _, base = name.rpartition("/")
    return (folder in ("", STUDENTS, KEYS) and base and "\\" not in base and not base.startswith(".")
            and "\x00" not in base and base != MANIFEST)


class RunFolder:
    """The output folder of one run, used as ``with RunFolder(out) as folder: folder.put(…)``.

    Every file written is recorded with its sha256 in the folder's manifest.  When the run ends
    well, the files the previous run wrote that this one did not rewrite are removed if they are
    unchanged since; changed ones are kept and named in an ``EditedFilesKept`` warning.  A run
    that stops early records what it did write and removes nothing.
    """

    def __init__(self, out: str):
        self.out = out
        self.written: dict[str, str] = {}
        self.paths: list[str] = []

    def __enter__(self):
        self.earlier = _read_manifest(self.out) if os.path.isdir(self.out) else {}
        return self

    def put(self, name: str, data: bytes) -> str:
        """Write file ``name`` of the run (atomically); return its path."""
        os.makedirs(self.out, exist_ok=True)
        path = put(self.out, name, data)
        self.written[name] = hashlib.sha256(data).hexdigest()
        self.paths.append(path)
        return path

    def adopt(self, paths: list[str]) -> list[str]:
        """Record files of the run made by another program (PDFs) in this folder."""
        for path in paths:
            name = os.path.relpath(path, self.out).replace(os.sep, "/")  # students/…, keys/… too
            self.written[name] = _sha256(path)
        self.paths.extend(paths)
        return paths

    def __exit__(self, kind, exc, tb):
        if kind is None:
            kept = self._remove_earlier()
            self._write_manifest(self.written)
            if kept:
                warnings.warn(EditedFilesKept(
                    f"kept {len(kept)} file{'s' if len(kept) > 1 else ''} of an earlier run in {self.out} "
                    f"that changed since it was written: {', '.join(kept)}"), stacklevel=2)
        elif self.written:  # stopped early: what is on disk now is partly this run's
            rest = {n: d for n, d in self.earlier.items() if n not in self.written}
            try:
                self._write_manifest({**rest, **self.written})
            except OSError:
                pass  # the run's own error says what went wrong
        return False

    def _remove_earlier(self) -> list[str]:
        """Remove the earlier run's unchanged files that this run did not rewrite; return the
        names of the changed ones, which stay."""
        kept = []
        for name in sorted(set(self.earlier) - set(self.written)):
            path = os.path.join(self.out, name)
            digest = _sha256(path)
            if digest is None:
                continue  # gone, or replaced by a link or a folder: not the run's file any more
            if digest == self.earlier[name]:
                os.unlink(path)
            else:
                kept.append(name)
        for folder in {n.rpartition("/")[0] for n in self.earlier} - {"", *(n.rpartition("/")[0] for n in self.written)}:
            path = os.path.join(self.out, folder)
            if not os.path.islink(path) and os.path.isdir(path) and not os.listdir(path):
                os.rmdir(path)  # an exercise run's students/ or keys/, emptied by this one
        return kept

    def _write_manifest(self, entries: dict[str, str]) -> None:
        if not entries and not os.path.isdir(self.out):
            return
        doc = {"files": dict(sorted(entries.items()))}
        put(self.out, MANIFEST, (json.dumps(doc, indent=1) + "\n").encode("utf-8"))
