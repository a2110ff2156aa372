"""Run real LibreOffice (``soffice --headless``) from the tests.

LibreOffice trusts the cached values of an .xlsx by default: it would show mlptrace's own
numbers back to us and prove nothing.  Every call here therefore runs with a fresh user
profile whose ``org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode`` (and
``ODFRecalcMode``) is 0, "always recalculate": on load LibreOffice recomputes every formula
and, converting to xlsx, writes its own results as the cached values, which
``openpyxl.load_workbook(data_only=True)`` reads.  (Measured here: with no setting, or with 1
"never", a deliberately wrong cached value survives the round trip; with 0 it is replaced.
``test_libreoffice.py::test_libreoffice_really_recalculates`` keeps that proof alive.)

Import from the tests as ``from soffice import …``: pytest puts ``tests/`` on ``sys.path``
(rootdir-based "prepend" import mode, no ``tests/__init__.py``).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

#: the LibreOffice binary, or None when it is not installed
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")

#: seconds one soffice run may take before it is killed (a run takes 1–4 s per workbook here)
TIMEOUT = 180

SKIP_REASON = "LibreOffice (soffice) is not installed"
#: ``@requires_soffice`` on a test (or ``pytestmark = requires_soffice``): skip, with a reason,
#: where LibreOffice is missing; never pass silently
requires_soffice = pytest.mark.skipif(SOFFICE is None, reason=SKIP_REASON)
requires_pdftoppm = pytest.mark.skipif(PDFTOPPM is None or PDFTOTEXT is None,
                                       reason="pdftoppm/pdftotext (poppler-utils) is not installed")

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def require_soffice() -> str:
    """The soffice path; skips the calling test (with the reason) when it is missing."""
    if SOFFICE is None:
        pytest.skip(SKIP_REASON)
    return SOFFICE


def recalc_profile(tmpdir) -> Path:
    """Make a fresh LibreOffice user profile in ``tmpdir`` that recalculates on every load.

    Returns the profile folder; pass it as ``profile=`` to the functions below (one profile may
    serve many runs, but not two runs at the same time).
    """
    profile = Path(tmpdir) / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return profile


def _run(args, profile) -> subprocess.CompletedProcess:
    cmd = [require_soffice(), "--headless", "--norestore", "--nolockcheck",
           f"-env:UserInstallation={Path(profile).resolve().as_uri()}", *args]
    # its own session, so a hung LibreOffice (oosplash + soffice.bin) is killed as a whole
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f"soffice did not finish within {TIMEOUT} s: {' '.join(cmd)}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert(paths, outdir, fmt: str, *, profile=None) -> list[Path]:
    """Convert ``paths`` (one soffice run for all) to ``fmt`` in ``outdir``; return the new files.

    The inputs need distinct base names.  Raises RuntimeError, with soffice's output, when a
    converted file is missing (soffice may exit 0 without writing it).
    """
    paths = [Path(p) for p in paths]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if len({p.stem for p in paths}) != len(paths):
        raise ValueError("files converted together need distinct base names")
    made_profile = profile is None
    if made_profile:
        profile = recalc_profile(tempfile.mkdtemp(prefix="mlptrace-lo-"))
    try:
        result = _run(["--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)], profile)
    finally:
        if made_profile:
            shutil.rmtree(Path(profile).parent, ignore_errors=True)
    targets = [outdir / (p.stem + "." + fmt.split(":")[0]) for p in paths]
    missing = [str(t) for t in targets if not t.is_file()]
    if missing:
        raise RuntimeError(f"soffice (exit {result.returncode}) did not write {missing}\n"
                           f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return targets


def recalculate_many(paths, outdir, *, profile=None) -> list[Path]:
    """LibreOffice loads each xlsx, recomputes every formula and saves it as xlsx in ``outdir``."""
    return convert(paths, outdir, "xlsx", profile=profile)


def recalculate(xlsx_path, outdir, *, profile=None) -> Path:
    """One workbook through LibreOffice (recalculating); the converted file's path."""
    return recalculate_many([xlsx_path], outdir, profile=profile)[0]


def to_pdf(path, outdir, *, profile=None) -> Path:
    """The workbook printed to PDF by LibreOffice; the PDF's path."""
    return convert([path], outdir, "pdf", profile=profile)[0]


# ---------------------------------------------------------------- files


# a formula cell and its cached value: <v>…</v>, an empty <v/> (openpyxl) or none at all
_CACHED = re.compile(r'(<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f(?:\s[^>]*)?>[^<]*</f>)\s*(?:<v>[^<]*</v>|<v\s*/>)?')


def set_cached_values(src, dst, value: str, *, cells=None, sheet: int | None = None) -> int:
    """Copy xlsx ``src`` to ``dst`` with the cached value of formula cells replaced by ``value``.

    ``sheet`` (1-based position, as in ``xl/worksheets/sheetN.xml``) and ``cells`` (addresses)
    limit the change; by default every formula cell of every sheet gets the wrong number, so a
    cell that LibreOffice did not recalculate cannot pass for a right one.  Returns how many
    cached values were replaced.
    """
    changed = 0

    def put(m):
        nonlocal changed
        if cells is not None and m.group(2) not in cells:
            return m.group(0)
        changed += 1
        return f"{m.group(1)}<v>{value}</v>"

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and (sheet is None or int(m.group(1)) == sheet):
                body = _CACHED.sub(put, body.decode("utf-8")).encode("utf-8")
            zout.writestr(info, body)
    return changed


def pdf_page_of(pdf, text: str) -> int:
    """The first page (1-based) of ``pdf`` whose text contains ``text``."""
    pages = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True,
                           timeout=60, check=True).stdout.split("\f")
    for k, page in enumerate(pages, start=1):
        if text in page:
            return k
    raise LookupError(f"no page of {pdf} says {text!r}")


def render_page(pdf, page: int, outdir, dpi: int = 60):
    """Page ``page`` of ``pdf`` as an (height, width, 3) uint8 RGB array (pdftoppm, PPM)."""
    prefix = Path(outdir) / f"page{page}"
    subprocess.run([PDFTOPPM, "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(prefix)], check=True, timeout=60, capture_output=True)
    return read_ppm(prefix.with_suffix(".ppm"))


def read_ppm(path):
    """A binary PPM (P6, maxval 255) as an (height, width, 3) uint8 array."""
    import numpy as np

    data = Path(path).read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; '#' comments allowed between them
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1  # the single whitespace byte after maxval
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not a binary 8-bit PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height * 3, offset=pos)
    return pixels.reshape(height, width, 3)
