"""The in-memory backend: an rdflib graph, the embedded default for the bundled data.

Writes go straight into the graph inside a transaction that keeps an undo log, so an aborted
transaction leaves the graph exactly as it was. SPARQL runs in rdflib with llmgraph's prefixes
bound and values bound through ``initBindings``.

>>> from llmgraph.terms import IRI
>>> backend = MemoryBackend()
>>> tx = backend.begin()
>>> tx.add([(IRI("http://e/a"), IRI("http://e/p"), IRI("http://e/b"))])
>>> tx.commit()
>>> backend.count(), list(backend.read("http://e/p"))
(1, [('http://e/a', IRI('http://e/b'))])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgraph.backends import BackendKind
from llmgraph.errors import QueryError, UsageError
from llmgraph.triples import LightTerm, LightTriple, light_term, to_rdflib

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.query import Result
    from rdflib.term import Node

__all__ = ["MemoryBackend", "new_graph"]

_COUNTER = itertools.count(1)


def new_graph() -> Graph:
    """Return an empty in-memory graph with llmgraph's prefixes bound (an :class:`RDFGraph`).

    >>> dict(new_graph().namespaces())["llm"]
    rdflib.term.URIRef('https://w3id.org/llmgraph#')
    """
    from llmgraph.backends.rdfgraph import new_graph as make

    return make()


class MemoryBackend:
    """An rdflib :class:`~rdflib.Graph` behind the :class:`~llmgraph.backends.Backend` seam.

    Args:
        graph: the graph to wrap (it becomes the backend's: write to it only through
            transactions), or ``None`` for an empty one.
        pending: instead of ``graph``, a function that makes it, called on first use (the
            load cache gives the engine at once and the triples only when they are read).
        count: the number of triples ``pending`` will make (answered without making them).
    """

    kind: BackendKind = "memory"
    where: str = "memory"
    local: bool = True
    bulk: bool = False

    def __init__(
        self,
        graph: Graph | None = None,
        *,
        pending: Callable[[], Graph] | None = None,
        count: int | None = None,
    ):
        self._graph: Graph | None = graph
        self._pending = pending if graph is None else None
        self._count = count
        if self._graph is None and self._pending is None:
            self._graph = new_graph()
        self._version = f"memory-{next(_COUNTER)}-0"
        self._writes = 0

    @property
    def graph(self) -> Graph:
        """The rdflib graph (made on first use when the backend was given ``pending``)."""
        if self._graph is None:
            assert self._pending is not None
            self._graph = self._pending()
            self._pending = None
        return self._graph

    @property
    def materialized(self) -> bool:
        """Whether the rdflib graph exists yet (``False`` until a lazy one is first used)."""
        return self._graph is not None

    def __repr__(self) -> str:
        return f"<MemoryBackend: {self.count()} triples>"

    def version(self) -> str:
        """Return an id that changes with every committed write."""
        return self._version

    def _bump(self) -> None:
        self._writes += 1
        self._version = f"{self._version.rsplit('-', 1)[0]}-{self._writes}"

    def count(self) -> int:
        """Return the number of triples."""
        if self._graph is None and self._count is not None:
            return self._count
        return len(self.graph)

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        """Yield ``(subject, object)`` of ``predicate`` (IRI subjects only)."""
        from rdflib import URIRef

        for s, o in self.graph.subject_objects(URIRef(predicate)):
            if isinstance(s, URIRef):
                yield str(s), light_term(o)

    def triples(self, pattern: tuple[Any, Any, Any]) -> Iterator[tuple[Node, Node, Node]]:
        """Yield the triples matching ``pattern`` (rdflib terms, ``None`` as wildcard)."""
        yield from self.graph.triples(pattern)

    def missing(self, triples: Sequence[LightTriple]) -> list[LightTriple]:
        """Return the triples the graph does not hold."""
        return [t for t in triples if to_rdflib(t) not in self.graph]

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run SPARQL in rdflib with llmgraph's prefixes and ``bindings`` bound.

        Raises:
            QueryError: a syntax error (line, column and a caret) or an evaluation error.
        """
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql import prepareQuery

        from llmgraph.vocab import PREFIXES

        try:
            prepared = prepareQuery(sparql, initNs=dict(PREFIXES))
        except ParseBaseException as exc:
            line, column = exc.lineno, exc.col
            lines = sparql.splitlines()
            text = lines[line - 1] if 0 < line <= len(lines) else ""
            pointer = f"\n  {text}\n  {' ' * (column - 1)}^" if text else ""
            raise QueryError(
                f"SPARQL syntax error at line {line}, column {column}: {exc.msg}{pointer}",
                line=line,
                column=column,
            ) from exc
        except Exception as exc:  # rdflib raises plain exceptions for unknown prefixes and more
            raise QueryError(f"invalid SPARQL: {exc}") from exc
        try:
            result = self.graph.query(prepared, initBindings=dict(bindings or {}))  # type: ignore[arg-type]
            if result.type == "SELECT":
                _ = result.bindings  # evaluate now: errors surface here, not mid-iteration
        except Exception as exc:
            raise QueryError(f"SPARQL evaluation failed: {exc}") from exc
        return result

    def begin(self) -> _MemoryTransaction:
        """Start a transaction (writes apply at once and are undone on abort)."""
        return _MemoryTransaction(self)

    def engine_folder(self) -> Path | None:
        """Return ``None``: the in-memory engine is rebuilt, not persisted."""
        return None

    def close(self) -> None:
        """Nothing to release."""


class _MemoryTransaction:
    """Writes applied to the graph at once, with an undo log for :meth:`abort`."""

    def __init__(self, backend: MemoryBackend):
        self._backend = backend
        self._added: list[tuple[Node, Node, Node]] = []
        self._removed: list[tuple[Node, Node, Node]] = []
        self._open = True

    def add(self, triples: Sequence[LightTriple]) -> None:
        graph = self._backend.graph
        for triple in triples:
            node = to_rdflib(triple)
            if node not in graph:
                graph.add(node)
                self._added.append(node)

    def remove(self, triples: Sequence[LightTriple]) -> None:
        graph = self._backend.graph
        for triple in triples:
            node = to_rdflib(triple)
            if node in graph:
                graph.remove(node)
                self._removed.append(node)

    def load(self, path: Path, *, format: str) -> None:
        raise UsageError("the in-memory graph parses files and adds their facts")

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        return self._backend.read(predicate)

    def commit(self) -> None:
        if self._open and (self._added or self._removed):
            self._backend._bump()
        self._open = False

    def abort(self) -> None:
        if not self._open:
            return
        graph = self._backend.graph
        for node in reversed(self._added):
            graph.remove(node)
        for node in self._removed:
            graph.add(node)
        self._open = False
