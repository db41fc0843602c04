"""The persistent Oxigraph store: same answers as in memory, atomic imports, persisted index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from llmgraph import (
    ALL_LINEAGE,
    DataLoadError,
    LineageCycleError,
    LineageGraph,
    QueryError,
    UnknownEntityError,
    UsageError,
)
from llmgraph.store import bundled_data_files
from llmgraph.stores.oxigraph import StoredGraph
from llmgraph.vocab import LLM, LLMID
from tests.conftest import REPO, TINY

NAMES = ["Llama 2", "LLaMA 7B", "Mistral 7B", "Vicuna 13B v1.5", "Qwen2.5 7B", "Alpaca 7B"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoredGraph]:
    """A store holding the ontology and the bundled data, imported once; read-only use."""
    sg = LineageGraph.open(tmp_path_factory.mktemp("stores") / "db")
    sg.import_files(bundled_data_files())
    yield sg
    sg.close()


def _state(sg: StoredGraph) -> tuple[int, str, list[str]]:
    links = sg.descendants("Base 7B")
    return len(sg), sg.version, [link.id for link in links]


def test_every_verb_equals_the_in_memory_graph(stored: StoredGraph, bundled: LineageGraph) -> None:
    """ancestors, descendants, backers, portfolio and path return what LineageGraph returns."""
    assert len(stored) == len(bundled)
    for name in NAMES:
        assert stored.descendants(name) == bundled.descendants(name)
        assert stored.ancestors(name, relations=ALL_LINEAGE) == bundled.ancestors(
            name, relations=ALL_LINEAGE
        )
        assert stored.descendants(name, depth=1) == bundled.descendants(name, depth=1)
    for org in ("Mistral AI", "Anthropic", "OpenAI"):
        assert stored.backers(org, transitive=True) == bundled.backers(org, transitive=True)
    for org in ("Microsoft", "Alphabet", "Databricks"):
        assert stored.portfolio(org) == bundled.portfolio(org)
    for a, b in (("Tulu 2 DPO 7B", "Vicuna 7B v1.5"), ("Vicuna 13B v1.5", "Llama 2 13B Chat")):
        assert stored.path(a, b) == bundled.path(a, b)
        assert stored.path(a, b, directed=False) == bundled.path(a, b, directed=False)


def test_ids_are_the_fast_form_of_descendants(stored: StoredGraph) -> None:
    """descendant_ids gives the same models as descendants, as index node numbers."""
    ids = stored.descendant_ids("Llama 2 7B")
    assert sorted(stored.index.iri(int(i)) for i in ids) == sorted(
        link.id for link in stored.descendants("Llama 2 7B")
    )
    assert [stored.index.iri(int(i)) for i in stored.ancestor_ids("Vicuna 13B v1.5")] == [
        str(LLMID["llama-2-13b"])
    ]


def test_query_binds_values_and_returns_rdflib_results(stored: StoredGraph) -> None:
    """SPARQL runs in Oxigraph with prefixes and bindings; results are rdflib Results."""
    result = stored.query(
        "SELECT ?parent WHERE { ?m llm:fineTunedFrom ?parent }",
        bindings={"m": stored.resolve("Vicuna 13B v1.5")},
    )
    assert [str(row[0]) for row in result] == [str(LLMID["llama-2-13b"])]  # type: ignore[index]
    assert stored.query("ASK { llmid:llama-2-7b a llm:Model }").askAnswer is True
    graph = stored.query("CONSTRUCT { ?m a llm:Model } WHERE { ?m llm:fineTunedFrom ?p }").graph
    assert graph is not None and (URIRef(LLMID["vicuna-13b-v1-5"]), None, None) in graph
    found = stored.query(
        "SELECT ?m ?name WHERE { ?m rdfs:label ?name }", bindings={"name": "Vicuna 13B v1.5"}
    )
    assert [(str(r[0]), r[1]) for r in found] == [  # type: ignore[index]
        (str(LLMID["vicuna-13b-v1-5"]), Literal("Vicuna 13B v1.5"))
    ]
    quoted = stored.query("SELECT ?m WHERE { ?m rdfs:label ?name }", bindings={"name": 'a"} x'})
    assert list(quoted) == []


def test_query_errors_are_query_errors(stored: StoredGraph) -> None:
    """A syntax error raises QueryError with Oxigraph's position."""
    with pytest.raises(QueryError, match="SPARQL syntax error: error at 1:"):
        stored.query("SELEC ?x WHERE { ?x ?p ?o }")


def test_unknown_names_raise(stored: StoredGraph) -> None:
    """An unknown name raises UnknownEntityError naming it."""
    with pytest.raises(UnknownEntityError, match="Vicunna 99B"):
        stored.descendants("Vicunna 99B")


def test_reopen_is_read_only_and_keeps_everything(tmp_path: Path) -> None:
    """A reopened store has the same triples, version and index; read-only refuses writes."""
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_file(TINY)
        before = (len(sg), sg.version, sg.descendants("Base 7B"))
    index_dirs = list((tmp_path / "db" / "index").iterdir())
    with LineageGraph.open(tmp_path / "db", read_only=True) as again:
        assert (len(again), again.version, again.descendants("Base 7B")) == before
        with pytest.raises(UsageError, match="opened read-only"):
            again.add([(LLMID.x, LLM.fineTunedFrom, LLMID.y)])
    assert [p.name for p in index_dirs] == [before[1]]


def test_read_only_open_of_nothing_fails(tmp_path: Path) -> None:
    """Opening a missing store read-only raises DataLoadError naming the path."""
    with pytest.raises(DataLoadError, match="no llmgraph store here"):
        LineageGraph.open(tmp_path / "nothing", read_only=True)


def test_add_is_one_transaction_and_refreshes_the_index(tmp_path: Path) -> None:
    """add() writes facts and derivedFrom, changes the version, and the index follows."""
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_file(TINY)
        version = sg.version
        child = LLMID["tiny-child"]
        added = sg.add(
            [
                (child, LLM.fineTunedFrom, sg.resolve("Base 7B")),
                (child, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), LLM.Model),
            ]
        )
        assert added == 3
        assert sg.version != version
        assert str(child) in [link.id for link in sg.descendants("Base 7B")]
        assert sg.add([(child, LLM.fineTunedFrom, sg.resolve("Base 7B"))]) == 0


def test_add_refuses_a_cycle_and_changes_nothing(tmp_path: Path) -> None:
    """A fact closing a derivation cycle raises LineageCycleError; the store is unchanged."""
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_file(TINY)
        base = sg.resolve("Base 7B")
        child = sg.descendants("Base 7B")[0].id
        before = _state(sg)
        with pytest.raises(LineageCycleError, match="derivation cycle: Base 7B → "):
            sg.add([(base, LLM.quantizedFrom, URIRef(child))])
        assert _state(sg) == before


def test_failed_import_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """A malformed file raises DataLoadError naming it; triples, version and files stay."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix llm: <https://w3id.org/llmgraph#> .\n<http://e/a> llm:x .\n")
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_file(TINY)
        before = _state(sg)
        with pytest.raises(DataLoadError, match=r"bad\.ttl"):
            sg.import_files([TINY, bad])
        assert _state(sg) == before
        assert sorted(p.name for p in (tmp_path / "db").glob("gen-*")) == ["gen-000002"]


def test_import_that_closes_a_cycle_is_refused(tmp_path: Path) -> None:
    """An import making lineage cyclic raises LineageCycleError and changes nothing."""
    loop = tmp_path / "loop.nt"
    a, b = "https://example.org/tiny/base", "https://example.org/tiny/loop-b"
    loop.write_text(f"<{b}> <{LLM.fineTunedFrom}> <{a}> .\n<{a}> <{LLM.fineTunedFrom}> <{b}> .\n")
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_file(TINY)
        before = _state(sg)
        with pytest.raises(LineageCycleError, match="derivation cycle"):
            sg.import_file(loop)
        assert _state(sg) == before


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    """A file with an unknown suffix raises DataLoadError listing the formats."""
    odd = tmp_path / "facts.xyz"
    odd.write_text("x")
    with LineageGraph.open(tmp_path / "db") as sg, pytest.raises(DataLoadError, match=r"\.ttl"):
        sg.import_file(odd)


def test_stale_index_is_rebuilt(tmp_path: Path) -> None:
    """An index saved for another version is not used: a fresh one is built and saved."""
    with LineageGraph.open(tmp_path / "db") as sg:
        sg.import_file(TINY)
        version = sg.version
    folder = tmp_path / "db" / "index"
    (folder / version).rename(folder / "stale")
    with LineageGraph.open(tmp_path / "db") as sg:
        assert [link.label for link in sg.descendants("Base 7B")]
    assert sorted(p.name for p in folder.iterdir()) == [version]


_KILLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from llmgraph.stores.oxigraph import StoredGraph

    def records():
        for i in range(100000):
            if i == 3000:
                Path(sys.argv[2]).write_text("started")
                time.sleep(600)
            parent = [f"base_model:finetune:org/m{i - 1}"] if i else []
            yield {"id": f"org/m{i}", "tags": parent + ["license:mit"]}

    StoredGraph.open(sys.argv[1]).import_hub(records(), chunk=500)
    """
)


def test_killed_import_leaves_the_store_intact(tmp_path: Path) -> None:
    """A process killed in the middle of a bulk import leaves the store as it was before."""
    store = tmp_path / "db"
    with LineageGraph.open(store) as sg:
        sg.import_file(TINY)
        before = _state(sg)
    marker = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", _KILLED, str(store), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the import did not start"
        assert len(list(store.glob("gen-*"))) == 2  # the new generation is being written
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with LineageGraph.open(store) as sg:
        assert _state(sg) == before
        assert sg.query('ASK { ?m llm:huggingFaceId "org/m1" }').askAnswer is False
    assert sorted(p.name for p in store.glob("gen-*")) == ["gen-000002"]


def test_cli_loads_a_store_and_queries_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`llmgraph --store PATH load …` fills a store; verbs and `table` then read it."""
    from llmgraph.cli import main

    store = str(tmp_path / "db")
    assert main(["--store", store, "load", str(TINY)]) == 0
    assert capsys.readouterr().out.startswith("imported 1 file(s) (")
    assert main(["--store", store, "descendants", "Base 7B", "--format", "csv"]) == 0
    ours = capsys.readouterr().out
    assert (
        main(["--no-bundled", "--data", str(TINY), "descendants", "Base 7B", "--format", "csv"])
        == 0
    )
    assert ours == capsys.readouterr().out
    assert main(["--store", store, "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,label,depth,roots,licence,licence_chain,licence_changed"
    assert any(
        line.startswith("https://example.org/tiny/tuned-gguf,Tuned 7B GGUF,2,Base 7B,")
        for line in lines
    )
    hub = tmp_path / "hub.jsonl"
    hub.write_text('{"id": "acme/next", "tags": ["base_model:finetune:acme/base-7b"]}\n')
    assert main(["--store", store, "load", "--hub", str(hub)]) == 0
    assert "imported 1 records" in capsys.readouterr().out


def test_cli_store_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Missing stores, `load` without a store and in-memory-only commands fail clearly."""
    from llmgraph.cli import main

    assert main(["--store", str(tmp_path / "none"), "ancestors", "x"]) == 1
    assert "no llmgraph store here" in capsys.readouterr().err
    assert main(["load", str(TINY)]) == 1
    assert "load needs --store PATH" in capsys.readouterr().err
    assert main(["--store", str(tmp_path / "db"), "validate"]) == 1
    assert "validate works on the in-memory graph" in capsys.readouterr().err


_KILLED_PARALLEL = textwrap.dedent(
    """
    import sys
    from llmgraph.stores.oxigraph import StoredGraph

    StoredGraph.open(sys.argv[1]).import_hub(sys.argv[2], parallel=True)
    """
)


def _mapping_processes(store: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"llmgraph.stores.bulk" in command and str(store).encode() in command:
                found.append(int(entry.name))
    return found


def test_killed_parallel_import_leaves_the_store_intact(tmp_path: Path) -> None:
    """Killing a parallel import (loader reading the mapping process's pipe) changes nothing."""
    store = tmp_path / "db"
    with LineageGraph.open(store) as sg:
        sg.import_file(TINY)
        before = _state(sg)
    source = tmp_path / "hub.jsonl"
    lines = (
        json.dumps({"id": f"org/m{i}", "tags": [f"base_model:finetune:org/m{i - 1}"]}) + "\n"
        for i in range(1, 200_000)
    )
    source.write_text("".join(lines), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_PARALLEL, str(store), str(source)], env=env
    )
    try:
        pipe = store / "import-parts" / "records.nt"
        deadline = time.monotonic() + 60
        while not pipe.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pipe.exists(), "the parallel import did not start"
        time.sleep(1.5)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 20
    while _mapping_processes(store) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _mapping_processes(store) == []  # the mapping process does not outlive the import
    with LineageGraph.open(store) as sg:
        assert _state(sg) == before
    assert sorted(p.name for p in store.iterdir()) == ["CURRENT", "gen-000002", "index"]
