"""The README tells the truth: its Python examples run, its command transcripts are real."""

from __future__ import annotations

import doctest
import os
import shlex
from pathlib import Path

import pytest

from llmgraph.cli import main
from tests.conftest import REALDATA, REPO

README = REPO / "README.md"


def _transcripts(text: str) -> list[tuple[str, list[str]]]:
    """Return each `$ llmgraph …` command of the sh blocks with the lines shown after it."""
    found: list[tuple[str, list[str]]] = []
    for block in text.split("```sh\n")[1:]:
        lines = block.split("```", 1)[0].splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ llmgraph"):
                i += 1
                continue
            command = lines[i][2:]
            while True:
                try:
                    shlex.split(command, comments=True)
                    break
                except ValueError:  # an open quote: the command goes on on the next line
                    i += 1
                    command += "\n" + lines[i]
            i += 1
            shown: list[str] = []
            while i < len(lines) and lines[i] and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
            found.append((command, shown))
    return found


def test_the_python_examples_run() -> None:
    """Every `>>>` example of the README prints what the README shows."""
    failures, tried = doctest.testfile(
        str(README),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert tried > 10 and failures == 0


def test_the_command_transcripts_are_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `$ llmgraph …` line runs, in order, and prints exactly the lines shown after it.

    A command whose comment says it shows only part ("left out", "the first rows") must print
    the shown lines in the same order among its own.
    """
    transcripts = _transcripts(README.read_text(encoding="utf-8"))
    assert len(transcripts) >= 8
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    for command, shown in transcripts:
        text = command.replace("../shared/realdata", os.fspath(REALDATA))
        argv = shlex.split(text, comments=True)[1:]
        code = main(argv)
        out = capsys.readouterr().out.splitlines()
        assert code == 0, command
        if not shown:
            continue
        if "left out" in command or "first rows" in command:
            rest = iter(out)
            assert all(line in rest for line in shown), command
        else:
            assert out == shown, command


def test_every_test_the_readme_names_exists() -> None:
    """Each `tests/…py::name` the README cites for a promise is a test of the suite."""
    import re

    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", README.read_text(encoding="utf-8"))
    assert len(cited) >= 8
    for path, name in cited:
        source = (REPO / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"{path}::{name}"
