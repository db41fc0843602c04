"""Common ancestors (a diamond, two shared roots, unrelated models) and compare, with the CLI."""

from __future__ import annotations

import json

import pytest

from llmgraph import LineageGraph, UnknownEntityError, UsageError, WrongKindError
from llmgraph.cli import main
from llmgraph.compare import common_ancestors, compare

from .conftest import DATA

DIAMOND = DATA / "diamond.ttl"
ARGS = ["--no-bundled", "--data", str(DIAMOND)]


@pytest.fixture(scope="module")
def dg() -> LineageGraph:
    """The hand-made diamond graph."""
    return LineageGraph.load(DIAMOND, bundled=False)


def _found(lg: LineageGraph, a: str, b: str, **kw: object) -> list[tuple[str, int, int, int]]:
    return [
        (c.label, c.distance, c.depth_a, c.depth_b)
        for c in common_ancestors(lg, a, b, **kw)  # type: ignore[arg-type]
    ]


def test_diamond_sides_meet_at_the_root(dg: LineageGraph) -> None:
    """Two sides of a diamond share the root; both paths are given."""
    (found,) = common_ancestors(dg, "Left 7B GGUF", "Right 7B")
    assert (found.label, found.distance) == ("Root 7B", 3)
    assert found.path_a == ("Left 7B GGUF", "Left 7B", "Root 7B")
    assert found.path_b == ("Right 7B", "Root 7B")


def test_only_the_nearest_shared_ancestor_is_kept(dg: LineageGraph) -> None:
    """The merge and one of its parents share that parent; the root above it is left out."""
    assert _found(dg, "Merge 7B", "Left 7B") == [("Left 7B", 1, 1, 0)]
    assert _found(dg, "Merge 7B", "Left 7B GGUF") == [("Left 7B", 2, 1, 1)]


def test_two_nearest_ancestors(dg: LineageGraph) -> None:
    """Two merges of the same two bases have both bases as nearest shared ancestors."""
    assert _found(dg, "Merge P", "Merge Q") == [("Base X", 2, 1, 1), ("Base Y", 2, 1, 1)]


def test_unrelated_models_share_nothing(dg: LineageGraph) -> None:
    """Unrelated models, and a successor along weight lineage only, give an empty list."""
    assert _found(dg, "Lonely 1B", "Left 7B") == []
    assert _found(dg, "Root 8B Next", "Left 7B") == []
    assert _found(dg, "Root 8B Next", "Left 7B", everything=True) == [("Root 7B", 2, 1, 1)]


def test_as_of_limits_common_ancestors(dg: LineageGraph) -> None:
    """A model released after as_of is refused with its date."""
    with pytest.raises(UsageError, match=r"'Merge 7B' was not released by 2024-04-01"):
        common_ancestors(dg, "Merge 7B", "Left 7B", as_of="2024-04-01")
    assert _found(dg, "Left 7B GGUF", "Left 7B", as_of="2024-02-05") == [("Left 7B", 1, 1, 0)]


def test_errors_name_the_model(dg: LineageGraph) -> None:
    """An unknown name suggests close ones; an organization is the wrong kind."""
    with pytest.raises(UnknownEntityError, match="did you mean 'Left 7B'"):
        common_ancestors(dg, "Lefft 7B", "Right 7B")
    with pytest.raises(WrongKindError):
        compare(dg, "Diamond Lab", "Right 7B")


def test_compare_side_by_side(dg: LineageGraph) -> None:
    """`compare` lists developer, date (with precision), size, licence, parents and roots."""
    cmp = compare(dg, "Root 7B", "Right 7B")
    facts = {f: (a, b) for f, a, b in cmp.rows}
    assert facts["developer"] == ("Diamond Lab", "Other Lab")
    assert facts["released"] == ("2024-01-10", "2024-03")
    assert facts["parameters"] == ("7.00B", "")
    assert facts["licence"] == ("Open Licence", "")
    assert facts["hugging_face_id"] == ("diamond/root-7b", "")
    assert facts["parents"] == ("", "Root 7B (continuedPretrainingFrom)")
    assert facts["roots"] == ("(itself)", "Root 7B")
    assert cmp.relation == "Right 7B descends from Root 7B (1 step)"
    assert cmp.path == ["Right 7B continuedPretrainingFrom Root 7B"]


def test_compare_relations(dg: LineageGraph) -> None:
    """`compare` says whether the two share an ancestor, succeed one another, or are unrelated."""
    assert compare(dg, "Merge P", "Merge Q").relation == (
        "both descend from Base X, Base Y (lineage distance 2)"
    )
    assert compare(dg, "Root 8B Next", "Left 7B").relation == "related through succession (2 steps)"
    assert compare(dg, "Lonely 1B", "Left 7B").relation == "not related by lineage in the data"
    assert compare(dg, "Left 7B", "Left 7B").relation == "the same model"


def test_cli_common_ancestors(capsys: pytest.CaptureFixture[str]) -> None:
    """`common-ancestors` prints label, distance and both paths; json adds depths and ids."""
    assert main([*ARGS, "common-ancestors", "Left 7B GGUF", "Right 7B"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["label", "distance", "path_a", "path_b"]
    assert lines[2].split("  ")[0] == "Root 7B"
    assert "Left 7B GGUF > Left 7B > Root 7B" in lines[2]
    assert main([*ARGS, "common-ancestors", "Merge P", "Merge Q", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["label"], r["depth_a"], r["id"]) for r in rows] == [
        ("Base X", 1, "https://example.org/diamond/x"),
        ("Base Y", 1, "https://example.org/diamond/y"),
    ]
    assert main([*ARGS, "common-ancestors", "Lonely 1B", "Left 7B"]) == 0
    assert capsys.readouterr().out == (
        "('Lonely 1B' and 'Left 7B' share no ancestor along weight lineage "
        "(--all adds succession and teachers))\n"
    )


def test_cli_compare(capsys: pytest.CaptureFixture[str]) -> None:
    """`compare` prints a field / a / b table, and json with facts and the relation."""
    assert main([*ARGS, "compare", "Root 7B", "Right 7B"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["field", "a", "b"]
    assert lines[4].split() == ["developer", "Diamond", "Lab", "Other", "Lab"]
    assert main([*ARGS, "compare", "Root 7B", "Right 7B", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["facts"]["released"] == {"a": "2024-01-10", "b": "2024-03"}
    assert doc["related"] == "Right 7B descends from Root 7B (1 step)"
    assert main([*ARGS, "compare", "Rot 7B", "Right 7B"]) == 1
    assert "did you mean 'Root 7B'" in capsys.readouterr().err
