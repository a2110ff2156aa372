"""Every `mlptrace` command the README shows runs as written, from a fresh clone's files."""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from mlptrace.cli import main
from mlptrace.writers.pdf import soffice

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The `mlptrace …` lines of the README's shell blocks, without their comments."""
    blocks = re.findall(r"```sh\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("mlptrace ")]


def test_the_readme_has_examples():
    commands = readme_commands()
    assert len(commands) >= 8, commands
    assert any("examples/" in c for c in commands)


@pytest.mark.slow
@pytest.mark.parametrize("command", readme_commands())
def test_a_readme_command_runs_as_written(command, tmp_path, monkeypatch, capsys):
    args = shlex.split(command)[1:]
    if "--pdf" in args and soffice() is None:
        pytest.skip("--pdf needs LibreOffice (soffice), which is not installed")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    code = main(args + ["--quiet"])
    out, err = capsys.readouterr()
    assert (code, out, err) == (0, "", ""), (command, err)
    written = [p for p in tmp_path.rglob("*.xlsx")]
    assert written, command
    if "--pdf" in args:
        assert list(tmp_path.rglob("*.pdf")), command
