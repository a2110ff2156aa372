"""The texts a reader sees, as the code marks them: the first argument of every call of ``t``
(a translate function, also as ``ctx.t``) or ``N_`` (the marker for texts in tables)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mlptrace"
MARKERS = {"t", "N_"}


def _marker(call: ast.Call) -> bool:
    f = call.func
    return (isinstance(f, ast.Name) and f.id in MARKERS) or (isinstance(f, ast.Attribute) and f.attr == "t")


def marked(package: Path = PACKAGE) -> dict[str, list[str]]:
    """{English text: ["file:line", …]} of every literal text passed to a marker.

    A marker called with anything but a literal (a variable holding a marked text) is looked
    up at run time and needs no entry of its own."""
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _marker(node) and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, []).append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return found


def dynamic(package: Path = PACKAGE) -> list[str]:
    """Places where a marker is given a formatted string (an f-string or ``%``/``.format``):
    its text could never be in a catalogue."""
    bad = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _marker(node) and node.args:
                arg = node.args[0]
                formatted = isinstance(arg, ast.JoinedStr) or (
                    isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"
                ) or (isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant))
                if formatted:
                    bad.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return bad
