"""Print-ready PDFs through headless LibreOffice (it must be installed: soffice on the PATH).

One LibreOffice per core at a time, each with a profile of its own (two cannot share one),
converts the next small batch of workbooks into a temporary folder until none is left; each PDF,
as soon as LibreOffice has finished it, is made reproducible (fixed dates and document ID, through
pypdf) and put in place (and only then reported), so an interrupted or failed run keeps the PDFs
it reported, whole, and leaves no half-written one.  Every LibreOffice runs in its own process group and is ended with it on success, failure,
time-out, Ctrl-C or SIGTERM; the temporary folder (profiles and PDFs) goes with it.
"""
from __future__ import annotations

import hashlib
import io
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .. import files
from ..errors import MlptraceError

#: seconds allowed for starting LibreOffice, and then per workbook of one process's share
TIMEOUT_START, TIMEOUT_PER_FILE = 60.0, 30.0
FIXED_DATE = "D:20000101000000Z"  # as the workbooks' document dates: identical runs, identical bytes


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The LibreOffice program, or a clear error naming what to install."""
    exe = soffice()
    if exe is None:
        raise MlptraceError("--pdf needs LibreOffice: install it (e.g. the Debian package "
                            "libreoffice-calc-nogui) so that 'soffice' is on the PATH")
    return exe


def write_pdfs(out: str, paths: list[str], exercise=None, progress=None, workers: int | None = None,
               keep=None) -> list[str]:
    """PDFs of the workbooks ``paths`` (in folder ``out`` or below it), beside each; in an
    exercise run also ``students.pdf`` (every student copy) and ``keys/keys.pdf`` (every key),
    merged in order for one print job each.  Returns the PDFs' paths; ``keep([path])`` is
    called as each is put in place (a run folder records it then, even if the run stops)."""
    pdfs = to_pdf(paths, out, progress, workers, keep)
    if not exercise:
        return pdfs
    merged = files.merged_pdfs(out, pdfs)
    for target, parts in merged:
        files.write_atomic(target, merge(parts))
        if keep is not None:
            keep([target])
    return pdfs + [target for target, _ in merged]


def merge(paths: list[str]) -> bytes:
    """The PDFs ``paths`` one after the other (each starts on a new page), reproducibly."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for p in paths:
        writer.append(p)
    return _reproducible(writer)


def _reproducible(writer) -> bytes:
    """The bytes of a pypdf writer with fixed dates and a document ID made from its content."""
    from pypdf.generic import ArrayObject, ByteStringObject

    writer.add_metadata({"/CreationDate": FIXED_DATE, "/ModDate": FIXED_DATE, "/Producer": "mlptrace"})

    def body(ident: bytes) -> bytes:
        writer._ID = ArrayObject([ByteStringObject(ident), ByteStringObject(ident)])
        raw = io.BytesIO()
        writer.write(raw)
        return raw.getvalue()

    return body(hashlib.md5(body(bytes(16))).digest())


def _fixed(path: str) -> bytes:
    """A LibreOffice PDF without its clock time and random document ID."""
    from pypdf import PdfReader, PdfWriter

    return _reproducible(PdfWriter(clone_from=PdfReader(path)))


def to_pdf(paths: list[str], out: str | None = None, progress=None, workers: int | None = None,
           keep=None) -> list[str]:
    """Convert workbooks to PDFs beside them, with one LibreOffice per core (or ``workers``) at a
    time; each PDF is put in place as soon as it is finished, then ``keep([pdf path])`` and
    ``progress(done, total, pdf path)`` are called.  ``out``: a folder on the same disk for the
    temporary files (default: the first workbook's).  Returns the PDFs' paths, in the
    workbooks' order."""
    if not paths:
        return []
    exe = require_soffice()
    stems = [Path(p).stem for p in paths]
    if len(set(stems)) != len(stems):  # the PDFs of one run share a temporary folder
        raise MlptraceError("two workbooks of one run have the same name; cannot print both")
    workers = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    timeout = TIMEOUT_START + TIMEOUT_PER_FILE * -(-len(paths) // workers)
    work = Path(tempfile.mkdtemp(dir=out or os.path.dirname(os.path.abspath(paths[0])), prefix=files.TEMP_PREFIX + "pdf-"))
    converter = _Converter(exe, work, paths, workers)
    source = {Path(p).stem: p for p in paths}

    placed = set()

    def place(stem: str, done: int) -> None:
        placed.add(stem)
        final = files.pdf_file(source[stem])
        files.write_atomic(final, _fixed(str(work / "pdf" / (stem + ".pdf"))))
        if keep is not None:
            keep([final])
        if progress is not None:
            progress(done, len(paths), final)

    try:
        with _terminate_as_interrupt():
            converter.run(timeout, place)
        missing = [p for p in paths if Path(p).stem not in placed]
        if missing:
            raise MlptraceError(f"LibreOffice wrote no PDF of {missing[0]}")
        return [files.pdf_file(p) for p in paths]
    finally:
        converter.stop()
        shutil.rmtree(work, ignore_errors=True)


#: workbooks per LibreOffice start: it slows down as it converts more files in one run, and
#: small batches share the work out evenly between the processes
BATCH = 8


class _Converter:
    """``workers`` slots, each running one LibreOffice at a time (with the slot's own profile)
    on the next batch of workbooks until none is left; every process in a group of its own."""

    def __init__(self, exe, work: Path, paths, workers: int):
        self.exe, self.work, self.paths, self.workers = exe, work, list(paths), workers
        size = max(1, min(BATCH, -(-len(paths) // workers)))
        self.batches = queue.Queue()
        for k in range(0, len(paths), size):
            self.batches.put(self.paths[k:k + size])
        self.events: queue.Queue = queue.Queue()
        self.procs, self.lock, self.stopping = [], threading.Lock(), False
        (work / "pdf").mkdir()

    def run(self, timeout: float, finished) -> None:
        """Convert everything, calling ``finished(stem, how many so far)`` in this thread as
        each PDF is finished; raise MlptraceError on a failure."""
        for k in range(self.workers):
            threading.Thread(target=self._slot, args=(k,), daemon=True).start()
        stems = {Path(p).stem for p in self.paths}
        deadline, running, done = time.monotonic() + timeout, self.workers, 0
        while running:
            left = deadline - time.monotonic()
            if left <= 0:
                raise MlptraceError(f"LibreOffice took longer than {timeout:.0f} s to write {len(self.paths)} PDFs")
            try:
                kind, what = self.events.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if kind == "end":
                running -= 1
            elif kind == "error":
                raise MlptraceError(what)
            elif what in stems:
                done += 1
                finished(what, done)

    def _slot(self, k: int) -> None:
        profile = (self.work / f"profile{k}").resolve().as_uri()
        try:
            while not self.stopping:
                try:
                    batch = self.batches.get_nowait()
                except queue.Empty:
                    break
                said = self._convert(profile, batch)
                missing = [p for p in batch if not (self.work / "pdf" / (Path(p).stem + ".pdf")).exists()]
                if missing and not self.stopping:
                    self.events.put(("error", f"LibreOffice could not turn {missing[0]} into a PDF: "
                                              f"{' '.join(said)[-200:]}"))
                    break
        finally:
            self.events.put(("end", k))

    def _convert(self, profile: str, batch) -> list[str]:
        """One LibreOffice on ``batch``; reports each PDF it says it wrote; returns what it said."""
        cmd = [self.exe, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf", "--outdir", str(self.work / "pdf"), *[os.path.abspath(p) for p in batch]]
        with self.lock:
            if self.stopping:
                return []
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    text=True, errors="replace", start_new_session=True)  # its own group
            self.procs.append(proc)
        said, started = [], None
        # "convert A.xlsx as a Calc document -> B.pdf using filter …" comes as LibreOffice
        # *starts* B: B is finished when it starts the next one, or ends
        for line in proc.stdout:
            said.append(line.strip())
            if " -> " in line:
                if started is not None:
                    self.events.put(("pdf", started))
                started = Path(line.split(" -> ", 1)[1].split(" using ", 1)[0].strip()).stem
        proc.wait()
        _end(proc)  # whatever it started ends with it
        if started is not None and not self.stopping and (self.work / "pdf" / (started + ".pdf")).exists():
            self.events.put(("pdf", started))
        return said

    def stop(self) -> None:
        """End every LibreOffice of the run (and what each started), and start no more."""
        with self.lock:
            self.stopping = True
            procs = list(self.procs)
        for proc in procs:
            _end(proc)


def _end(proc) -> None:
    """End a LibreOffice and everything it started (its process group), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


class _terminate_as_interrupt:
    """While converting, SIGTERM interrupts like Ctrl-C, so the clean-up runs (no LibreOffice
    survives, no temporary folder is left); outside the main thread nothing changes."""

    def __enter__(self):
        self.before = None
        if threading.current_thread() is threading.main_thread():
            self.before = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        if self.before is not None:
            signal.signal(signal.SIGTERM, self.before)
        return False
