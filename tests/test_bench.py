"""A tiny run of the scale benchmark and its generator, so that neither can rot (no timings)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO


def _bench(name: str) -> ModuleType:
    folder = str(REPO / "bench")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every benchmark step run in-process on a 400-model graph."""
    generate, bench = _bench("generate"), _bench("bench_scale")
    folder = tmp_path_factory.mktemp("bench")
    jsonl, nt = generate.write(400, folder, seed=3)
    args = argparse.Namespace(
        models=400,
        data=folder,
        work=folder / "work",
        jsonl=jsonl,
        nt=nt,
        repeat=1,
        sparql_repeat=1,
        root=None,
        deep=None,
    )
    out: dict[str, Any] = {"models": 400, "import": bench.step_import(args)}
    args.root, args.deep = out["import"]["root"], out["import"]["deep"]
    out["ox"] = bench.step_ox_load(args)
    out["parse"] = bench.step_parse(args)
    out["query"] = bench.step_query(args)
    out["rdflib"] = bench.step_rdflib(args)
    out["table"] = bench.table(out)
    return out


def test_generator_writes_hub_records_and_their_triples(tmp_path: Path) -> None:
    """The generator writes JSON-lines ModelInfo records with lineage tags, and N-Triples."""
    generate = _bench("generate")
    jsonl, nt = generate.write(300, tmp_path, seed=5)
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 300 and records[0]["id"].endswith("/model-0")
    tagged = [r for r in records if any(t.startswith("base_model:") for t in r["tags"])]
    assert 40 < len(tagged) < 160
    assert all(any(t.startswith("license:") for t in r["tags"]) for r in records)
    assert len(nt.read_bytes().splitlines()) > 300 * 5
    again, _ = generate.write(300, tmp_path / "again", seed=5)
    assert again.read_bytes() == jsonl.read_bytes()


def test_every_engine_counts_the_same_family(results: dict[str, Any]) -> None:
    """Llmgraph ids, Links, Oxigraph's and rdflib's property paths find the same descendants."""
    imp, ox, query, rd = (results[k] for k in ("import", "ox", "query", "rdflib"))
    counts = {
        query["ids"],
        query["links"],
        query["store_sparql"],
        ox["descendants"],
        rd["descendants"],
    }
    assert len(counts) == 1 and counts.pop() > 0
    assert imp["triples"] == ox["triples"]  # the generated N-Triples are the import's facts
    assert query["table_rows"] == imp["models"] == 400
    assert query["first_answer"] >= imp["max_depth"] > 0
    assert results["parse"]["parsed"] == imp["models"]  # the floor parses every record


def test_the_table_names_every_measure(results: dict[str, Any]) -> None:
    """The printed Markdown table has a row for each goal of the issue."""
    text = str(results["table"])
    for row in (
        "| load / import |",
        "| … the floor of the mapping: records read and parsed, nothing written |",
        "| peak RSS of the load |",
        "| cold open + first ancestry answer |",
        "| descendants of the largest root, ids |",
        "| whole-graph roots / depth / licence table |",
        "| reopen (store + index) |",
    ):
        assert row in text
    assert text.startswith("400 models, ")


def test_the_start_benchmark_runs() -> None:
    """bench_start measures every row with its peer and prints them as one table."""
    bench = _bench("bench_start")
    measured = bench.rows(1, with_validate=False)
    assert [name for name, *_ in measured] == [
        "CLI ancestors, load cache",
        "CLI ancestors, load cache",
        "CLI ancestors, LLMGRAPH_CACHE=off",
        "LineageGraph.load(), warm process, cached",
        "LineageGraph.load(), warm process, no cache",
    ]
    assert all(ours > 0 and theirs > 0 for _, ours, _, theirs in measured)
    lines = bench.table(measured).splitlines()
    assert lines[0] == "| llmgraph | median | peer | median | ratio |"
    assert len(lines) == 2 + len(measured) and all(line.endswith("x |") for line in lines[2:])


def test_the_results_benchmark_runs(tmp_path: Path) -> None:
    """bench_results checks each form against its row-by-row peer and prints one table."""
    generate, bench = _bench("generate"), _bench("bench_results")
    args = argparse.Namespace(models=300, data=tmp_path / "data", work=tmp_path / "work")
    generate.write(300, args.data, seed=3)
    store = bench.ensure_store(args)
    assert bench.ensure_store(args) == store  # imported once, then reused
    from llmgraph import LineageGraph

    with LineageGraph.open(store, read_only=True) as lg:
        root = bench.largest_root(lg)
        assert len(lg.descendant_ids(root)) > 10
    python = bench.in_python(store, root, 1)  # raises if any form differs from its peer
    cli = bench.whole_command(argparse.Namespace(repeat=1, before=None), store, root)
    text = bench.table(python["rows"], python, cli)
    lines = text.splitlines()
    assert lines[0] == f"descendants of the largest family: {python['rows']:,} rows"
    assert lines[2].startswith("| measure | llmgraph (wall / CPU) | peer |")
    for measure in ("ids (`descendant_ids`)", "`to_pandas()`", "`to_json()`", "CLI `descendants"):
        assert any(line.startswith(f"| {measure}") for line in lines[4:]), measure
    assert all(line.endswith("x |") for line in lines[4:])


def test_the_endpoint_benchmark_gets_equal_answers_from_every_server(tmp_path: Path) -> None:
    """On 400 models, the store, Oxigraph's server and Virtuoso give the same descendants."""
    generate, bench = _bench("generate"), _bench("bench_endpoint")
    generate.write(400, tmp_path / "data", seed=3)
    args = argparse.Namespace(
        models=400, data=tmp_path / "data", work=tmp_path / "work", repeat=1, buffers=20_000
    )
    results = bench.measure(args)
    assert results["equal"] is True
    counts = {results[n]["descendants"] for n in ("store", "oxigraph", "virtuoso")}
    assert len(counts) == 1 and counts.pop() > 10
    assert len({results[n]["ancestors"] for n in ("store", "oxigraph", "virtuoso")}) == 1
    text = bench.table(results)
    assert text.startswith("400 models, 4,")
    for row in ("| load (store", "| cold ancestry answer", "| descendants of the largest"):
        assert row in text
