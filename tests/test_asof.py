"""The graph as of a date: day, month and public-by precision, undated models."""

from __future__ import annotations

import datetime as dt

import pytest

from llmgraph import LineageGraph, UsageError
from llmgraph.asof import as_of_mask, parse_date

from .conftest import DATA


@pytest.fixture(scope="module")
def lic() -> LineageGraph:
    """The hand-made licence fixture graph (it has month, public-by and undated models)."""
    return LineageGraph.load(DATA / "licences.ttl", bundled=False)


def _kept(lg: LineageGraph, date: str, label: str) -> bool:
    engine = lg.engine
    return as_of_mask(engine, date).keeps(engine.find(lg.resolve(label)))


def test_day_precision_counts_from_the_day(lic: LineageGraph) -> None:
    """A model dated to the day is in the graph from that day on, not the day before."""
    assert _kept(lic, "2024-07-23", "Llama Base 8B")
    assert not _kept(lic, "2024-07-22", "Llama Base 8B")


def test_month_precision_counts_from_the_end_of_the_month(lic: LineageGraph) -> None:
    """A model dated only to March 2024 is in the graph as of 31 March, not 15 March."""
    assert not _kept(lic, "2024-03-15", "NC Base")
    assert not _kept(lic, "2024-03-30", "NC Base")
    assert _kept(lic, "2024-03-31", "NC Base")


def test_public_by_counts_from_its_date(lic: LineageGraph) -> None:
    """A public-by date counts as released by then."""
    assert _kept(lic, "2024-02-10", "NC Child NC")
    assert not _kept(lic, "2024-02-09", "NC Child NC")


def test_undated_models_are_left_out_and_counted(lic: LineageGraph) -> None:
    """An undated model is never kept; the note counts it; organizations are always kept."""
    cut = as_of_mask(lic.engine, dt.date(2030, 1, 1))
    assert not cut.keeps(lic.engine.find(lic.resolve("Undated Model")))
    assert cut.keeps(lic.engine.find(lic.resolve("Hobby Lab")))
    assert (cut.undated, cut.later) == (1, 0)
    assert cut.note == "as of 2030-01-01: 0 later models left out; 1 undated models left out"


def test_bad_dates_are_refused() -> None:
    """Text that is not YYYY-MM-DD is refused with the value named."""
    assert parse_date(" 2024-02-29 ") == dt.date(2024, 2, 29)
    with pytest.raises(UsageError, match="as_of must be a date YYYY-MM-DD, got '2023-02-29'"):
        parse_date("2023-02-29")
    with pytest.raises(UsageError, match="since must be a date YYYY-MM-DD, got 'May'"):
        parse_date("May", what="since")


def test_descendants_and_ancestors_as_of(lic: LineageGraph) -> None:
    """as_of on the lineage verbs drops later models and notes how many."""
    later = lic.descendants("NC Base", as_of="2024-04-30")
    assert later.labels == ["NC Child MIT", "NC Child NC"]
    assert later.notes == ("as of 2024-04-30: 11 later models left out; 1 undated models left out",)
    assert lic.ancestors("Llama Deep 8B", as_of="2024-09-01").labels == [
        "Llama Good 8B",
        "Llama Base 8B",
    ]
    with pytest.raises(UsageError, match="'NC Base' was not released by 2024-03-30"):
        lic.descendants("NC Base", as_of="2024-03-30")


def test_cli_as_of_is_global_where_supported(capsys: pytest.CaptureFixture[str]) -> None:
    """`--as-of` works before or after the command; commands without it say so."""
    from llmgraph.cli import main

    args = ["--no-bundled", "--data", str(DATA / "licences.ttl")]
    assert main([*args, "--as-of", "2024-04-30", "descendants", "NC Base", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert [r["label"] for r in __import__("json").loads(captured.out)] == [
        "NC Child MIT",
        "NC Child NC",
    ]
    assert "as of 2024-04-30: 11 later models left out" in captured.err
    assert main([*args, "path", "NC Child MIT", "NC Base", "--as-of", "2024-04-30"]) == 1
    assert "--as-of is not supported by path yet" in capsys.readouterr().err
