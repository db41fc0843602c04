"""The research workflows answer alike in memory, from an on-disk store and through a server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmgraph import LineageGraph, LLMGraphError
from llmgraph.cli import main
from llmgraph.mlbom import to_cyclonedx
from tests.servers import oxigraph_server

MODELS = ["Vicuna 13B v1.5", "Guanaco 7B", "Hermes 3 Llama 3.1 8B", "Alpaca 7B", "Gemma 2 9B IT"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store seeded with the bundled data by `load --bundled`."""
    path = tmp_path_factory.mktemp("store") / "db"
    assert main(["--store", str(path), "load", "--bundled"]) == 0
    yield path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1 holding the bundled data."""
    folder = tmp_path_factory.mktemp("server")
    data = folder / "bundled.nt"
    bundled.rdf.serialize(data, format="nt", encoding="utf-8")
    with oxigraph_server(folder, data) as base:
        yield base


def _answers(lg: LineageGraph) -> dict[str, Any]:
    """Every workflow's answer for a sample of models, as plain data (errors as messages)."""
    out: dict[str, Any] = {}

    def attempt(key: str, make: Any) -> None:
        try:
            out[key] = make()
        except LLMGraphError as exc:
            out[key] = f"{type(exc).__name__}: {exc}"

    attempt("conflicts", lambda: lg.license_conflicts().rows())
    attempt("conflicts 2023", lambda: lg.license_conflicts(as_of="2023-06-30").rows())
    for m in MODELS:
        attempt(f"check {m}", lambda m=m: lg.license_check(m).rows())
        attempt(f"bom {m}", lambda m=m: to_cyclonedx(lg, [m]))
    for a in MODELS[:3]:
        for b in MODELS[2:]:
            attempt(
                f"common {a} {b}", lambda a=a, b=b: [c.row() for c in lg.common_ancestors(a, b)]
            )
            attempt(f"compare {a} {b}", lambda a=a, b=b: lg.compare(a, b).table())
    attempt(
        "search",
        lambda: lg.search("llama 3", license="Llama 3.1 Community License Agreement").rows(),
    )
    attempt("search date", lambda: lg.search("", kind="model", since="2026-01-01").rows())
    attempt("unknown", lambda: lg.license_check("Vicunna 13B"))
    return out


def test_a_store_answers_the_workflows_as_memory(bundled: LineageGraph, store: Path) -> None:
    """Licence checks, common ancestors, compare, search and the ML-BOM: equal from a store."""
    with LineageGraph.open(store, read_only=True) as stored:
        assert _answers(stored) == _answers(bundled)


def test_an_endpoint_answers_the_workflows_as_memory(bundled: LineageGraph, server: str) -> None:
    """The same questions through a real Oxigraph server answer as in memory."""
    remote = LineageGraph.connect(server + "/query")
    want = _answers(bundled)
    assert want["unknown"].startswith(
        "UnknownEntityError: unknown model 'Vicunna 13B'; did you mean"
    )
    assert _answers(remote) == want
