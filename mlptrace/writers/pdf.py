"""Print-ready PDFs through headless LibreOffice (it must be installed: soffice on the PATH)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import MlptraceError
from ..files import pdf_file


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


def to_pdf(paths: list[str], timeout: float = 600) -> list[str]:
    """Convert workbooks (in one folder) to PDFs beside them, in one LibreOffice run.

    LibreOffice runs with a fresh profile of its own and writes into a temporary folder; each
    PDF is then renamed into place, so a failed run leaves no half-written PDF.
    """
    if not paths:
        return []
    exe = require_soffice()
    folder = os.path.dirname(os.path.abspath(paths[0]))
    with tempfile.TemporaryDirectory() as profile, \
            tempfile.TemporaryDirectory(dir=folder, prefix=".mlptrace-") as tmp:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", tmp, *[os.path.abspath(p) for p in paths]]
        done = _run(cmd, timeout)
        made = [os.path.join(tmp, Path(p).stem + ".pdf") for p in paths]
        missing = [p for p, m in zip(paths, made) if not os.path.exists(m)]
        if missing:
            raise MlptraceError(f"LibreOffice could not turn {missing[0]} into a PDF: "
                                f"{(done.stderr or done.stdout).strip()[:200]}")
        out = [pdf_file(p) for p in paths]
        for m, final in zip(made, out):
            os.replace(m, final)
    return out


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run LibreOffice in a process group of its own, ended as a whole when the run stops
    (timeout, Ctrl-C, SIGTERM): its launcher's children would otherwise live on."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException as exc:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.wait()
            if isinstance(exc, subprocess.TimeoutExpired):
                raise MlptraceError("LibreOffice took too long to write the PDFs") from None
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
