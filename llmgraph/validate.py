"""SHACL validation of a graph against ``ontology/shapes.ttl`` (with pyshacl)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from rdflib import Graph, Namespace, URIRef
from rdflib.term import Node

from llmgraph.errors import UsageError
from llmgraph.store import bundled_shapes_file, parse_file

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph

__all__ = ["ValidationReport", "Violation", "validate"]

SH = Namespace("http://www.w3.org/ns/shacl#")
RDFS_CLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#Class")

Engine = Literal["bulk", "pyshacl"]
"""How :func:`validate` runs SHACL-SPARQL constraints: once for all focus nodes, or pyshacl's."""


@dataclass(frozen=True)
class Violation:
    """One failed constraint.

    Attributes:
        focus: the entity that failed (IRI or blank node id).
        path: the property concerned, or ``""`` for node-level constraints.
        value: the offending value, or ``""``.
        message: what the constraint requires.
        severity: ``"Violation"``, ``"Warning"`` or ``"Info"``.

    >>> Violation("http://e/m", "", "", "a model is not derived from itself", "Violation").severity
    'Violation'
    """

    focus: str
    path: str
    value: str
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    Attributes:
        conforms: ``True`` when no constraint failed.
        violations: each failure, sorted by focus, path and message.

    >>> print(ValidationReport(True, ()))
    conforms: no SHACL violations
    """

    conforms: bool
    violations: tuple[Violation, ...]

    def __str__(self) -> str:
        if self.conforms:
            return "conforms: no SHACL violations"
        lines = [f"{len(self.violations)} SHACL violation(s):"]
        for v in self.violations:
            where = f" {v.path}" if v.path else ""
            value = f" = {v.value}" if v.value else ""
            lines.append(f"  {v.focus}{where}{value}: {v.message}")
        return "\n".join(lines)


@cache
def _shapes() -> Graph:
    return parse_file(bundled_shapes_file())


def validate(
    lg: BaseGraph, *, shapes: Graph | None = None, engine: Engine = "bulk"
) -> ValidationReport:
    """Check ``lg`` against the SHACL shapes.

    pyshacl checks the core constraints. Its SHACL-SPARQL constraints it runs once per focus
    node, parsing the query again each time (most of a 15 s run on the bundled data): with
    ``engine="bulk"`` (the default) llmgraph runs each such query once for all focus nodes,
    with ``$this`` free, and keeps the solutions whose ``$this`` is a focus node of the shape,
    which is what the per-node runs find together (a test compares both on graphs with
    violations of every rule). ``engine="pyshacl"`` leaves everything to pyshacl.

    Args:
        lg: the graph (ontology and data together: the ontology supplies the class hierarchy).
        shapes: other shapes to use instead of the bundled ``ontology/shapes.ttl``.
        engine: ``"bulk"`` or ``"pyshacl"`` (see above).

    Returns:
        A :class:`ValidationReport`.

    Raises:
        UsageError: an unknown ``engine``, or a graph too large to validate in memory.

    >>> from llmgraph import LineageGraph
    >>> validate(LineageGraph.load()).conforms
    True
    """
    if engine not in ("bulk", "pyshacl"):
        raise UsageError(f"unknown validation engine {engine!r}; expected 'bulk' or 'pyshacl'")
    from pyshacl import validate as shacl_validate

    data = _data_graph(lg)
    shapes = shapes if shapes is not None else _shapes()
    bulk: list[Violation] = []
    if engine == "bulk":
        shapes, constraints = _split_sparql(shapes)
        bulk = [v for c in constraints for v in _run_sparql(data, c)]
    conforms, report, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    found = [_violation(report, r) for r in report.subjects(SH.resultSeverity, None)]
    violations = sorted(
        dict.fromkeys([*found, *bulk]), key=lambda v: (v.focus, v.path, v.message, v.value)
    )
    severe = any(v.severity == "Violation" for v in bulk)
    return ValidationReport(bool(conforms) and not severe, tuple(violations))


# ---------------------------------------------------------------------- SHACL-SPARQL in bulk


@dataclass(frozen=True)
class _SparqlConstraint:
    """A SPARQL-based constraint of a node shape, with what it needs to run in bulk."""

    shape: Node
    query: str
    message: str | None
    severity: str
    targets: tuple[tuple[str, Node], ...]


def _split_sparql(shapes: Graph) -> tuple[Graph, list[_SparqlConstraint]]:
    """Return the shapes without the SPARQL constraints of node shapes, and those constraints.

    Only node shapes with explicit targets and ``sh:select`` queries move; anything else
    (property shapes, ``sh:ask``, constraints without a query) stays with pyshacl.
    """
    from rdflib import RDF

    moved: list[_SparqlConstraint] = []
    links: list[tuple[Node, Node, Node]] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if (shape, SH.path, None) in shapes or (constraint, SH.deactivated, None) in shapes:
            continue
        select = shapes.value(constraint, SH.select)
        targets = tuple(
            (kind, target)
            for kind in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")
            for target in shapes.objects(shape, SH[kind])
        )
        implicit = (shape, RDF.type, RDFS_CLASS) in shapes
        if select is None or not targets or implicit:
            continue
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for holder in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(holder, SH.declare)
        )
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        severity = shapes.value(constraint, SH.severity) or shapes.value(shape, SH.severity)
        moved.append(
            _SparqlConstraint(
                shape=shape,
                query=prefixes + str(select),
                message=None if message is None else str(message),
                severity=str(severity or SH.Violation).rsplit("#", 1)[-1],
                targets=targets,
            )
        )
        links.append((shape, SH.sparql, constraint))
    if not links:
        return shapes, []
    rest = Graph()
    for prefix, namespace in shapes.namespaces():
        rest.bind(prefix, namespace)
    rest += shapes
    for link in links:
        rest.remove(link)
    return rest, moved


def _focus_nodes(data: Graph, targets: tuple[tuple[str, Node], ...]) -> set[Node]:
    from rdflib import RDF, RDFS

    focus: set[Node] = set()
    for kind, target in targets:
        if kind == "targetNode":
            focus.add(target)
        elif kind == "targetSubjectsOf":
            focus.update(data.subjects(target, None))
        elif kind == "targetObjectsOf":
            focus.update(data.objects(None, target))
        else:
            classes = set(data.transitive_subjects(RDFS.subClassOf, target))
            for cls in classes:
                focus.update(data.subjects(RDF.type, cls))
    return focus


_MESSAGE_VARIABLE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _message(template: str | None, solution: Mapping[str, object]) -> str:
    """Fill ``{?var}`` / ``{$var}`` in a constraint's message from one solution."""
    if template is None:
        return ""
    return _MESSAGE_VARIABLE.sub(lambda m: str(solution.get(m.group(1), m.group(0))), template)


def _run_sparql(data: Graph, constraint: _SparqlConstraint) -> list[Violation]:
    """Run one SHACL-SPARQL constraint for all its focus nodes at once."""
    focus = _focus_nodes(data, constraint.targets)
    if not focus:
        return []
    result = data.query(constraint.query)
    out: list[Violation] = []
    for row in result:
        solution = row.asdict()  # type: ignore[union-attr]
        this = solution.get("this")
        if this is None or this not in focus:
            continue
        value = solution.get("value", this)
        path = solution.get("path")
        message = _message(constraint.message, solution)
        out.append(
            Violation(
                focus=str(this),
                path="" if path is None else str(path),
                value=str(value),
                message=message,
                severity=constraint.severity,
            )
        )
    return out


_MOST_TRIPLES = 2_000_000


def _data_graph(lg: BaseGraph) -> Graph:
    """Return the graph pyshacl reads: the graph itself in memory, else a copy."""
    if lg.kind == "memory":
        return lg.rdf
    size = len(lg)
    if size > _MOST_TRIPLES:
        raise UsageError(
            f"validate reads the whole graph into memory for SHACL; {lg.backend.where} holds "
            f"{size:,} triples (the most is {_MOST_TRIPLES:,}): validate an export of a part "
            "of it instead (`llmgraph export --model … -o part.ttl`, then `--data part.ttl`)"
        )
    from llmgraph.backends.memory import new_graph

    copy = new_graph()
    for triple in lg.triples((None, None, None)):
        copy.add(triple)
    return copy


def _violation(report: Graph, result: Node) -> Violation:
    def text(predicate: Node) -> str:
        value = report.value(result, predicate)
        return "" if value is None else str(value)

    severity = text(SH.resultSeverity).rsplit("#", 1)[-1]
    return Violation(
        focus=text(SH.focusNode),
        path=text(SH.resultPath),
        value=text(SH.value),
        message=text(SH.resultMessage),
        severity=severity,
    )
