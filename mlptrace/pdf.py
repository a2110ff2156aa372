"""Print-ready PDFs through headless LibreOffice (it must be installed: soffice on the PATH)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import MlptraceError


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


def to_pdf(paths: list[str], pages: dict | None = None, timeout: float = 600) -> list[str]:
    """Convert workbooks to PDFs beside them; ``pages[path]`` limits one to a page range "1-2".

    LibreOffice runs with a fresh profile of its own, writes into a temporary folder, and each
    PDF is renamed into place, so a failed run leaves no half-written PDF.
    """
    exe = require_soffice()
    pages = pages or {}
    out = []
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(pages.get(p, ""), []).append(p)
    for page_range, group in groups.items():
        target = "pdf"
        if page_range:
            target += ":calc_pdf_Export:" + json.dumps({"PageRange": {"type": "string", "value": page_range}})
        folder = os.path.dirname(os.path.abspath(group[0]))
        with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory(dir=folder, prefix=".mlptrace-") as tmp:
            cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", target, "--outdir", tmp, *[os.path.abspath(p) for p in group]]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise MlptraceError("LibreOffice took too long to write the PDFs") from None
            for p in group:
                made = os.path.join(tmp, Path(p).stem + ".pdf")
                if not os.path.exists(made):
                    raise MlptraceError(f"LibreOffice could not turn {p} into a PDF: "
                                        f"{(done.stderr or done.stdout).strip()[:200]}")
                final = os.path.splitext(p)[0] + ".pdf"
                os.replace(made, final)
                out.append(final)
    return out
