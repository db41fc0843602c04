"""Exporters: the graph (or a selection of it) as Turtle, N-Triples, JSON-LD, GraphML, GEXF, CSV.

``cyclonedx`` writes the selection's models and their weight lineage as a CycloneDX 1.6
ML-BOM (:mod:`llmgraph.mlbom`; files named ``*.cdx.json``).

RDF formats (``ttl``, ``nt``, ``jsonld``) write the data: every triple of the graph except
those of the bundled ontology (load the export with ``llmgraph --data FILE`` and the ontology
comes back). JSON-LD is compacted with the context that ships with the ontology,
``ontology/context.jsonld`` (:func:`jsonld_context`), embedded in the file so that it reads
back without network access.

The PROV-O view (``prov=True``, RDF formats only) writes what generic provenance tools read
without knowing our ontology: ``prov:wasDerivedFrom`` for every weight-lineage pair,
``prov:wasAttributedTo`` for every ``llm:developedBy``, the ``rdfs:label`` of every node and
the PROV types ``prov:Entity`` (models) and ``prov:Agent`` / ``prov:Organization``
(organizations).

Graph formats come from the networkx mirror (see :mod:`llmgraph.mirror`), for Gephi and
Cytoscape: ``graphml``, ``gexf``, and ``csv`` (a folder with ``nodes.csv`` — ``id``,
``label``, ``kind``, ``release_date``, ``release_date_precision`` (``day``, ``month`` or
``public-by``), ``parameter_count``, ``huggingface_id`` — and
``edges.csv`` — ``source``, ``target``, ``relation``), for pandas. Node ids are IRIs, edges run
as in the mirror (child → parent, model → developer), and attributes are GraphML-safe: dates
are ISO strings, missing values are left out.

A selection (:func:`select`) is a set of entities: a model's ancestors and/or descendants, an
organization's models, and the developers of the models selected. RDF exports of a selection
hold the triples about the selected entities, the statement nodes about them, and the type and
label of every other entity they mention.

>>> from llmgraph import LineageGraph
>>> lg = LineageGraph.load()
>>> chosen = select(lg, models=["Vicuna 13B v1.5"], ancestors=True)
>>> sorted(lg.label(e) for e in chosen)
['LMSYS', 'Llama 2 13B', 'Meta', 'Vicuna 13B v1.5']
>>> g = to_prov(lg, entities=chosen)
>>> len(list(g.triples((None, PROV.wasDerivedFrom, None))))
1
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, cast

import networkx as nx
from rdflib import PROV, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from llmgraph.errors import DataLoadError, UsageError
from llmgraph.formats import EXPORT_FORMATS, ExportFormat
from llmgraph.graph import LineageGraph
from llmgraph.store import bundled_ontology_file, new_graph, parse_file
from llmgraph.vocab import LLM

__all__ = [
    "FORMATS",
    "RDF_FORMATS",
    "ExportFormat",
    "context_file",
    "export",
    "format_of",
    "jsonld_context",
    "select",
    "serialize",
    "to_networkx",
    "to_prov",
    "to_rdf",
    "write_csv",
]

FORMATS: tuple[str, ...] = EXPORT_FORMATS
"""The formats :func:`export` writes (the values of :data:`ExportFormat`)."""
RDF_FORMATS: tuple[str, ...] = ("ttl", "nt", "jsonld")
_SUFFIXES = {
    ".ttl": "ttl",
    ".nt": "nt",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".csv": "csv",
}
_RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
_NODE_COLUMNS = (
    "id",
    "label",
    "kind",
    "release_date",
    "release_date_precision",
    "parameter_count",
    "huggingface_id",
    "developer",
    "developer_id",
    "licence",
    "licence_id",
    "family",
    "family_id",
)


def context_file() -> Path:
    """Return the path of the JSON-LD context that ships with the ontology.

    >>> context_file().name
    'context.jsonld'
    """
    return bundled_ontology_file().parent / "context.jsonld"


@cache
def _context_text() -> str:
    return context_file().read_text(encoding="utf-8")


def jsonld_context() -> dict[str, Any]:
    """Return the JSON-LD context (the object under ``"@context"`` in ``context.jsonld``).

    >>> jsonld_context()["fineTunedFrom"]
    {'@id': 'llm:fineTunedFrom', '@type': '@id'}
    """
    data = json.loads(_context_text())
    return cast(dict[str, Any], data["@context"])


def format_of(path: Path | str) -> ExportFormat:
    """Return the export format that ``path``'s suffix names.

    Raises:
        UsageError: the suffix names no format.

    >>> format_of("lineage.graphml"), format_of("out.jsonld"), format_of("bom.cdx.json")
    ('graphml', 'jsonld', 'cyclonedx')
    """
    if Path(path).name.casefold().endswith((".cdx.json", ".cdx")):
        return "cyclonedx"
    suffix = Path(path).suffix.casefold()
    if suffix not in _SUFFIXES:
        raise UsageError(
            f"cannot tell the export format from {str(path)!r}; pass --format "
            f"({', '.join(FORMATS)})"
        )
    return cast(ExportFormat, _SUFFIXES[suffix])


# ---------------------------------------------------------------------- selection


def select(
    lg: LineageGraph,
    *,
    models: Iterable[str | URIRef] = (),
    ancestors: bool = False,
    descendants: bool = False,
    orgs: Iterable[str | URIRef] = (),
) -> set[URIRef]:
    """Return the entities of a selection.

    Args:
        lg: the graph.
        models: models or families; each brings its weight-lineage ancestors and/or
            descendants (both when neither flag is set).
        ancestors: follow lineage towards the roots.
        descendants: follow lineage towards the derivatives.
        orgs: organizations; each brings the models it develops.

    Returns:
        The selected IRIs, with the developers of every selected model.

    Raises:
        UnknownEntityError: a name resolves to nothing (with suggestions).
        AmbiguousNameError: a name resolves to several entities.

    >>> from llmgraph import LineageGraph, LLMID
    >>> lg = LineageGraph.load(bundled=False)
    >>> _ = lg.add([(LLMID.b, LLM.fineTunedFrom, LLMID.a), (LLMID.b, LLM.developedBy, LLMID.o)])
    >>> sorted(e.fragment or e.rsplit("/", 1)[1] for e in select(lg, models=[LLMID.a]))
    ['a', 'b', 'o']
    """
    up, down = (True, True) if not (ancestors or descendants) else (ancestors, descendants)
    chosen: set[URIRef] = set()
    for name in models:
        for member in map(URIRef, lg.members(name)):
            chosen.add(member)
            if up:
                chosen |= {URIRef(link.id) for link in lg.ancestors(member)}
            if down:
                chosen |= {URIRef(link.id) for link in lg.descendants(member)}
    for name in orgs:
        org = URIRef(lg.resolve(name, kind="organization"))
        chosen.add(org)
        chosen |= {m for m in lg.rdf.subjects(LLM.developedBy, org) if isinstance(m, URIRef)}
    for entity in list(chosen):
        chosen |= {o for o in lg.rdf.objects(entity, LLM.developedBy) if isinstance(o, URIRef)}
    return chosen


# ---------------------------------------------------------------------- RDF


@cache
def _ontology() -> Graph:
    return parse_file(bundled_ontology_file())


def to_rdf(lg: LineageGraph, *, entities: set[URIRef] | None = None) -> Graph:
    """Return the data of ``lg`` (or of a selection) as a new graph, without the ontology.

    >>> from llmgraph import LineageGraph
    >>> len(to_rdf(LineageGraph.load(bundled=False)))  # the ontology alone: no data
    0
    """
    graph = new_graph()
    ontology = _ontology()
    if entities is None:
        for triple in lg.rdf:
            if triple not in ontology:
                graph.add(triple)
        return graph
    source = lg.rdf
    for entity in entities:
        for p, o in source.predicate_objects(entity):
            graph.add((entity, p, o))
            if isinstance(o, URIRef) and o not in entities:
                for q in (RDF.type, RDFS.label):
                    for value in source.objects(o, q):
                        graph.add((o, q, value))
    rows = lg.query(
        "SELECT ?st ?s ?o ?q ?v WHERE { ?st a rdf:Statement ; rdf:subject ?s ; rdf:object ?o ; "
        "?q ?v }"
    )
    for statement, subject, obj, p, o in rows:  # type: ignore[misc]
        if subject in entities and (not isinstance(obj, URIRef) or obj in entities):
            graph.add((statement, p, o))
    return graph


def to_prov(lg: LineageGraph, *, entities: set[URIRef] | None = None) -> Graph:
    """Return the PROV-O view: ``prov:wasDerivedFrom``, ``prov:wasAttributedTo``, labels, types.

    >>> from rdflib import Literal
    >>> from llmgraph import LineageGraph, LLMID
    >>> lg = LineageGraph.load(bundled=False)
    >>> _ = lg.add([(LLMID.b, LLM.adapterOf, LLMID.a), (LLMID.b, RDFS.label, Literal("B"))])
    >>> sorted((s.fragment or s[-1], p.fragment, str(o)[-1]) for s, p, o in to_prov(lg))
    [('b', 'label', 'B'), ('b', 'wasDerivedFrom', 'a')]
    """
    graph = new_graph()
    source = lg.rdf
    nodes: set[Node] = set()

    def keep(s: Node, o: Node) -> bool:
        return entities is None or (s in entities and o in entities)

    for s, o in source.subject_objects(LLM.derivedFrom):
        if keep(s, o):
            graph.add((s, PROV.wasDerivedFrom, o))
            nodes |= {s, o}
    for s, o in source.subject_objects(LLM.developedBy):
        if keep(s, o) and (s, RDF.type, LLM.Model) in source:
            graph.add((s, PROV.wasAttributedTo, o))
            nodes |= {s, o}
    for node in nodes:
        for label in source.objects(node, RDFS.label):
            graph.add((node, RDFS.label, label))
        if (node, RDF.type, LLM.Model) in source:
            graph.add((node, RDF.type, PROV.Entity))
        elif any(source.subjects(LLM.developedBy, node)):
            graph.add((node, RDF.type, PROV.Agent))
            graph.add((node, RDF.type, PROV.Organization))
    return graph


def serialize(graph: Graph, fmt: str) -> str:
    """Return ``graph`` as text in an RDF format (``ttl``, ``nt`` or ``jsonld``).

    N-Triples are canonical: blank nodes get labels computed from what they say (RDF graph
    canonicalization) and lines are sorted, so equal graphs give byte-equal files, whichever
    backend they were read from.

    >>> serialize(new_graph(), "nt").strip()
    ''
    """
    if fmt == "jsonld":
        return graph.serialize(format="json-ld", context=jsonld_context(), indent=2) + "\n"
    if fmt == "nt":
        from rdflib.compare import to_canonical_graph

        lines = to_canonical_graph(graph).serialize(format="nt").split("\n")
        return "".join(line + "\n" for line in sorted(set(lines)) if line.strip())
    text = graph.serialize(format=_RDFLIB_FORMATS[fmt])
    return text if text.endswith("\n") else text + "\n"


# ---------------------------------------------------------------------- graph formats


def to_networkx(lg: LineageGraph, *, entities: set[URIRef] | None = None) -> nx.MultiDiGraph[str]:
    """Return the mirror (or the part among ``entities``) with GraphML-safe attributes.

    Node attributes are strings and integers only (dates as ISO strings, missing values left
    out); edges keep their ``relation`` and get unique keys ``e0``, ``e1`` … in sorted order.

    >>> import datetime
    >>> from rdflib import Literal
    >>> from llmgraph import LineageGraph, LLMID
    >>> lg = LineageGraph.load(bundled=False)
    >>> _ = lg.add([(LLMID.a, LLM.releaseDate, Literal(datetime.date(2023, 7, 18)))])
    >>> _ = lg.add([(LLMID.a, RDF.type, LLM.Model)])
    >>> to_networkx(lg).nodes[str(LLMID.a)]
    {'label': 'a', 'kind': 'model', 'release_date': '2023-07-18', 'release_date_precision': 'day'}
    """
    mirror = lg.nx
    keep = set(mirror) if entities is None else {str(e) for e in entities} & set(mirror)
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in sorted(keep):
        out.add_node(node, **_safe(mirror.nodes[node]))
    edges = sorted(
        (u, v, str(data.get("relation", key)))
        for u, v, key, data in mirror.edges(keys=True, data=True)
        if u in keep and v in keep
    )
    for number, (u, v, relation) in enumerate(edges):
        out.add_edge(u, v, key=f"e{number}", relation=relation)
    return out


def _safe(attrs: dict[str, Any]) -> dict[str, str | int | float | bool]:
    safe: dict[str, str | int | float | bool] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, dt.date):
            safe[key] = value.isoformat()
        elif isinstance(value, str | int | float | bool):
            safe[key] = value
        else:
            safe[key] = str(value)
    return safe


def write_csv(graph: nx.MultiDiGraph[str], folder: Path | str) -> list[Path]:
    """Write ``nodes.csv`` and ``edges.csv`` for ``graph`` into ``folder`` (created if needed).

    Returns:
        The two paths.

    >>> import tempfile
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("http://e/b", "http://e/a", key="e0", relation="fineTunedFrom")
    'e0'
    >>> nodes, edges = write_csv(g, tempfile.mkdtemp())
    >>> edges.read_text().splitlines()
    ['source,target,relation', 'http://e/b,http://e/a,fineTunedFrom']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    with nodes.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(_NODE_COLUMNS)
        for node in sorted(graph.nodes):
            data = graph.nodes[node]
            writer.writerow([node, *(data.get(c, "") for c in _NODE_COLUMNS[1:])])
    with edges.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("source", "target", "relation"))
        rows = sorted(
            (u, v, str(graph.edges[u, v, k].get("relation", ""))) for u, v, k in graph.edges
        )
        writer.writerows(rows)
    return [nodes, edges]


# ---------------------------------------------------------------------- export


def export(
    lg: LineageGraph,
    out: Path | str,
    *,
    fmt: ExportFormat | None = None,
    entities: set[URIRef] | None = None,
    prov: bool = False,
) -> list[Path]:
    """Write ``lg`` (or the selection ``entities``) to ``out``.

    Args:
        lg: the graph.
        out: the file to write; for ``csv``, the folder that receives ``nodes.csv`` and
            ``edges.csv``.
        fmt: the format; default from ``out``'s suffix (a suffix-less ``out`` means ``csv``).
        entities: a selection (see :func:`select`); ``None`` exports everything.
        prov: write the PROV-O view instead of the full data (RDF formats only).

    Returns:
        The files written.

    Raises:
        UsageError: an unknown format, or ``prov`` with a graph format.
        DataLoadError: the file cannot be written.

    >>> import tempfile, pathlib
    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load(bundled=False)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in export(lg, folder / "lineage", fmt="csv")]
    ['nodes.csv', 'edges.csv']
    """
    out = Path(out)
    if fmt is None:
        fmt = "csv" if not out.suffix else format_of(out)
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if prov and fmt not in RDF_FORMATS:
        raise UsageError(f"--prov writes RDF: use --format {', '.join(RDF_FORMATS)}, not {fmt}")
    if fmt == "cyclonedx":
        from llmgraph.mlbom import write_cyclonedx

        models = None
        if entities is not None:
            models = sorted(str(e) for e in entities if lg.kind_of(str(e)) == "model")
        return [write_cyclonedx(lg, out, models)]
    try:
        if fmt in RDF_FORMATS:
            graph = to_prov(lg, entities=entities) if prov else to_rdf(lg, entities=entities)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(serialize(graph, fmt), encoding="utf-8")
            return [out]
        mirror = to_networkx(lg, entities=entities)
        if fmt == "csv":
            return write_csv(mirror, out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "graphml":
            nx.write_graphml(mirror, out, named_key_ids=True)
        else:
            nx.write_gexf(mirror, out)
        return [out]
    except OSError as exc:
        raise DataLoadError(f"cannot write: {exc.strerror or exc}", path=out) from exc
