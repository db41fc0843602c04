"""SHACL validation of a graph against ``ontology/shapes.ttl``, in bulk or with pyshacl."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from rdflib import Graph, Namespace
from rdflib.term import Node

from llmgraph.errors import UsageError
from llmgraph.store import bundled_shapes_file, parse_file

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph
    from llmgraph.shacl import Plan

__all__ = ["ValidationReport", "Violation", "validate"]

SH = Namespace("http://www.w3.org/ns/shacl#")

Engine = Literal["bulk", "pyshacl"]
"""How :func:`validate` checks the shapes: each once for all focus nodes, or with pyshacl."""


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


@cache
def _bundled_plan() -> Plan:
    from llmgraph.shacl import compile_shapes

    return compile_shapes(_shapes())


def validate(
    lg: BaseGraph, *, shapes: Graph | None = None, engine: Engine = "bulk"
) -> ValidationReport:
    """Check ``lg`` against the SHACL shapes.

    pyshacl walks every focus node through every shape and parses each SHACL-SPARQL query
    again for each focus node (28 s on the bundled data). With ``engine="bulk"`` (the default)
    llmgraph checks each shape once for all its focus nodes (:mod:`llmgraph.shacl`: the SHACL
    Core constraints the shapes use, and SHACL-SPARQL queries parsed once and run with
    ``$this`` bound to each focus node) and reports what pyshacl reports: the same violations,
    messages and severities (a property test compares both on corrupted samples of the bundled
    data). When ``shapes`` use anything else, pyshacl checks them all, as written.
    ``engine="pyshacl"`` leaves everything to pyshacl, the reference.

    Args:
        lg: the graph (ontology and data together: the ontology supplies the class hierarchy).
        shapes: other shapes to use instead of the bundled ``ontology/shapes.ttl``.
        engine: ``"bulk"`` or ``"pyshacl"`` (see above).

    Returns:
        A :class:`ValidationReport`.

    Raises:
        UsageError: an unknown ``engine``, a graph too large to validate in memory, or
            shapes pyshacl cannot run (its reason is given).

    >>> from llmgraph import LineageGraph
    >>> validate(LineageGraph.load()).conforms
    True
    """
    if engine not in ("bulk", "pyshacl"):
        raise UsageError(f"unknown validation engine {engine!r}; expected 'bulk' or 'pyshacl'")
    data = _data_graph(lg)
    graph = shapes if shapes is not None else _shapes()
    found: list[Violation] = []
    if engine == "pyshacl":
        conforms = _run_pyshacl(data, graph, found)
    else:
        from llmgraph.shacl import compile_shapes

        plan = _bundled_plan() if shapes is None else compile_shapes(shapes)
        if plan.rest is None:
            findings, conforms = plan.run(data)
            found.extend(Violation(*f) for f in findings)
        else:  # pyshacl checks the shapes as written: a partial copy of them would list the
            # values of sh:in, sh:class … in another order in its messages
            conforms = _run_pyshacl(data, graph, found)
    violations = sorted(set(found), key=lambda v: (v.focus, v.path, v.message, v.value, v.severity))
    return ValidationReport(conforms, tuple(violations))


def _run_pyshacl(data: Graph, shapes: Graph, found: list[Violation]) -> bool:
    """Validate with pyshacl; add its results to ``found`` and return whether ``data`` conforms.

    pyshacl keeps the text of each blank node it has written in a cache keyed by the graph's
    ``id()`` and the node's id, which goes stale when a graph changes or a new graph reuses an
    old one's address (a corrupted copy of a graph writes the old copy's statement nodes): the
    cache is emptied first, so that the messages describe the graph as it is.
    """
    from pyshacl import validate as shacl_validate
    from pyshacl.rdfutil.stringify import stringify_blank_node

    written = getattr(stringify_blank_node, "dict_cache", None)
    if isinstance(written, dict):
        written.clear()
    conforms, report, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    if not isinstance(report, Graph):  # pyshacl's ValidationFailure: the shapes cannot run
        reason = getattr(report, "message", None) or str(report)
        raise UsageError(f"the SHACL shapes cannot be checked: {reason}")
    found.extend(_violation(report, r) for r in report.subjects(SH.resultSeverity, None))
    return bool(conforms)


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
