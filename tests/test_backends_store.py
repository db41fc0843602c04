"""The on-disk store: atomic generations, one writer, readers that follow, a checked engine."""

from __future__ import annotations

import glob
import os
import re
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
    DataLoadError,
    InvalidFactError,
    LineageCycleError,
    LineageGraph,
    QueryError,
    UnknownEntityError,
    UsageError,
)
from llmgraph.cli import main
from llmgraph.importers import import_source
from llmgraph.vocab import LLM, LLMID
from tests.conftest import REALDATA, REPO, TINY

RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"


def _state(lg: LineageGraph) -> tuple[int, str, list[str]]:
    return len(lg), lg.backend.version(), [str(i) for i in lg.descendants("Base 7B").ids]


def _generations(store: Path) -> list[str]:
    return sorted(p.name for p in store.glob("gen-*"))


def test_query_binds_values_and_returns_rdflib_results(tmp_path: Path) -> None:
    """SPARQL runs in Oxigraph with prefixes and bindings; results are rdflib Results."""
    with LineageGraph.open(tmp_path / "db") as lg:
        lg.import_files([TINY])
        result = lg.query(
            "SELECT ?parent WHERE { ?m llm:fineTunedFrom ?parent }",
            bindings={"m": lg.resolve("Tuned 7B")},
        )
        assert [str(row[0]) for row in result] == ["https://example.org/tiny/base"]  # type: ignore[index]
        found = lg.query(
            "SELECT ?m ?name WHERE { ?m rdfs:label ?name }", bindings={"name": "Base 7B"}
        )
        assert [(str(r[0]), r[1]) for r in found] == [  # type: ignore[index]
            ("https://example.org/tiny/base", Literal("Base 7B"))
        ]
        quoted = lg.query("SELECT ?m WHERE { ?m rdfs:label ?name }", bindings={"name": 'a"} x'})
        assert list(quoted) == []
        with pytest.raises(QueryError, match="SPARQL syntax error: error at 1:"):
            lg.query("SELEC ?x WHERE { ?x ?p ?o }")
        with pytest.raises(UnknownEntityError, match="did you mean 'Base 7B'"):
            lg.descendants("Base 7C")


def test_reopen_is_read_only_and_keeps_everything(tmp_path: Path) -> None:
    """A reopened store has the same triples, version and engine; read-only refuses writes."""
    with LineageGraph.open(tmp_path / "db") as lg:
        lg.import_files([TINY])
        before = _state(lg)
    with LineageGraph.open(tmp_path / "db", read_only=True) as again:
        assert _state(again) == before
        with pytest.raises(UsageError, match="opened read-only"):
            again.add([(LLMID.x, LLM.fineTunedFrom, LLMID.y)])
    assert [p.name for p in (tmp_path / "db" / "index").iterdir()] == [before[1]]
    with pytest.raises(DataLoadError, match="no llmgraph store here"):
        LineageGraph.open(tmp_path / "nothing", read_only=True)


def test_every_write_is_a_new_generation_and_readers_follow(tmp_path: Path) -> None:
    """add() makes a new generation; a reader opened before sees it at its next question."""
    store = tmp_path / "db"
    with LineageGraph.open(store) as writer:
        writer.import_files([TINY])
        reader = LineageGraph.open(store, read_only=True)
        child = URIRef(LLMID["tiny-child"])
        base = URIRef(writer.resolve("Base 7B"))
        assert writer.add([(child, LLM.fineTunedFrom, base), (child, RDF_TYPE, LLM.Model)]) == 3
        assert writer.add([(child, LLM.fineTunedFrom, base)]) == 0  # no new generation
        assert _generations(store) == ["gen-000002", "gen-000003"]  # the reader's is kept
        assert str(child) in reader.descendants("Base 7B").ids
        reader.close()
        writer.add([(child, LLM.license, URIRef(writer.resolve("Tiny License")))])
    assert _generations(store) == ["gen-000004"]


def test_a_write_refused_by_a_rule_changes_nothing(tmp_path: Path) -> None:
    """Cycles, bad dates and counts, literals at relations are refused; nothing changes.

    add() and file loads refuse them alike, a cycle made within one batch too.
    """
    store = tmp_path / "db"
    with LineageGraph.open(store) as lg:
        lg.import_files([TINY])
        before = _state(lg)
        base = URIRef(lg.resolve("Base 7B"))
        child = URIRef(lg.descendants("Base 7B")[0].id)
        with pytest.raises(LineageCycleError, match="derivation cycle: Base 7B → "):
            lg.add([(base, LLM.quantizedFrom, child)])
        loop = [URIRef(LLMID[f"loop-{i}"]) for i in range(3)]
        with pytest.raises(LineageCycleError):
            lg.add([(loop[i], LLM.fineTunedFrom, loop[(i + 1) % 3]) for i in range(3)])
        bad_files = {
            "date.ttl": f'<http://e/a> <{LLM.releaseDate}> "yesterday"^^<{XSD}date> .',
            "count.ttl": f'<http://e/a> <{LLM.parameterCount}> "-5"^^<{XSD}integer> .',
            "literal.ttl": '<http://e/a> <https://w3id.org/llmgraph#fineTunedFrom> "Llama" .',
            "cycle.nt": "<http://e/a> <https://w3id.org/llmgraph#fineTunedFrom> <http://e/b> .\n"
            "<http://e/b> <https://w3id.org/llmgraph#adapterOf> <http://e/a> .",
            "syntax.ttl": "<http://e/a> <https://w3id.org/llmgraph#x> .",
        }
        for name, text in bad_files.items():
            path = tmp_path / name
            path.write_text(text + "\n", encoding="utf-8")
            with pytest.raises((InvalidFactError, LineageCycleError, DataLoadError)) as info:
                lg.import_files([TINY, path])
            if isinstance(info.value, InvalidFactError | DataLoadError) and name != "cycle.nt":
                assert name in str(info.value)
            assert _state(lg) == before, name
        assert _generations(store) == ["gen-000002"]
        assert not list(store.glob("*.partial"))


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    """A file with an unknown suffix raises DataLoadError listing the formats."""
    odd = tmp_path / "facts.xyz"
    odd.write_text("x")
    with LineageGraph.open(tmp_path / "db") as lg, pytest.raises(DataLoadError, match=r"\.ttl"):
        lg.import_files([odd])


def test_stale_or_damaged_engine_is_rebuilt(tmp_path: Path) -> None:
    """An engine saved for another version, or tampered with, is not used: it is rebuilt."""
    with LineageGraph.open(tmp_path / "db") as lg:
        lg.import_files([TINY])
        version, want = lg.backend.version(), lg.descendants("Base 7B").ids
    folder = tmp_path / "db" / "index" / version
    blob = folder / "out_dst.npy"
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0x01
    blob.write_bytes(bytes(data))
    with LineageGraph.open(tmp_path / "db", read_only=True) as lg:
        assert lg.descendants("Base 7B").ids == want
    (tmp_path / "db" / "index" / version).rename(tmp_path / "db" / "index" / "stale")
    with LineageGraph.open(tmp_path / "db", read_only=True) as lg:
        assert lg.descendants("Base 7B").ids == want


def test_hub_import_into_a_seeded_store_types_edges_as_in_memory(tmp_path: Path) -> None:
    """The real Hub trees imported into a seeded store type edges as the in-memory import.

    And no Hugging Face id belongs to two entities.
    """
    trees = sorted(glob.glob(str(REALDATA / "hf_hub_api" / "*.csv")))
    memory = LineageGraph.load()
    import_source(memory, "hf-hub", trees)
    store = tmp_path / "db"
    assert main(["--store", str(store), "load", "--bundled"]) == 0
    assert main(["--store", str(store), "import", "hf-hub", *trees]) == 0
    with LineageGraph.open(store, read_only=True) as stored:
        assert stored.engine.digest == memory.engine.digest
        owners: dict[str, set[str]] = {}
        for subject, hub_id in stored.backend.read(str(LLM.huggingFaceId)):
            owners.setdefault(str(getattr(hub_id, "lexical", hub_id)).casefold(), set()).add(
                subject
            )
        assert all(len(v) == 1 for v in owners.values())
        parent = "mistralai/Mistral-Small-24B-Base-2501"
        assert stored.resolve(parent) == LLMID["mistral-small-24b-base-2501"]
        assert stored.descendants(parent) == memory.descendants(parent)


_KILLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from llmgraph import LineageGraph
    from llmgraph.importers import import_source

    def records():
        for i in range(100000):
            if i == 3000:
                Path(sys.argv[2]).write_text("started")
                time.sleep(600)
            parent = [f"base_model:finetune:org/m{i - 1}"] if i else []
            yield {"id": f"org/m{i}", "tags": parent + ["license:mit"]}

    import_source(LineageGraph.open(sys.argv[1]), "hf-hub", [], records=records())
    """
)


def test_killed_import_leaves_the_store_intact(tmp_path: Path) -> None:
    """A process killed in the middle of an import leaves the store as it was before."""
    store = tmp_path / "db"
    with LineageGraph.open(store) as lg:
        lg.import_files([TINY])
        before = _state(lg)
    marker = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", _KILLED, str(store), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the import did not start"
        assert len(list(store.glob("gen-*.partial"))) == 1  # the new generation is being written
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with LineageGraph.open(store) as lg:
        assert _state(lg) == before
        assert lg.query('ASK { ?m llm:huggingFaceId "org/m1" }').askAnswer is False
        lg.add([(URIRef(LLMID["after"]), LLM.fineTunedFrom, URIRef(lg.resolve("Base 7B")))])
    assert _generations(store) == ["gen-000003"]  # the killed writer's partial one is gone


def test_cli_store_commands_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`load` fills a store and verbs read it; a missing store and `load` alone fail clearly."""
    store = str(tmp_path / "db")
    assert main(["--store", store, "load", str(TINY)]) == 0
    assert capsys.readouterr().out.startswith("loaded 1 file(s) (")
    assert main(["--store", store, "descendants", "Base 7B", "--format", "csv"]) == 0
    ours = capsys.readouterr().out
    assert (
        main(["--no-bundled", "--data", str(TINY), "descendants", "Base 7B", "--format", "csv"])
        == 0
    )
    assert ours == capsys.readouterr().out
    assert main(["--store", str(tmp_path / "none"), "ancestors", "x"]) == 1
    assert "no llmgraph store here" in capsys.readouterr().err
    assert main(["load", str(TINY)]) == 1
    assert "load writes into a store: pass --store PATH" in capsys.readouterr().err
    assert main(["--store", store, "load"]) == 1
    assert "load needs RDF files, or --bundled" in capsys.readouterr().err
    assert main(["--store", store, "validate"]) == 0


def test_streamed_load_stops_cleanly_on_a_failure_either_side(tmp_path: Path) -> None:
    """A load fed through the loader's pipe fails with the producer's or the parser's error.

    In both cases the store is unchanged and no pipe is left behind.
    """
    from llmgraph.backends.store import StoreBackend

    backend = StoreBackend.open(tmp_path / "db")
    before = len(backend.store)
    line = b"<http://e/a> <http://e/p> <http://e/b> .\n"

    def failing() -> Iterator[bytes]:
        yield line * 50_000  # more than a pipe holds: the loader is reading meanwhile
        raise RuntimeError("the producer failed")

    for chunks, error, message in (
        (failing(), RuntimeError, "the producer failed"),
        (
            iter([line, b"<http://e/a> <http://e/p> oops .\n", line * 50_000]),
            DataLoadError,
            "invalid N-Triples from the import",
        ),
    ):
        tx = backend.begin()
        with pytest.raises(error, match=message):
            try:
                tx.load_chunks(chunks)
            finally:
                tx.abort()
        assert len(backend.store) == before
        assert not (tmp_path / "db" / "import-parts").exists()
    tx = backend.begin()
    tx.load_chunks(iter([line, b"<http://e/b> <http://e/p> <http://e/c> .\n"]))
    tx.commit()
    assert len(backend.store) == before + 2
    backend.close()


def test_work_after_a_streamed_load_runs_once_every_chunk_is_written(tmp_path: Path) -> None:
    """``then`` runs after the last chunk, its answer is returned; its error stops the load."""
    from llmgraph.backends.store import StoreBackend

    backend = StoreBackend.open(tmp_path / "db")
    before = len(backend.store)
    line = b"<http://e/a> <http://e/p> <http://e/b> .\n"
    written: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(3):
            written.append(number)
            yield line.replace(b"/b>", f"/b{number}>".encode())

    tx = backend.begin()
    assert tx.load_chunks(chunks(), then=lambda: ("built", list(written))) == (
        "built",
        [0, 1, 2],
    )
    tx.commit()
    assert len(backend.store) == before + 3

    def failing() -> str:
        raise RuntimeError("the index could not be built")

    tx = backend.begin()
    with pytest.raises(RuntimeError, match="the index could not be built"):
        try:
            tx.load_chunks(iter([line.replace(b"/a>", b"/z>")]), then=failing)
        finally:
            tx.abort()
    assert len(backend.store) == before + 3
    assert not (tmp_path / "db" / "import-parts").exists()
    backend.close()


def test_an_import_into_a_store_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path,
) -> None:
    """The import pauses the cyclic collector while it maps, and restores it, even on error."""
    import gc

    records = tmp_path / "hub.jsonl"
    records.write_text('{"id": "org/m1", "tags": ["license:mit"]}\n', encoding="utf-8")
    sg = LineageGraph.open(tmp_path / "db")
    seen: list[bool] = []
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            report = import_source(
                sg, "hf-hub", [records], progress=lambda done, total: seen.append(gc.isenabled())
            )
            assert report.records_read == 1
            assert gc.isenabled() is enabled
        gc.enable()

        def interrupted(done: int, total: int) -> None:
            raise KeyboardInterrupt

        before = len(sg)
        records.write_text('{"id": "org/m2"}\n', encoding="utf-8")
        with pytest.raises(KeyboardInterrupt):
            import_source(sg, "hf-hub", [records], progress=interrupted)
        assert gc.isenabled()
        assert len(sg) == before
    finally:
        gc.enable()
        sg.close()
    assert seen == [False, False]


def test_a_bad_fact_in_a_streamed_hub_import_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact refused by the write rules in the middle of a Hub import adds nothing.

    The Hub parser notes an author that is not a Hub name and keeps the id's owner; with that
    check taken away, the author's IRI reaches the write rules, the last line of defence.
    """
    from llmgraph.importers import hf_hub

    monkeypatch.setattr(hf_hub, "HF_OWNER", re.compile(".*"))
    records = [{"id": f"org/m{i}", "tags": ["license:mit"]} for i in range(5000)]
    records.append({"id": "org/bad", "author": "an owner with spaces"})
    with LineageGraph.open(tmp_path / "db") as lg:
        size, version = len(lg), lg.backend.version()
        with pytest.raises(InvalidFactError, match=r"not a valid IRI: .*an owner with spaces"):
            import_source(lg, "hf-hub", [], records=records)
        assert (len(lg), lg.backend.version()) == (size, version)
        assert _generations(tmp_path / "db") == ["gen-000001"]
