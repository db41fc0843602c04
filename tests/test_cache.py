"""The load cache: same answers as parsing, never stale, never in the way."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from rdflib import RDFS
from rdflib.compare import isomorphic

from llmgraph import LineageGraph, cache
from llmgraph.backends.memory import MemoryBackend
from llmgraph.errors import DataLoadError, InvalidFactError
from tests.conftest import TINY


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test alone."""
    where = tmp_path / "cache"
    monkeypatch.setenv("LLMGRAPH_CACHE", str(where))
    return where


def _materialized(lg: LineageGraph) -> bool:
    assert isinstance(lg.backend, MemoryBackend)
    return lg.backend.materialized


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("load-*.pickle"))


def test_a_cached_load_equals_a_parsed_one(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = LineageGraph.load()
    assert len(_entries(folder)) == 1
    cached = LineageGraph.load()
    assert not _materialized(cached)  # the engine answers; the triples wait
    assert [a.label for a in cached.ancestors("Vicuna 13B v1.5")] == ["Llama 2 13B"]
    assert not _materialized(cached)
    assert len(cached) == len(made)
    monkeypatch.setenv("LLMGRAPH_CACHE", "off")
    parsed = LineageGraph.load()
    assert isomorphic(cached.rdf, parsed.rdf)
    assert cached.engine.digest == parsed.engine.digest
    assert _materialized(cached)


def test_every_load_gets_its_own_graph(folder: Path) -> None:
    LineageGraph.load(TINY, bundled=False)
    first = LineageGraph.load(TINY, bundled=False)
    second = LineageGraph.load(TINY, bundled=False)
    before = len(second)
    # a stated fact: the first triple of all could be an entailed llm:derivedFrom, which
    # remove() keeps while its sub-relation stays (so it depended on the hash seed)
    first.remove([next(iter(first.triples((None, RDFS.label, None))))])
    assert len(second) == before == len(first) + 1
    assert len(LineageGraph.load(TINY, bundled=False)) == before


def test_a_changed_file_is_read_again(folder: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    first = LineageGraph.load(extra, bundled=False)
    assert first.label(first.resolve("Base 7B")) == "Base 7B"
    text = extra.read_text(encoding="utf-8").replace('"Base 7B"', '"Root 7B"')
    extra.write_text(text, encoding="utf-8")
    changed = LineageGraph.load(extra, bundled=False)
    assert changed.label(changed.resolve("base-7b-alias")) == "Root 7B"
    assert len(_entries(folder)) == 2


def test_a_bad_file_is_reported_and_nothing_is_kept(folder: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/a> <http://e/p> .\n", encoding="utf-8")
    for _ in range(2):  # the second time too: no entry hides the error
        with pytest.raises(DataLoadError, match=r"bad\.ttl:1: invalid Turtle"):
            LineageGraph.load(bad, bundled=False)
    ill = tmp_path / "ill.ttl"
    ill.write_text(
        '@prefix llm: <https://w3id.org/llmgraph#> .\n<http://e/a> llm:fineTunedFrom "Llama" .\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidFactError, match=r"ill\.ttl"):
        LineageGraph.load(ill, bundled=False)
    assert _entries(folder) == []


def test_a_damaged_entry_is_ignored_and_rewritten(folder: Path) -> None:
    LineageGraph.load(TINY, bundled=False)
    (entry,) = _entries(folder)
    entry.write_bytes(b"not a pickle")
    again = LineageGraph.load(TINY, bundled=False)
    assert _materialized(again)  # parsed again
    assert pickle.loads(entry.read_bytes())[0].startswith("llmgraph-load-cache")
    entry.write_bytes(pickle.dumps(("llmgraph-load-cache-0", "old", None, 0, b"")))
    assert _materialized(LineageGraph.load(TINY, bundled=False))


def test_triples_that_no_longer_unpickle_are_read_from_the_files(folder: Path) -> None:
    reference = LineageGraph.load(TINY, bundled=False)
    (entry,) = _entries(folder)
    fmt, key, engine, count, _ = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps((fmt, key, engine, count, b"\x80\x05broken")))
    lazy = LineageGraph.load(TINY, bundled=False)
    assert not _materialized(lazy)
    assert isomorphic(lazy.rdf, reference.rdf)


def test_an_unwritable_cache_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("LLMGRAPH_CACHE", str(blocker / "cache"))  # under a file: cannot exist
    assert [a.label for a in LineageGraph.load().ancestors("Vicuna 13B v1.5")] == ["Llama 2 13B"]


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for value in ("off", "0", ""):
        monkeypatch.setenv("LLMGRAPH_CACHE", value)
        assert cache.cache_folder() is None
        assert _materialized(LineageGraph.load(TINY, bundled=False))
    assert cache.cache_folder({"HOME": str(tmp_path)}) is not None


def test_the_folder_is_private_and_pruned(folder: Path, tmp_path: Path) -> None:
    LineageGraph.load(TINY, bundled=False)
    assert folder.stat().st_mode & 0o777 == 0o700
    for index in range(10):
        extra = tmp_path / f"e{index}.ttl"
        extra.write_text(f'<http://e/a{index}> <http://e/p> "x" .\n', encoding="utf-8")
        LineageGraph.load(extra, bundled=False)
    assert len(_entries(folder)) == 8
    assert not list(folder.glob(".partial-*"))
    assert cache.clear() == 8
    assert _entries(folder) == []


def test_the_key_follows_contents_not_names(tmp_path: Path) -> None:
    a = tmp_path / "a.ttl"
    a.write_text('<http://e/a> <http://e/p> "x" .\n', encoding="utf-8")
    key = cache.key_of([a])
    assert key == cache.key_of([a])
    stat = a.stat()
    a.write_text('<http://e/a> <http://e/p> "y" .\n', encoding="utf-8")
    os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and time, new bytes
    assert cache.key_of([a]) != key
    assert cache.key_of([tmp_path / "missing.ttl"]) is None
