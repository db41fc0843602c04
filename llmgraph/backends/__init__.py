"""The seam between llmgraph and where its triples live: one Protocol, three backends.

Everything above this package (the traversal engine, names, the verbs, rendering, exports,
the command line) talks to a :class:`Backend` and to nothing else, so every verb runs on
every backend:

- :mod:`~llmgraph.backends.memory`: the bundled data in memory (rdflib), the embedded default;
- :mod:`~llmgraph.backends.store`: Oxigraph on disk, for the Hugging Face Hub's millions of
  models: atomic imports, one writer at a time, immutable generations that readers open safely;
- :mod:`~llmgraph.backends.remote`: any SPARQL 1.1 endpoint (Oxigraph server, Virtuoso,
  Fuseki, GraphDB, Neptune, QLever), for more than one machine.

A backend only does what it does natively: hold triples, answer triple patterns and SPARQL,
and apply writes in a transaction (a store also bulk-loads files). The rules — which facts are
well-formed, what is materialized, what closes a cycle, how names resolve — live once, above
the seam (:mod:`llmgraph.rules`, :mod:`llmgraph.engine`, :mod:`llmgraph.names`).

Terms crossing the seam: :meth:`Backend.read` yields light terms (plain strings and
:class:`~llmgraph.triples.Lit`), cheap at Hub scale, for the engine; :meth:`Backend.triples`
and :meth:`Backend.query` speak rdflib terms, for everything that reads facts one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from rdflib.query import Result
    from rdflib.term import Node

    from llmgraph.triples import LightTerm, LightTriple

__all__ = ["Backend", "BackendKind", "Transaction"]

BackendKind = Literal["memory", "store", "remote"]
"""What a backend is: the in-memory graph, an on-disk store, or a remote endpoint."""

Pattern = tuple["Node | None", "Node | None", "Node | None"]


@runtime_checkable
class Transaction(Protocol):
    """A batch of writes, applied all together by :meth:`commit` or not at all.

    Reads through the transaction (:meth:`read`) see the writes made so far where the backend
    can show them (memory, store); a remote transaction only sends them at :meth:`commit`.
    """

    def add(self, triples: Sequence[LightTriple]) -> None:
        """Add triples (already checked by :mod:`llmgraph.rules`)."""

    def remove(self, triples: Sequence[LightTriple]) -> None:
        """Remove triples."""

    def load(self, path: Path, *, format: str) -> None:
        """Bulk-load an RDF file (``format`` is a suffix such as ``".ttl"``).

        Raises:
            UsageError: the backend cannot bulk-load (the caller parses and adds instead).
            DataLoadError: the file is malformed.
        """

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        """Yield ``(subject, object)`` of ``predicate`` as the transaction sees them."""

    def commit(self) -> None:
        """Make the writes durable and visible; afterwards the transaction is closed."""

    def abort(self) -> None:
        """Drop the writes; the backend is exactly as before. Safe to call twice."""


@runtime_checkable
class Backend(Protocol):
    """Where a :class:`~llmgraph.LineageGraph` keeps its triples.

    Attributes:
        kind: ``"memory"``, ``"store"`` or ``"remote"``.
        where: a human-readable location for messages (``"memory"``, a path, a URL).
        local: ``True`` when reading every triple is cheap enough to build the whole engine
            (memory, store); a remote endpoint answers traversals by fetching closures.
        bulk: ``True`` when :meth:`Transaction.load` loads files natively (a store).
    """

    @property
    def kind(self) -> BackendKind:
        """``"memory"``, ``"store"`` or ``"remote"``."""

    @property
    def where(self) -> str:
        """Where the triples are, for messages."""

    @property
    def local(self) -> bool:
        """Whether reading every triple is cheap (the whole engine is built)."""

    @property
    def bulk(self) -> bool:
        """Whether files are bulk-loaded natively."""

    def version(self) -> str:
        """Return an id that changes whenever the triples change."""

    def count(self) -> int:
        """Return the number of triples in the default graph."""

    def read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        """Yield ``(subject IRI, object)`` of every triple with ``predicate``.

        Objects are IRI strings or :class:`~llmgraph.triples.Lit`; triples whose subject is a
        blank node are skipped (the engine indexes entities only).
        """

    def triples(self, pattern: Pattern) -> Iterator[tuple[Node, Node, Node]]:
        """Yield the triples that match ``(subject, predicate, object)``, ``None`` as wildcard."""

    def missing(self, triples: Sequence[LightTriple]) -> list[LightTriple]:
        """Return those of ``triples`` that the backend does not hold, in order."""

    def query(self, sparql: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run SPARQL with llmgraph's prefixes bound; ``bindings`` are values, never text.

        Raises:
            QueryError: a syntax or evaluation error (with the position where known).
        """

    def begin(self) -> Transaction:
        """Start a transaction (a store takes its writer lock first)."""

    def engine_folder(self) -> Path | None:
        """Return where the traversal engine of the current version persists, or ``None``."""

    def close(self) -> None:
        """Release files, locks and connections."""


def is_backend(value: Any) -> bool:
    """Return whether ``value`` provides the :class:`Backend` Protocol.

    >>> from llmgraph.backends.memory import MemoryBackend
    >>> is_backend(MemoryBackend()), is_backend("memory")
    (True, False)
    """
    return isinstance(value, Backend)


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of at most ``size`` items.

    >>> list(chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
