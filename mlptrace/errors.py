"""The one exception type the library raises for bad input, and reading a user's file.

The command line turns it into a single line on stderr and exit code 2; anything else that
escapes is a bug, and shows its traceback.
"""


class MlptraceError(ValueError):
    """Bad input or an impossible request, with a message meant for the user."""


class NotRecorded(MlptraceError, KeyError):
    """An epoch, update or step a trace does not hold (a KeyError, as a lookup's miss is; its
    message reads as a sentence, not as a quoted key)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: the largest number a spreadsheet cell holds (Excel's 9.99999999999999E+307): an input beyond
#: it is refused, a computed one stops the training
MAX_NUMBER = 9.99999999999999e307
#: the rows and columns of a sheet, and the characters of a cell (Excel's; LibreOffice's are the
#: same or larger)
MAX_ROWS, MAX_COLS, MAX_TEXT = 1_048_576, 16_384, 32_767
#: the largest file read (a CSV of this size is far beyond what a workbook can show)
MAX_READ = 16 * 1024 * 1024

_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
         b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def visible(text: str) -> str:
    """``text`` with every character a spreadsheet or a one-line message cannot show (control
    characters, line and paragraph separators, undecodable bytes of a file name) written as
    an escape, e.g. ``a\\x01b``."""
    import unicodedata

    def shown(ch: str) -> str:
        kind = unicodedata.category(ch)
        if kind == "Cs":  # a byte of a file name that is not UTF-8 (os.fsdecode's surrogate)
            return f"\\x{ord(ch) & 0xFF:02x}"
        if kind in ("Cc", "Zl", "Zp"):
            return ch.encode("unicode_escape").decode("ascii")
        return ch

    return "".join(map(shown, text))


def read_text(path: str, what: str, kind: str) -> str:
    """The UTF-8 text of the file at ``path``, or one clear MlptraceError.

    ``what`` names the file in messages ("data file"), ``kind`` its format ("CSV").
    """
    import os  # local: this module is imported everywhere and otherwise needs nothing

    if not isinstance(path, (str, os.PathLike)):
        raise MlptraceError(f"{what} must be a file name, not {path!r}")
    if os.path.isdir(path):
        raise MlptraceError(f"{what} {path!r} is a directory")
    save_as = "CSV UTF-8" if kind == "CSV" else "UTF-8"
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_READ + 1)
    except FileNotFoundError:
        raise MlptraceError(f"{what} {path!r} does not exist") from None
    except OSError as exc:
        raise MlptraceError(f"cannot read {what} {path!r}: {exc.strerror}") from None
    if len(raw) > MAX_READ:
        raise MlptraceError(f"{what} {path!r} is larger than {MAX_READ >> 20} MB, far more than a workbook shows")
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            raise MlptraceError(f"{what} {path!r} is {encoding} text, not UTF-8: save it as {save_as}")
    if b"\x00" in raw:
        raise MlptraceError(f"{what} {path!r} is not a text {kind} file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MlptraceError(f"{what} {path!r} is not UTF-8 (perhaps Windows-1252 or Latin-1): "
                            f"save it as {save_as}") from None
