"""SHACL in bulk: each shape checked once for all its focus nodes, reported as pyshacl reports it.

pyshacl walks every focus node through every shape, and parses a SHACL-SPARQL query again for
each focus node (28 s on the bundled data). :func:`compile_shapes` turns a shapes graph once
into plain checks; :meth:`Plan.run` checks each shape over all its focus nodes at once, reading
the data graph through one index per property path and one instance set per class.

What runs here (everything ``ontology/shapes.ttl`` uses):

- targets ``sh:targetClass``, ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``;
- node shapes, and property shapes whose ``sh:path`` is an IRI;
- ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:nodeKind``,
  ``sh:pattern`` (with ``sh:flags``), ``sh:minInclusive``, ``sh:in``, ``sh:hasValue``,
  ``sh:or``, ``sh:not``, ``sh:property``; ``sh:message``, ``sh:severity``, ``sh:deactivated``;
- SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select`` and ``sh:prefixes``) of node shapes:
  each query is parsed once and run with ``$this`` bound to each focus node, as pyshacl runs it.

The rules are pyshacl's (0.40, the reference ``validate(engine="pyshacl")``), rule by rule:
``sh:class`` follows ``rdf:type/rdfs:subClassOf*`` in the data graph; ``sh:datatype`` refuses
ill-typed literals (``"yesterday"^^xsd:date``); ``sh:minInclusive`` fails values it cannot
compare; ``sh:pattern`` reads an IRI as its string; a shape of severity ``sh:Warning`` or
``sh:Info`` does not break conformance; results carry the shape's ``sh:message`` or pyshacl's own
wording, with nodes written the way pyshacl writes them.

A shape that uses anything else (another component, a path expression, an implicit class
target, a SPARQL constraint on a property shape, two messages …) is not compiled: the plan
says so (:attr:`Plan.rest` holds it and every shape it reaches), and
:func:`~llmgraph.validate.validate` then has pyshacl check the whole shapes graph as written,
so nothing is skipped and every message is pyshacl's.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
... ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .''')
>>> data = Graph().parse(format="turtle", data="<http://e/x> a <http://e/C> .")
>>> plan = compile_shapes(shapes)
>>> plan.rest is None
True
>>> findings, conforms = plan.run(data)
>>> conforms, findings[0].message
(False, 'Less than 1 values on <http://e/x>->ex:name')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD, NamespaceManager
from rdflib.term import Identifier, Node

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

__all__ = ["Finding", "Plan", "compile_shapes"]

SH = Namespace("http://www.w3.org/ns/shacl#")
_LENIENT = frozenset({SH.Warning, SH.Info})
"""Severities that do not break conformance (``validate`` runs pyshacl with allow_warnings)."""

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
_SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape})
_PASSIVE = frozenset(
    {SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group}
    | {SH.defaultValue, SH.path, SH.flags, *_TARGETS}
)
"""SHACL predicates of a shape that add no constraint of their own."""
_COMPONENTS = frozenset(
    {SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern}
    | {SH.minInclusive, SH["in"], SH.hasValue, SH["or"], SH["not"], SH.property, SH.sparql}
)
"""The constraint parameters compiled here; any other ``sh:`` predicate goes to pyshacl."""
_EXPECTING = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_EXPECTING_LISTS = (SH["and"], SH["or"], SH.xone)
_EMPTY: frozenset[Node] = frozenset()


class Finding(NamedTuple):
    """One validation result, in the fields of :class:`llmgraph.validate.Violation`."""

    focus: str
    path: str
    value: str
    message: str
    severity: str


class _Unsupported(Exception):
    """A shape that this module does not compile (pyshacl checks it)."""


@dataclass(frozen=True)
class _Result:
    """One result before its message is written (most are only counted for sh:or / sh:not)."""

    focus: Node
    value: Node | None
    shape: _Shape
    constraint: _Constraint
    path: Node | None = None
    message: str | None = None


Values = Mapping[Node, Set[Node]]
"""The value nodes of each focus node of a shape (the focus node itself for a node shape)."""
Hits = Iterator[tuple[Node, _Result]]
"""``(focus node of the shape checked, result)`` pairs."""


class _Constraint(Protocol):
    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        """Yield ``(focus of this shape, result)`` for every failure over all focus nodes."""
        ...

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        """Return the message pyshacl writes for a result when the shape has no sh:message."""
        ...


@dataclass(eq=False)
class _Shape:
    node: Node
    path: URIRef | None
    severity: Node
    message: Node | None
    deactivated: bool
    constraints: list[_Constraint] = field(default_factory=list)
    targets: tuple[tuple[URIRef, Node], ...] = ()


# ---------------------------------------------------------------------- the plan and a run


@dataclass(frozen=True)
class Plan:
    """A compiled shapes graph: the shapes checked in bulk, and what is left to pyshacl.

    Attributes:
        shapes: the shapes graph (pyshacl's wording names its nodes with its prefixes).
        bulk: the shapes with targets that :meth:`run` checks.
        rest: the shapes graph without the targets of ``bulk``, for pyshacl to check the
            shapes this module does not compile; ``None`` when there are none.
    """

    shapes: Graph
    bulk: tuple[_Shape, ...]
    rest: Graph | None

    def run(self, data: Graph) -> tuple[list[Finding], bool]:
        """Check ``data`` against the compiled shapes.

        Args:
            data: the data graph (with the ontology that supplies ``rdfs:subClassOf``).

        Returns:
            The findings, one per result (unsorted, possibly repeated), and whether ``data``
            conforms to the compiled shapes (no result of severity ``sh:Violation`` or another
            that is neither ``sh:Warning`` nor ``sh:Info``).
        """
        run = _Run(data, self.shapes)
        findings: list[Finding] = []
        conforms = True
        for shape in self.bulk:
            focus = run.focus_nodes(shape)
            if not focus:
                continue
            for results in run.evaluate(shape, focus).values():
                for result in results:
                    findings.append(run.finding(result))
                    conforms = conforms and result.shape.severity in _LENIENT
        return findings, conforms


class _Run:
    """One check of one data graph: the indexes it builds, shared by all shapes."""

    def __init__(self, data: Graph, shapes: Graph):
        self.data = data
        self.shapes = shapes
        self._paths: dict[Node, dict[Node, set[Node]]] = {}
        self._instances: dict[Node, set[Node]] = {}
        self._queries: dict[str, Query] = {}

    def values(self, path: Node) -> dict[Node, set[Node]]:
        """Return the objects of ``path`` by subject (one pass over the predicate index)."""
        index = self._paths.get(path)
        if index is None:
            index = {}
            for s, o in self.data.subject_objects(path):
                index.setdefault(s, set()).add(o)
            self._paths[path] = index
        return index

    def instances(self, cls: Node) -> set[Node]:
        """Return the SHACL instances of ``cls``: ``rdf:type/rdfs:subClassOf*`` in the data."""
        found = self._instances.get(cls)
        if found is None:
            found = set()
            for sub in self.data.transitive_subjects(RDFS.subClassOf, cls):
                found.update(self.data.subjects(RDF.type, sub))
            self._instances[cls] = found
        return found

    def focus_nodes(self, shape: _Shape) -> set[Node]:
        """Return the focus nodes of a shape's targets."""
        focus: set[Node] = set()
        for kind, target in shape.targets:
            if kind == SH.targetNode:
                focus.add(target)
            elif kind == SH.targetClass:
                focus.update(self.instances(target))
            elif kind == SH.targetSubjectsOf:
                focus.update(s for s, _ in self.data.subject_objects(target))
            else:
                focus.update(o for _, o in self.data.subject_objects(target))
        return focus

    def evaluate(self, shape: _Shape, focus: Iterable[Node]) -> dict[Node, list[_Result]]:
        """Check ``shape`` on every focus node at once; return the results by focus node."""
        out: dict[Node, list[_Result]] = {}
        if shape.deactivated:
            return out
        values: dict[Node, Set[Node]]
        if shape.path is None:
            values = {f: {f} for f in focus}
        else:
            index = self.values(shape.path)
            values = {f: index.get(f, _EMPTY) for f in focus}
        for constraint in shape.constraints:
            for f, result in constraint.check(self, shape, values):
                out.setdefault(f, []).append(result)
        return out

    def failing(self, shape: _Shape, focus: Set[Node]) -> set[Node]:
        """Return the focus nodes that do not conform to ``shape`` (for sh:or and sh:not)."""
        if shape.deactivated or shape.severity in _LENIENT or not focus:
            return set()
        results = self.evaluate(shape, focus)
        return {
            f
            for f, found in results.items()
            if any(r.shape.severity not in _LENIENT for r in found)
        }

    def query(self, text: str) -> Query:
        """Return ``text`` parsed once, with the data graph's prefixes (as ``Graph.query``)."""
        parsed = self._queries.get(text)
        if parsed is None:
            from rdflib.plugins.sparql import prepareQuery

            parsed = prepareQuery(text, initNs=dict(self.data.namespaces()))
            self._queries[text] = parsed
        return parsed

    def finding(self, result: _Result) -> Finding:
        """Write a result the way pyshacl's report reads."""
        shape = result.shape
        if result.message is not None:
            message = result.message
        elif shape.message is not None:
            message = str(shape.message)
        else:
            message = result.constraint.generic(self, shape, result.focus, result.value)
        path = result.path if result.path is not None else shape.path
        return Finding(
            focus=str(result.focus),
            path="" if path is None else str(path),
            value="" if result.value is None else str(result.value),
            message=message,
            severity=str(shape.severity).rsplit("#", 1)[-1],
        )

    def data_text(self, node: Node) -> str:
        """Write a data node as pyshacl does; raise ``LookupError`` for an absent blank node."""
        if isinstance(node, BNode) and not (
            (node, None, None) in self.data or (None, None, node) in self.data
        ):
            raise LookupError(f"Cannot find node {node} in any named graph.")
        return _text(self.data, node, self.data.namespace_manager)

    def shape_text(self, node: Node) -> str:
        """Write a node of the shapes graph as pyshacl does."""
        return _text(self.shapes, node, self.shapes.namespace_manager)


def _focus_text(run: _Run, focus: Node) -> str:
    try:
        return run.data_text(focus)
    except (LookupError, ValueError):
        return str(focus)


# ---------------------------------------------------------------------- the constraints


@dataclass(frozen=True)
class _MinCount:
    count: Literal

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        least = int(self.count.value)
        if least == 0:
            return
        for f, vs in values.items():
            if len(vs) < least:
                yield f, _Result(f, None, shape, self)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        path = run.shape_text(shape.path) if shape.path is not None else ""
        return f"Less than {self.count.value} values on {_focus_text(run, focus)}->{path}"


@dataclass(frozen=True)
class _MaxCount:
    count: Literal

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        most = int(self.count.value)
        for f, vs in values.items():
            if len(vs) > most:
                yield f, _Result(f, None, shape, self)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        path = run.shape_text(shape.path) if shape.path is not None else ""
        return f"More than {self.count.value} values on {run.data_text(focus)}->{path}"


def _each_value(
    shape: _Shape, constraint: _Constraint, values: Values, ok: Callable[[Node], bool]
) -> Hits:
    """Yield a result for every value node ``v`` for which ``ok(v)`` is false."""
    for f, vs in values.items():
        for v in vs:
            if not ok(v):
                yield f, _Result(f, v, shape, constraint)


@dataclass(frozen=True)
class _Datatype:
    datatype: Node

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        return _each_value(shape, self, values, self.matches)

    def matches(self, v: Node) -> bool:
        """Whether ``v`` is a well-formed literal of the datatype (pyshacl's rule)."""
        rule = self.datatype
        if not isinstance(v, Literal):
            return False
        if v.datatype == rule:
            if getattr(v, "ill_typed", None) is True:
                return False
            return _value_has_type(v, rule)
        if rule == RDFS.Literal:
            return True
        if rule == RDFS.Datatype and v.datatype:
            return True
        if v.datatype is None and v.language is None and rule == XSD.string:
            return _value_has_type(v, rule)
        if rule == RDF.langString and v.language:
            return _value_has_type(v, rule)
        return False

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        return f"Value is not Literal with datatype {run.shape_text(self.datatype)}"


_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: dt.date,
    XSD.time: dt.time,
    XSD.dateTime: dt.datetime,
}
"""The Python value pyshacl expects of a literal of each datatype (others: anything)."""


def _value_has_type(v: Literal, rule: Node) -> bool:
    expected = _PYTHON_TYPES.get(rule)
    return True if expected is None else isinstance(v.value, expected)


def _instance_of(members: Set[Node]) -> Callable[[Node], bool]:
    return lambda v: not isinstance(v, Literal) and v in members


@dataclass(frozen=True)
class _Class:
    classes: tuple[Node, ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        for cls in self.classes:
            members = run.instances(cls)
            yield from _each_value(shape, self, values, _instance_of(members))

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        if len(self.classes) < 2:
            return f"Value does not have class {run.shape_text(self.classes[0])}"
        rules = ", ".join(run.shape_text(c) for c in self.classes)
        return f"Value class is not in classes ({rules})"


_KINDS: dict[type, frozenset[Node]] = {
    BNode: frozenset({SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI}),
    Literal: frozenset({SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}),
    URIRef: frozenset({SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI}),
}


@dataclass(frozen=True)
class _NodeKind:
    kind: Node

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        def ok(v: Node) -> bool:
            for cls in (BNode, Literal, URIRef):
                if isinstance(v, cls):
                    return self.kind in _KINDS[cls]
            return False

        return _each_value(shape, self, values, ok)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        return f"Value is not of Node Kind {run.shape_text(self.kind)}"


@dataclass(frozen=True)
class _Pattern:
    patterns: tuple[tuple[Literal, re.Pattern[str]], ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        for _, regex in self.patterns:
            yield from _each_value(shape, self, values, _matching(regex))

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        if len(self.patterns) < 2:
            return f"Value does not match pattern '{self.patterns[0][0].value}'"
        rules = "', '".join(str(p.value) for p, _ in self.patterns)
        return f"Value does not match every pattern in ('{rules}')"


def _matching(regex: re.Pattern[str]) -> Callable[[Node], bool]:
    return lambda v: not isinstance(v, BNode) and regex.search(_string(v)) is not None


def _string(v: Node) -> str:
    """Return the string a pattern reads: a string's value, else the lexical form or IRI."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in _STRING_TYPES:
        return str(v.value)
    return str(v)


_STRING_TYPES = (None, RDF.langString, XSD.string)


@dataclass(frozen=True)
class _MinInclusive:
    bounds: tuple[Literal, ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        for bound in self.bounds:
            yield from _each_value(shape, self, values, partial(_at_least, bound=bound))

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        if len(self.bounds) < 2:
            return f"Value is not >= {run.shape_text(self.bounds[0])}"
        rules = ", ".join(run.shape_text(b) for b in self.bounds)
        return f"Value is not >= in ({rules})"


def _at_least(v: Node, bound: Literal) -> bool:
    """Whether ``bound <= v`` holds; values that do not compare fail (pyshacl's rule)."""
    if not isinstance(v, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        return _compare(v, bound) >= 0
    except (TypeError, NotImplementedError):
        return False


def _compare(a: Literal, b: Literal) -> int:
    if a.eq(b):
        return 0
    if type(a.value) in (dt.datetime, dt.time):
        if a.value == b.value:
            return 0
        if a.value > b.value:
            return 1
    elif a > b:
        return 1
    return -1


@dataclass(frozen=True)
class _In:
    members: frozenset[Node]
    ordered: tuple[Node, ...]
    """The members in the order pyshacl's message lists them (its set's order)."""

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        return _each_value(shape, self, values, self.members.__contains__)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        listed = [run.shape_text(m) for m in self.ordered]
        text = run.data_text(value) if value is not None else "None"
        return f"Value {text} not in list {listed}"


@dataclass(frozen=True)
class _HasValue:
    wanted: tuple[Node, ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        for hv in self.wanted:
            for f, vs in values.items():
                if not any(v == hv for v in vs):
                    yield f, _Result(f, None, shape, self)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        wanted = [run.shape_text(w) for w in self.wanted]
        if shape.path is not None:
            path = run.shape_text(shape.path)
            return (
                f"Node {run.data_text(focus)}->{path} does not contain a value in the set: {wanted}"
            )
        return f"Node {run.data_text(focus)} value is not a in the set of values: {wanted}"


def _all_values(values: Values) -> set[Node]:
    out: set[Node] = set()
    for vs in values.values():
        out.update(vs)
    return out


@dataclass(frozen=True)
class _Or:
    lists: tuple[tuple[Node, tuple[_Shape, ...]], ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        every = _all_values(values)
        for _, members in self.lists:
            passing: set[Node] = set()
            for member in members:
                passing |= every - run.failing(member, every)
            yield from _each_value(shape, self, values, passing.__contains__)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        def members(lst: Node) -> str:
            return " , ".join(run.shape_text(m) for m in run.shapes.items(lst))

        if len(self.lists) < 2:
            listed = members(self.lists[0][0])
        else:
            listed = " and ".join(f"({members(lst)})" for lst, _ in self.lists)
        return f"Node {_value_text(run, value)} must conform to one or more shapes in {listed}"


def _value_text(run: _Run, value: Node | None) -> str:
    if value is None:
        return "None"
    try:
        return run.data_text(value)
    except (LookupError, ValueError):
        return str(value)


@dataclass(frozen=True)
class _Not:
    shapes: tuple[_Shape, ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        every = _all_values(values)
        for negated in self.shapes:
            failing = run.failing(negated, every)
            yield from _each_value(shape, self, values, failing.__contains__)

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        text = _value_text(run, value)
        if len(self.shapes) == 1:
            return f"Node {text} must not conform to shape {run.shape_text(self.shapes[0].node)}"
        listed = " , ".join(run.shape_text(s.node) for s in self.shapes)
        return f"Node {text} must not conform to any shapes in {listed}"


@dataclass(frozen=True)
class _Property:
    shapes: tuple[_Shape, ...]

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        every = _all_values(values)
        if not every:
            return
        for prop in self.shapes:
            found = run.evaluate(prop, every)
            if not found:
                continue
            for f, vs in values.items():
                for v in vs:
                    for result in found.get(v, ()):
                        yield f, result

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        raise NotImplementedError("sh:property reports the results of its property shapes")


_SUBSTITUTION = "{{[?$]{}}}"


@dataclass(frozen=True)
class _Sparql:
    node: Node
    text: str
    message: Node | None
    variables: frozenset[str]
    """The pre-bound variables the query mentions (``this``, ``currentShape``)."""

    def check(self, run: _Run, shape: _Shape, values: Values) -> Hits:
        query = run.query(self.text)
        template = self.message if self.message is not None else shape.message
        for f in values:
            bindings: dict[str, Identifier] = {}
            if "this" in self.variables:
                bindings["this"] = cast(Identifier, f)
            if "currentShape" in self.variables:
                bindings["currentShape"] = cast(Identifier, shape.node)
            for row in run.data.query(query, initBindings=bindings):
                solution: dict[str, Node] = dict(row.asdict())  # type: ignore[union-attr]
                path = solution.pop("path", None)
                value = solution.pop("value", None)
                this = solution.pop("this", None)
                if path is None and value is None and this is None:
                    continue
                if value is None:
                    value = f
                focus = this or f
                message = None
                if template is not None:
                    message = _fill(template, this, path, value, solution)
                yield f, _Result(focus, value, shape, self, path=path, message=message or "")

    def generic(self, run: _Run, shape: _Shape, focus: Node, value: Node | None) -> str:
        return ""


def _fill(
    template: Node, this: Node | None, path: Node | None, value: Node, extra: dict[str, Node]
) -> str:
    """Fill ``{?var}`` / ``{$var}`` as pyshacl does (the result's variables over the rest)."""
    message = str(template.value) if isinstance(template, Literal) else str(template)
    fills: dict[str, Node] = dict(extra)
    for name, node in (("this", this), ("path", path), ("value", value)):
        if node is not None:
            fills[name] = node
    for name, node in fills.items():
        message = re.sub(_SUBSTITUTION.format(name), str(node), message)
    return message


# ---------------------------------------------------------------------- writing nodes as pyshacl


def _text(graph: Graph, node: Node, nsm: NamespaceManager, recursion: int = 0) -> str:
    """Write ``node`` the way pyshacl's ``stringify_node`` does (its messages embed it)."""
    nsm.bind("sh", SH, override=False, replace=False)
    if isinstance(node, Literal):
        return _literal_text(graph, node, nsm)
    if isinstance(node, BNode):
        return _blank_text(graph, node, nsm, recursion + 1)
    if isinstance(node, URIRef):
        try:
            return node.n3(namespace_manager=nsm)
        except Exception:
            return str(node)
    return str(node)


def _literal_text(graph: Graph, node: Literal, nsm: NamespaceManager) -> str:
    value = None if node.value is None else str(node.value)
    lexical = str(node)
    if value is not None:
        at = value.find(" object at 0x")
        if at > 0:
            value = value[:at]
    text = f'"{lexical}" = {value}' if value is not None and value != lexical else f'"{lexical}"'
    lang = f", lang={node.language}" if node.language else ""
    datatype = f", datatype={_text(graph, node.datatype, nsm)}" if node.datatype else ""
    return f"Literal({text}{lang}{datatype})"


def _blank_text(graph: Graph, node: BNode, nsm: NamespaceManager, recursion: int) -> str:
    if recursion >= 12:
        return "<http://recursion.too.deep>"
    predicates = list(graph.predicates(node))
    if not predicates:
        return "[ ]"
    if RDF.first in predicates:
        items = [_text(graph, item, nsm, recursion + 1) for item in graph.items(node)]
        return "( {} )".format(" ".join(items))
    by_predicate: dict[str, str] = {}
    for p in predicates:
        key = p.n3(namespace_manager=nsm) if isinstance(p, Literal | BNode | URIRef) else str(p)
        objects = sorted(_text(graph, o, nsm, recursion + 1) for o in graph.objects(node, p))
        if objects:
            by_predicate[key] = ", ".join(objects)
    body = " ; ".join(f"{p} {o}" for p, o in sorted(by_predicate.items()))
    return f"[ {body} ]"


# ---------------------------------------------------------------------- compiling the shapes


def compile_shapes(shapes: Graph) -> Plan:
    """Compile a shapes graph into the checks of :meth:`Plan.run` and a rest for pyshacl.

    Args:
        shapes: a SHACL shapes graph.

    Returns:
        A :class:`Plan`: every shape with targets that uses only what this module checks is
        in ``bulk``; the others, and every shape they reach, stay in ``rest``.

    >>> from rdflib import Graph
    >>> shapes = Graph().parse(format="turtle", data='''
    ... @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
    ... ex:A sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    ... ex:B sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:uniqueLang true ] .''')
    >>> plan = compile_shapes(shapes)
    >>> [str(s.node) for s in plan.bulk], plan.rest is not None
    (['http://e/A'], True)
    """
    compiler = _Compiler(shapes)
    bulk: dict[Node, _Shape] = {}
    rest: set[Node] = set()
    for node in compiler.top_level():
        try:
            bulk[node] = compiler.top(node)
        except _Unsupported:
            rest.add(node)
    # A compiled shape that a shape left to pyshacl reaches stays with pyshacl too, so that
    # pyshacl sees it exactly as written (its targets included).
    while True:
        reached: set[Node] = set()
        for node in rest:
            reached |= _reachable(shapes, node)
        moved = [node for node in bulk if node in reached]
        if not moved:
            break
        for node in moved:
            del bulk[node]
            rest.add(node)
    remainder = None
    if rest:
        remainder = Graph()
        for prefix, namespace in shapes.namespaces():
            remainder.bind(prefix, namespace)
        remainder += shapes
        for node in bulk:
            for target in _TARGETS:
                remainder.remove((node, target, None))
    return Plan(shapes=shapes, bulk=tuple(bulk.values()), rest=remainder)


def _reachable(shapes: Graph, start: Node) -> set[Node]:
    """Every shape node that ``start`` refers to, directly or not (itself included)."""
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        nested: list[Node] = []
        for predicate in _EXPECTING:
            nested.extend(shapes.objects(node, predicate))
        for predicate in _EXPECTING_LISTS:
            for lst in shapes.objects(node, predicate):
                nested.extend(shapes.items(lst))
        for n in nested:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def _one(values: list[Node]) -> Node | None:
    """Return the only value, or ``None``; two or more are left to pyshacl."""
    if len(values) > 1:
        raise _Unsupported("two values where pyshacl reads one")
    return values[0] if values else None


_THIS = re.compile(r"([\s{}()])[\$\?]this", flags=re.M)
_CURRENT_SHAPE = re.compile(r"([\s{}()])[\$\?]currentShape", flags=re.M)
_LEFT_TO_PYSHACL = [
    re.compile(r"([\s{}()])[\$\?](PATH|shapesGraph|failure)\b", flags=re.M),
    re.compile(r"^(?:[^#]*|M)(?!#)#?[^\?\$\#]M?INUS[\s\{]", flags=re.M | re.I),
    re.compile(r"^(?!\s*#).*?(?<![\w\-\:])VALUES\b(?:\s*(?:\(|[\?\$]\w+|\{|\w|\s))", re.M | re.I),
    re.compile(r"^(?:[^#]*|S)(?!#)#?[^\?\$\#]S?ERVICE[\s\<]", flags=re.M | re.I),
    re.compile(r"SELECT[\s\(\)\$\?\a-z]*\{[^\}]*SELECT\s+", flags=re.M | re.I),
    re.compile(r"[^\w]+AS[\s]+[\$\?](\w+)", flags=re.M | re.I),
]
"""Query text that pyshacl refuses or rewrites (MINUS, VALUES, SERVICE, nested SELECT, AS,
``$PATH``, ``$shapesGraph``, ``?failure``): such constraints stay with pyshacl."""


class _Compiler:
    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self._done: dict[Node, _Shape] = {}
        self._active: set[Node] = set()
        self._custom = {
            path
            for parameter in shapes.objects(None, SH.parameter)
            for path in shapes.objects(parameter, SH.path)
        }
        self._classes = {RDFS.Class, OWL.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}

    def objects(self, node: Node, predicate: Node) -> list[Node]:
        return list(self.shapes.objects(node, predicate))

    def top_level(self) -> list[Node]:
        """Return the shapes pyshacl checks on their own: explicit or implicit targets."""
        found: dict[Node, None] = {}
        for predicate in (*_TARGETS, SH.target):
            for node in self.shapes.subjects(predicate, None):
                found.setdefault(node)
        parameters = {
            path
            for component in self.shapes.subjects(RDF.type, SH.ConstraintComponent)
            for parameter in self.shapes.objects(component, SH.parameter)
            for path in self.shapes.objects(parameter, SH.path)
        }
        for cls in self._classes:
            for node in self.shapes.subjects(RDF.type, cls):
                if any(
                    str(p).startswith(str(SH)) or p in parameters
                    for p in self.shapes.predicates(node)
                ) or set(self.shapes.objects(node, RDF.type)) & {SH.NodeShape, SH.PropertyShape}:
                    found.setdefault(node)  # an implicit class target: left to pyshacl
        return list(found)

    def top(self, node: Node) -> _Shape:
        if self.objects(node, SH.target) or set(self.objects(node, RDF.type)) & self._classes:
            raise _Unsupported("advanced or implicit targets")
        shape = self.shape(node)
        shape.targets = tuple(
            (target, value) for target in _TARGETS for value in self.objects(node, target)
        )
        return shape

    def shape(self, node: Node, *, prop: bool = False) -> _Shape:
        done = self._done.get(node)
        if done is not None:
            if prop and done.path is None:
                raise _Unsupported("sh:property of a node shape")
            return done
        if node in self._active:
            raise _Unsupported("recursive shapes")
        self._active.add(node)
        try:
            shape = self._compile(node, prop=prop)
        finally:
            self._active.discard(node)
        self._done[node] = shape
        return shape

    def _compile(self, node: Node, *, prop: bool) -> _Shape:
        g = self.shapes
        types = set(self.objects(node, RDF.type))
        predicates = set(g.predicates(node))
        for p in predicates:
            in_sh = isinstance(p, URIRef) and p.startswith(str(SH))
            if (in_sh and p not in _PASSIVE and p not in _COMPONENTS) or p in self._custom:
                raise _Unsupported(f"{p} is checked by pyshacl")
        if types - _SHAPE_TYPES - {SH.Shape}:
            raise _Unsupported("a shape that is also of another type")
        path = _one(self.objects(node, SH.path))
        if path is not None and not isinstance(path, URIRef):
            raise _Unsupported("a path expression")
        if (SH.NodeShape in types and path is not None) or (SH.PropertyShape in types and not path):
            raise _Unsupported("a malformed shape")
        if prop and path is None:
            raise _Unsupported("sh:property of a node shape")
        deactivated = _one(self.objects(node, SH.deactivated))
        if deactivated is not None and not isinstance(deactivated, Literal):
            raise _Unsupported("sh:deactivated that is not a literal")
        shape = _Shape(
            node=node,
            path=path,
            severity=_one(self.objects(node, SH.severity)) or SH.Violation,
            message=_one(self.objects(node, SH.message)),
            deactivated=deactivated is not None and bool(deactivated.value),
        )
        shape.constraints = self._constraints(node, shape)
        # pyshacl lets a lenient shape conform whatever its property shapes find, yet reports
        # their results: only lenient property shapes under a lenient one keep the two apart.
        lenient = shape.severity in _LENIENT
        for constraint in shape.constraints:
            nested = constraint.shapes if isinstance(constraint, _Property) else ()
            if lenient and any(n.severity not in _LENIENT for n in nested):
                raise _Unsupported("a severe property shape in a lenient shape")
        return shape

    def _constraints(self, node: Node, shape: _Shape) -> list[_Constraint]:
        g = self.shapes
        out: list[_Constraint] = []
        for predicate, build in (
            (SH.minCount, _MinCount),
            (SH.maxCount, _MaxCount),
        ):
            count = _one(self.objects(node, predicate))
            if count is None:
                continue
            if shape.path is None or not (
                isinstance(count, Literal) and count.datatype == XSD.integer
            ):
                raise _Unsupported("a count pyshacl refuses")
            if int(count.value) < 0:
                raise _Unsupported("a negative count")
            out.append(build(count))
        datatype = _one(self.objects(node, SH.datatype))
        if datatype is not None:
            out.append(_Datatype(datatype))
        classes = self.objects(node, SH["class"])
        if classes:
            out.append(_Class(tuple(classes)))
        kind = _one(self.objects(node, SH.nodeKind))
        if kind is not None:
            out.append(_NodeKind(kind))
        patterns = self.objects(node, SH.pattern)
        if patterns:
            out.append(_Pattern(self._patterns(node, patterns)))
        bounds = self.objects(node, SH.minInclusive)
        if bounds:
            if not all(isinstance(b, Literal) for b in bounds):
                raise _Unsupported("sh:minInclusive that is not a literal")
            out.append(_MinInclusive(tuple(b for b in bounds if isinstance(b, Literal))))
        allowed = _one(self.objects(node, SH["in"]))
        if allowed is not None:
            members: set[Node] = set()
            for item in g.items(allowed):
                members.add(item)  # the order of pyshacl's own set, for its message
            out.append(_In(frozenset(members), tuple(members)))
        wanted = self.objects(node, SH.hasValue)
        if wanted:
            out.append(_HasValue(tuple(set(wanted))))
        lists = self.objects(node, SH["or"])
        if lists:
            compiled = []
            for lst in lists:
                members_of = list(dict.fromkeys(g.items(lst)))
                if not members_of:
                    raise _Unsupported("an empty sh:or")
                compiled.append((lst, tuple(self.shape(m) for m in members_of)))
            out.append(_Or(tuple(compiled)))
        negated = self.objects(node, SH["not"])
        if negated:
            out.append(_Not(tuple(self.shape(n) for n in negated)))
        props = self.objects(node, SH.property)
        if props:
            out.append(_Property(tuple(self.shape(p, prop=True) for p in props)))
        for constraint in self.objects(node, SH.sparql):
            sparql = self._sparql(constraint, shape)
            if sparql is not None:
                out.append(sparql)
        return out

    def _patterns(
        self, node: Node, patterns: list[Node]
    ) -> tuple[tuple[Literal, re.Pattern[str]], ...]:
        flags = _one(self.objects(node, SH.flags))
        re_flags = 0
        if flags is not None:
            text = str(flags.value if isinstance(flags, Literal) else flags).lower()
            re_flags |= re.I if "i" in text else 0
            re_flags |= re.M if "m" in text else 0
        out = []
        for p in patterns:
            if not isinstance(p, Literal) or not (p.value is None or isinstance(p.value, str)):
                raise _Unsupported("sh:pattern that is not a string")
            source = str(p.value) if p.value is not None and len(p.value) > 1 else str(p)
            try:
                out.append((p, re.compile(source, re_flags)))
            except re.error as exc:
                raise _Unsupported("a pattern Python cannot compile") from exc
        return tuple(out)

    def _sparql(self, constraint: Node, shape: _Shape) -> _Sparql | None:
        """Compile one ``sh:sparql`` constraint of a node shape (``None``: deactivated)."""
        if shape.path is not None:
            raise _Unsupported("SPARQL on a property shape")
        allowed = {RDF.type, SH.select, SH.message, SH.prefixes, SH.deactivated}
        for p in self.shapes.predicates(constraint):
            if p not in allowed and (str(p).startswith(str(SH)) or p in self._custom):
                raise _Unsupported(f"{p} on a SPARQL constraint")
        select = _one(self.objects(constraint, SH.select))
        if not (isinstance(select, Literal) and isinstance(select.value, str)):
            raise _Unsupported("sh:select that is not a string")
        message = _one(self.objects(constraint, SH.message))
        if message is not None and not (
            isinstance(message, Literal) and isinstance(message.value, str)
        ):
            raise _Unsupported("sh:message that is not a string")
        if message is not None and shape.message is not None:
            raise _Unsupported("two messages for one result")
        deactivated = _one(self.objects(constraint, SH.deactivated))
        if deactivated is not None:
            if not (isinstance(deactivated, Literal) and isinstance(deactivated.value, bool)):
                raise _Unsupported("sh:deactivated that is not a boolean")
            if deactivated.value:
                return None
        text = select.value
        if any(check.search(text) for check in _LEFT_TO_PYSHACL):
            raise _Unsupported("a query that pyshacl refuses or rewrites")
        variables = frozenset(
            name
            for name, regex in (("this", _THIS), ("currentShape", _CURRENT_SHAPE))
            if regex.search(text)
        )
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self._prefixes(constraint).items())
        return _Sparql(constraint, f"{prefixes}\n{text}", message, variables)

    def _prefixes(self, constraint: Node) -> dict[str, str]:
        """Return the prefixes pyshacl declares for a constraint (sh:prefixes, sh:declare)."""
        g = self.shapes
        out = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
        holders = set(self.objects(constraint, SH.prefixes))
        if not holders:
            return out
        named = set(self.objects(g.identifier, SH.declare))
        ontologies = set(g.subjects(RDF.type, OWL.Ontology))
        general = named.union(*(set(self.objects(o, SH.declare)) for o in ontologies))
        for holder in holders:
            own = set(self.objects(holder, SH.declare))
            declares = own | named if own and holder in ontologies else general | own
            for declare in declares:
                prefix = _one(self.objects(declare, SH.prefix))
                namespace = _one(self.objects(declare, SH.namespace))
                if not (isinstance(prefix, Literal) and isinstance(prefix.value, str)):
                    raise _Unsupported("sh:prefix that is not a string")
                if not (isinstance(namespace, Literal) and isinstance(namespace.value, str)):
                    raise _Unsupported("sh:namespace that is not a string")
                out[prefix.value] = namespace.value
        return out
