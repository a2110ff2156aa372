"""What an .xlsx package holds, read without openpyxl: its parts, and its dates."""
from __future__ import annotations

import re
import zipfile


def parts(path) -> dict[str, bytes]:
    """{part name: bytes} of the package at ``path``."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def assert_fixed_dates(path) -> None:
    """Nothing in the package depends on the clock: every zip entry is dated 1980-01-01 00:00
    and the document says it was created and modified on 2000-01-01."""
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}, path
        core = z.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert sorted(stamps) == [("created", "2000-01-01T00:00:00Z"), ("modified", "2000-01-01T00:00:00Z")], core
