"""Loading RDF into any backend: files parsed and added, or bulk-loaded by a store.

Both paths keep the rules of every write (:mod:`llmgraph.rules`): the in-memory graph and an
endpoint parse each file here and hand its facts to ``LineageGraph.add``; a store bulk-loads
the files with Oxigraph's loader into its new generation, then checks every fact it loaded
against the same rules, materializes ``llm:derivedFrom`` / ``llm:backs``, builds the engine
(which refuses a derivation cycle) and only then switches to the new generation. A bad fact,
a cycle or a damaged file leaves the graph as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgraph.engine import LineageIndex
from llmgraph.errors import DataLoadError, InvalidFactError
from llmgraph.rules import CHECKED_PREDICATES, check_fact
from llmgraph.terms import IRI, SUPER_RELATIONS, llm

if TYPE_CHECKING:
    from rdflib import Graph

    from llmgraph.base import BaseGraph

__all__ = ["RDF_SUFFIXES", "bulk_write", "import_rdf_files", "parse_rdf"]

RDF_SUFFIXES = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
}
"""The RDF formats llmgraph reads, by file suffix (rdflib's format names)."""

_CHECKED = sorted(CHECKED_PREDICATES)


def _suffix(path: Path, format: str | None) -> str:
    suffix = (format or path.suffix).lower()
    if not suffix.startswith("."):
        suffix = "." + suffix
    if suffix not in RDF_SUFFIXES:
        raise DataLoadError(
            f"unknown RDF format {format or path.suffix!r}; expected one of "
            + ", ".join(sorted(RDF_SUFFIXES)),
            path=path,
        )
    return suffix


def parse_rdf(path: Path, *, format: str | None = None) -> Graph:
    """Parse an RDF file into a new rdflib graph (Turtle and N-Triples with line numbers).

    Raises:
        DataLoadError: the file is missing, unreadable or malformed (file and line named).
    """
    from llmgraph.store import parse_file

    suffix = _suffix(path, format)
    if suffix in (".ttl", ".nt"):
        return parse_file(path)
    from llmgraph.backends.memory import new_graph

    if not path.is_file():
        raise DataLoadError("no such file", path=path)
    graph = new_graph()
    try:
        graph.parse(str(path), format=RDF_SUFFIXES[suffix])
    except Exception as exc:  # rdflib's parsers raise assorted errors
        raise DataLoadError(f"invalid RDF ({RDF_SUFFIXES[suffix]}): {exc}", path=path) from exc
    return graph


def import_rdf_files(lg: BaseGraph, paths: Sequence[Path], *, format: str | None = None) -> int:
    """Add the facts of RDF files to ``lg`` in one transaction; see ``LineageGraph.import_files``.

    Returns:
        The number of triples the graph grew by.
    """
    for path in paths:
        _suffix(path, format)
        if not path.is_file():
            raise DataLoadError("no such file" if not path.exists() else "is not a file", path=path)
    if not lg.backend.bulk:
        from llmgraph.rules import check_facts

        facts = []
        graphs = []
        for path in paths:
            part = parse_rdf(path, format=format)
            facts += check_facts(part, path=path)
            graphs.append(part)
        added = lg.add(facts)
        if lg.backend.kind == "memory":
            known = dict(lg.rdf.namespaces())
            for part in graphs:
                for prefix, namespace in part.namespaces():
                    if prefix and prefix not in known:
                        lg.rdf.bind(prefix, namespace)
        return added

    def load(tx: Any) -> None:
        for path in paths:
            tx.load(path, format=_suffix(path, format))

    where = paths[0] if len(paths) == 1 else None
    return bulk_write(lg, load, where=where, files=paths)


def bulk_write(
    lg: BaseGraph,
    load: Callable[[Any], None],
    *,
    where: Path | None = None,
    files: Sequence[Path] = (),
    engine: Callable[[Any], LineageIndex] | None = None,
    checked: bool = False,
) -> int:
    """Run a bulk load on a store's new generation, check it, and switch to it.

    Args:
        lg: a graph on a store.
        load: writes into the transaction (``tx.load(path, format=…)``,
            ``tx.load_chunks(chunks)``).
        where: the file to name in the messages about bad facts.
        files: the files loaded, to find the one that holds a bad fact.
        engine: builds the engine of the new state (default: read back from the store).
        checked: ``load`` wrote only facts it had passed through
            :func:`~llmgraph.rules.check_fact` (the import pipeline checks each fact as it
            makes it), so they are not read back to be checked again.

    Returns:
        The number of triples the store grew by.

    Raises:
        DataLoadError: the load failed.
        InvalidFactError: a loaded fact breaks a rule.
        LineageCycleError: the loaded facts make lineage cyclic.
    """
    backend = lg.backend
    tx: Any = backend.begin()
    try:
        before = tx.count()
        load(tx)
        for predicate in () if checked else _CHECKED:
            for triple in tx.triples_of(predicate):
                try:
                    check_fact(triple)
                except InvalidFactError as exc:
                    found = where if where is not None else _file_of(triple, files)
                    raise InvalidFactError(str(exc), path=found) from None
        _materialize(tx)
        index = engine(tx) if engine is not None else LineageIndex.from_reader(tx.read)
        version = tx.prepare()
        index.save(tx.engine_folder(), source=version)
        grown = tx.count() - before
        tx.commit()
    except BaseException:
        tx.abort()
        raise
    return int(grown)


def _file_of(triple: Any, files: Sequence[Path]) -> Path | None:
    """Return the file that holds ``triple`` (read again, only to name it in an error)."""
    import pyoxigraph as ox

    from llmgraph.backends.store import FORMATS, to_ox

    wanted = (
        ox.Triple(*(to_ox(t) for t in triple))
        if not any(type(t).__name__ == "Blank" for t in triple)
        else None
    )
    for path in files:
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None or wanted is None:
            continue
        try:
            for quad in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()):
                if ox.Triple(quad.subject, quad.predicate, quad.object) == wanted:
                    return path
        except (SyntaxError, OSError, ValueError):
            continue
    return None


def _materialize(tx: Any) -> None:
    for sup, subs in SUPER_RELATIONS.items():
        target = IRI(llm(sup))
        batch: list[Any] = []
        for sub in sorted(subs):
            for s, o in tx.read(llm(sub)):
                batch.append((IRI(s), target, o))
                if len(batch) >= 50_000:
                    tx.add(batch)
                    batch = []
        if batch:
            tx.add(batch)
