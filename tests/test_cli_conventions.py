"""CLI conventions: --help, one meaning of --format, '-' for stdin/stdout, shell completion."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from llmgraph.cli import _parser, main

from .conftest import TINY

TINY_ARGS = ["--no-bundled", "--data", str(TINY)]

# One invocation per command that has --format: the arguments before --format VALUE.
SAMPLES: dict[str, list[str]] = {
    "ancestors": ["ancestors", "Vicuna 13B v1.5"],
    "descendants": ["descendants", "Llama 2 13B", "--depth", "1"],
    "path": ["path", "Vicuna 13B v1.5", "Llama 2 13B"],
    "backers": ["backers", "Mistral AI"],
    "portfolio": ["portfolio", "Microsoft"],
    "show": ["show", "Vicuna 13B v1.5"],
    "validate": [*TINY_ARGS, "validate"],
    "stats": [*TINY_ARGS, "stats"],
    "table": [*TINY_ARGS, "table"],
    "license-check": ["license-check", "Guanaco 7B"],
    "common-ancestors": ["common-ancestors", "Code Llama 7B Python", "Vicuna 7B v1.5"],
    "compare": ["compare", "Vicuna 13B v1.5", "Llama 2 13B Chat"],
    "search": ["search", "qwen", "--limit", "3"],
}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _format_choices(command: argparse.ArgumentParser) -> tuple[str, ...]:
    for action in command._actions:
        if "--format" in action.option_strings:
            return tuple(action.choices or ())
    return ()


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`llmgraph COMMAND --help` exits 0 and prints that command's usage and options."""
    commands = _subcommands()
    assert {"ancestors", "render", "export", "import", "completion", "serve"} <= set(commands)
    for name, command in commands.items():
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0, name
        out = capsys.readouterr().out
        assert out.startswith(f"usage: llmgraph {name}"), name
        assert command.description and command.description in " ".join(out.split()), name


def test_format_means_what_is_written_on_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every value of every command's --format works and prints (or writes) that format."""
    commands = _subcommands()
    with_format = {n for n, c in commands.items() if _format_choices(c)}
    assert with_format == {*SAMPLES, "query", "render", "export"}
    for name, argv in SAMPLES.items():
        for fmt in _format_choices(commands[name]):
            code = main([*argv, "--format", fmt])
            out = capsys.readouterr().out
            assert code in (0, 1) and out, (name, fmt)  # validate exits 1 on violations only
            if fmt == "json":
                assert isinstance(json.loads(out), list | dict), (name, fmt)
            elif fmt == "csv":
                header = next(csv.reader(io.StringIO(out)))
                assert len(header) >= 2 and "," not in header[0], (name, fmt)
            elif name == "validate":
                assert out == "conforms: no SHACL violations\n"
            else:
                assert fmt == "table" and "-----" in out.splitlines()[1], (name, out[:200])
    select = "SELECT ?m WHERE { ?m llm:fineTunedFrom ?p } LIMIT 3"
    construct = "CONSTRUCT { ?m llm:fineTunedFrom ?p } WHERE { ?m llm:fineTunedFrom ?p } LIMIT 3"
    for fmt in _format_choices(commands["query"]):
        text = construct if fmt in ("ttl", "nt") else select
        assert main([*TINY_ARGS, "query", text, "--format", fmt]) == 0, fmt
        out = capsys.readouterr().out
        if fmt in ("ttl", "nt"):
            assert len(Graph().parse(data=out, format="turtle" if fmt == "ttl" else "nt")) > 0
        elif fmt == "json":
            assert "results" in json.loads(out)
    magic = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph"}
    for fmt in _format_choices(commands["render"]):
        target = tmp_path / f"picture.{fmt}.out"  # the suffix says nothing: --format decides
        assert main(["render", "Vicuna 13B v1.5", "-o", str(target), "--format", fmt]) == 0
        assert target.read_bytes().startswith(magic[fmt]), fmt
    capsys.readouterr()
    for fmt in _format_choices(commands["export"]):
        target = tmp_path / f"export-{fmt}"
        assert main([*TINY_ARGS, "export", "-o", str(target), "--format", fmt]) == 0, fmt
        written = capsys.readouterr().out
        assert written.startswith("wrote "), fmt
        if fmt == "csv":
            first = (target / "nodes.csv").read_text(encoding="utf-8").splitlines()[0]
            assert {"developer", "licence", "family"} <= set(first.split(",")), first
        else:
            assert target.stat().st_size > 0, fmt


def test_query_refuses_a_format_its_answer_cannot_have(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A CONSTRUCT has no table and a SELECT no Turtle: the command says so instead."""
    construct = "CONSTRUCT { ?m a llm:Model } WHERE { ?m a llm:Model }"
    assert main([*TINY_ARGS, "query", construct, "--format", "csv"]) == 1
    assert "returns triples: use --format ttl or nt, not csv" in capsys.readouterr().err
    assert main([*TINY_ARGS, "query", "SELECT ?m WHERE { ?m a llm:Model }", "--format", "nt"]) == 1
    assert "returns rows: use --format table, json or csv, not nt" in capsys.readouterr().err


def test_dash_is_standard_input_and_output(
    capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`-o -` writes to standard output and `-f -` reads standard input; no file named '-'."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT ?m WHERE { ?m a llm:Model }"))
    assert main([*TINY_ARGS, "query", "-f", "-", "--format", "csv"]) == 0
    assert "https://example.org/tiny/base" in capsysbinary.readouterr().out.decode()
    assert main([*TINY_ARGS, "export", "-o", "-", "--format", "ttl"]) == 0
    assert len(Graph().parse(data=capsysbinary.readouterr().out.decode(), format="turtle")) > 100
    assert main([*TINY_ARGS, "export", "-o", "-", "--format", "csv"]) == 1
    assert "csv writes two files into a folder" in capsysbinary.readouterr().err.decode()
    assert main([*TINY_ARGS, "table", "-o", "-", "--format", "json"]) == 0
    assert json.loads(capsysbinary.readouterr().out.decode())[0]["id"].startswith(
        "https://example.org/tiny/"
    )
    assert main(["render", "Vicuna 13B v1.5", "-o", "-", "--format", "png"]) == 0
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"\x89PNG")
    assert b"wrote standard output" in captured.err
    assert not (tmp_path / "-").exists()


def test_completion_scripts_and_completions(tmp_path: Path) -> None:
    """`llmgraph completion SHELL` prints a script; the shell's request gets the commands."""
    for shell in ("bash", "zsh", "fish"):
        done = subprocess.run(
            [sys.executable, "-m", "llmgraph", "completion", shell],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert "llmgraph" in done.stdout and "_ARGCOMPLETE" in done.stdout, shell
    answer = tmp_path / "completions"
    line = "llmgraph anc"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
    }
    subprocess.run(
        [sys.executable, "-m", "llmgraph"], env=env, timeout=60, check=False, capture_output=True
    )
    assert "ancestors" in answer.read_text(encoding="utf-8").split()
