"""Search: ranking (whole name, prefix, word, substring, fuzzy), filters, errors, the CLI."""

from __future__ import annotations

import json

import pytest

from llmgraph import LineageGraph, UnknownEntityError, UsageError, WrongKindError
from llmgraph.cli import main
from llmgraph.search import search

from .conftest import DATA

DIAMOND = DATA / "diamond.ttl"
ARGS = ["--no-bundled", "--data", str(DIAMOND)]


@pytest.fixture(scope="module")
def dg() -> LineageGraph:
    """The hand-made diamond graph."""
    return LineageGraph.load(DIAMOND, bundled=False)


def _ranked(lg: LineageGraph, text: str, **kw: object) -> list[tuple[str, int]]:
    return [(m.label, m.score) for m in search(lg, text, **kw)]  # type: ignore[arg-type]


def test_whole_name_first_then_prefix(dg: LineageGraph) -> None:
    """The whole name scores 100, names starting with the text 95, shorter names first."""
    assert _ranked(dg, "left 7b") == [("Left 7B", 100), ("Left 7B GGUF", 95)]


def test_word_start_beats_inner_substring(dg: LineageGraph) -> None:
    """The text at the start of a word scores 90; inside a word 85."""
    assert _ranked(dg, "gguf") == [("Left 7B GGUF", 90)]
    assert _ranked(dg, "erge", kind="model") == [
        ("Merge P", 85),
        ("Merge Q", 85),
        ("Merge 7B", 85),
    ]


def test_hub_ids_and_fuzzy_matches(dg: LineageGraph) -> None:
    """A Hugging Face id matches as a whole name; a misspelling matches fuzzily, below 85."""
    found = search(dg, "diamond/root-7b")
    assert (found[0].label, found[0].score, found[0].matched) == (
        "Root 7B",
        100,
        "diamond/root-7b",
    )
    (lonely,) = search(dg, "Lonley 1B")
    assert lonely.label == "Lonely 1B"
    assert 70 <= lonely.score < 85


def test_filters(dg: LineageGraph) -> None:
    """Developer, licence, kind and date filters narrow the matches."""
    assert _ranked(dg, "7b", developer="Other Lab") == [
        ("Merge 7B", 90),
        ("Right 7B", 90),
        ("Left 7B GGUF", 90),
    ]
    assert [m.label for m in search(dg, "", license="Open Licence")] == ["Left 7B", "Root 7B"]
    assert [m.label for m in search(dg, "lab", kind="organization")] == [
        "Other Lab",
        "Diamond Lab",
    ]
    assert [m.label for m in search(dg, "", kind="model", since="2024-06-01")] == [
        "Merge P",
        "Merge Q",
        "Root 8B Next",
    ]


def test_month_precision_and_as_of(dg: LineageGraph) -> None:
    """A month-precision model matches `until` only from the end of its month."""
    assert "Right 7B" not in [m.label for m in search(dg, "right", until="2024-03-15")]
    assert [m.label for m in search(dg, "right", until="2024-03-31")] == ["Right 7B"]
    assert [m.label for m in search(dg, "right", as_of="2024-03-31")] == ["Right 7B"]
    assert [m.label for m in search(dg, "right", since="2024-03-01")] == ["Right 7B"]


def test_limit_counts_everything(dg: LineageGraph) -> None:
    """`limit` cuts the list; `total` and the note count every match."""
    found = search(dg, "", kind="model", limit=2)
    assert len(found) == 2 and found.total == 11
    assert found.notes == ("11 matches; the best 2 shown",)


def test_bundled_family_and_licence(bundled: LineageGraph) -> None:
    """On the bundled data: a family filter and an SPDX licence id."""
    chats = [m.label for m in search(bundled, "chat", family="Llama 2")]
    assert chats == ["Llama 2 7B Chat", "Llama 2 13B Chat", "Llama 2 70B Chat"]
    found = search(bundled, "qwen", license="Apache-2.0", since="2025-01-01", kind="model")
    assert found and all(m.licence == "Apache License 2.0" for m in found)
    assert all(m.release_date and m.release_date.year >= 2025 for m in found)


def test_errors(dg: LineageGraph) -> None:
    """Unknown filters suggest names; wrong kinds, bad dates and limits are refused."""
    with pytest.raises(UnknownEntityError, match="did you mean 'Other Lab'"):
        search(dg, "x", developer="Othr Lab")
    with pytest.raises(WrongKindError):
        search(dg, "x", license="Root 7B")
    with pytest.raises(UsageError, match="since must be a date YYYY-MM-DD, got '2024'"):
        search(dg, "x", since="2024")
    with pytest.raises(UsageError, match="limit must be 1 or more, got 0"):
        search(dg, "x", limit=0)
    with pytest.raises(UsageError, match="kind must be one of model, family"):
        search(dg, "x", kind="dataset")  # type: ignore[arg-type]


def test_cli_search(capsys: pytest.CaptureFixture[str]) -> None:
    """`search` prints a ranked table; json has the verbs' entity columns."""
    assert main([*ARGS, "search", "right"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "score",
        "label",
        "kind",
        "developer",
        "released",
        "licence",
        "matched",
    ]
    assert lines[2].split() == [
        "95",
        "Right",
        "7B",
        "model",
        "Other",
        "Lab",
        "2024-03",
        "Right",
        "7B",
    ]
    assert main([*ARGS, "search", "root", "--format", "json", "--limit", "1"]) == 0
    captured = capsys.readouterr()
    (row,) = json.loads(captured.out)
    assert row["label"] == "Root 7B" and row["id"] == "https://example.org/diamond/root"
    assert "2 matches; the best 1 shown" in captured.err
    assert main([*ARGS, "search", "zzzz"]) == 0
    assert capsys.readouterr().out == "(nothing matches 'zzzz')\n"
    assert main([*ARGS, "search", "x", "--developer", "Othr Lab"]) == 1
    assert "did you mean 'Other Lab'" in capsys.readouterr().err
