"""The examples run, so they cannot rot: scripts end to end, .rq queries with real answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from llmgraph import LineageGraph

from .conftest import REPO

EXAMPLES = REPO / "examples"


def _run(script: str, out: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_demo(tmp_path: Path) -> None:
    """The demo prints Vicuna's ancestry, Llama 2's descendants, backers, and writes an SVG."""
    out = _run("demo.py", tmp_path)
    assert "└─ fine-tuned from → Llama 2 13B" in out
    assert "successor of → LLaMA 13B" in out
    assert "Descendants of Llama 2:" in out
    for org in ("Who backs Anthropic:", "Who backs Mistral AI:", "Who backs Hugging Face:"):
        assert org in out
    svg = tmp_path / "vicuna-lineage.svg"
    assert f"Lineage diagram: {svg.resolve()}" in out
    assert b"Vicuna 13B v1.5" in svg.read_bytes()


def test_llama_family_tree(tmp_path: Path) -> None:
    """The Llama script prints per-family counts and writes the Llama 2 tree."""
    out = _run("llama_family_tree.py", tmp_path)
    assert out.splitlines()[0].split() == ["family", "models", "built", "on", "it", "relations"]
    assert "Most built-on bases:" in out
    assert (tmp_path / "llama-2-family.svg").read_bytes().count(b'class="node"') > 10


def test_who_backs_whom(tmp_path: Path) -> None:
    """The backing script lists deals with sources and writes the backing diagram."""
    out = _run("who_backs_whom.py", tmp_path)
    assert "Microsoft" in out and "source: http" in out
    assert "Backing more than one of them:" in out
    assert b"Anthropic" in (tmp_path / "backing-network.svg").read_bytes()


QUERIES = sorted((EXAMPLES / "queries").glob("*.rq"))


@pytest.mark.parametrize("rq", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_files_return_rows(bundled: LineageGraph, rq: Path) -> None:
    """Every example query parses and returns rows on the bundled data."""
    bindings = {}
    if rq.stem == "ancestors":
        bindings["model"] = bundled.resolve("Vicuna 13B v1.5")
    if rq.stem == "family_builders":
        bindings["family"] = bundled.resolve("Llama 2", kind="model or family")
    rows = list(bundled.query(rq.read_text(encoding="utf-8"), bindings=bindings))
    assert rows, rq.name
    if rq.stem == "ancestors":
        assert [str(r[1]) for r in rows] == ["Llama 2 13B"]  # type: ignore[index]


def test_there_are_example_queries() -> None:
    """At least a few .rq examples ship."""
    assert len(QUERIES) >= 4
