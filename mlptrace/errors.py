"""The one exception type the library raises for bad input.

The command line turns it into a single line on stderr and exit code 2; anything else that
escapes is a bug, and shows its traceback.
"""


class MlptraceError(ValueError):
    """Bad input or an impossible request, with a message meant for the user."""
