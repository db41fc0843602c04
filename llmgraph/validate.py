"""SHACL validation of a graph against ``ontology/shapes.ttl`` (with pyshacl)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace
from rdflib.term import Node

from llmgraph.errors import UsageError
from llmgraph.store import bundled_shapes_file, parse_file

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph

__all__ = ["ValidationReport", "Violation", "validate"]

SH = Namespace("http://www.w3.org/ns/shacl#")


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


def validate(lg: BaseGraph, *, shapes: Graph | None = None) -> ValidationReport:
    """Check ``lg`` against the SHACL shapes.

    Args:
        lg: the graph (ontology and data together: the ontology supplies the class hierarchy).
        shapes: other shapes to use instead of the bundled ``ontology/shapes.ttl``.

    Returns:
        A :class:`ValidationReport`.

    >>> from llmgraph import LineageGraph
    >>> validate(LineageGraph.load()).conforms
    True
    """
    conforms, report, _ = shacl_validate(
        _data_graph(lg),
        shacl_graph=shapes if shapes is not None else _shapes(),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    violations = sorted(
        (_violation(report, r) for r in report.subjects(SH.resultSeverity, None)),
        key=lambda v: (v.focus, v.path, v.message, v.value),
    )
    return ValidationReport(bool(conforms), tuple(violations))


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
