"""The one exception type the library raises for bad input, and reading a user's file.

The command line turns it into a single line on stderr and exit code 2; anything else that
escapes is a bug, and shows its traceback.
"""


class MlptraceError(ValueError):
    """Bad input or an impossible request, with a message meant for the user."""


def read_text(path: str, what: str, kind: str) -> str:
    """The UTF-8 text of the file at ``path``, or one clear MlptraceError.

    ``what`` names the file in messages ("data file"), ``kind`` its format ("CSV").
    """
    import os  # local: this module is imported everywhere and otherwise needs nothing

    if os.path.isdir(path):
        raise MlptraceError(f"{what} {path!r} is a directory")
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8-sig")
    except FileNotFoundError:
        raise MlptraceError(f"{what} {path!r} does not exist") from None
    except UnicodeDecodeError:
        raise MlptraceError(f"{what} {path!r} is not a text {kind} file") from None
    except OSError as exc:
        raise MlptraceError(f"cannot read {what} {path!r}: {exc.strerror}") from None
    if "\x00" in text:
        raise MlptraceError(f"{what} {path!r} is not a text {kind} file")
    return text
