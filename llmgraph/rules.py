"""The rules every write obeys, written once: which facts are well-formed, what is entailed.

Every write path (``LineageGraph.add``, loading a file, an import into a store, an update on
a remote endpoint) calls :func:`check_fact` on each new triple and adds :func:`materialized`
triples; the derivation-cycle rule lives with the traversal engine
(:meth:`llmgraph.engine.LineageIndex.find_cycle`), because finding a cycle is a traversal.

The rules of a fact ``subject predicate object``:

- a relation of the vocabulary (lineage, development, backing, hosting, family, licence) joins
  two entities: both ends are IRIs;
- ``llm:parameterCount``, ``llm:activeParameterCount``, ``llm:contextLength`` and
  ``llm:trainingTokens`` are non-negative ``xsd:integer`` values;
- ``llm:releaseDate`` and ``llm:date`` are valid ``xsd:date`` values (``"2023-07-18"``);
- ``llm:releaseDatePrecision`` is one of ``"day"``, ``"month"``, ``"public-by"``;
- every IRI is an IRI that N-Triples can write (no spaces, quotes or angle brackets).

>>> from llmgraph.terms import IRI
>>> from llmgraph.triples import Lit
>>> try:
...     check_fact((IRI("http://e/a"), IRI(llm("releaseDate")), Lit("yesterday", XSD_DATE)))
... except InvalidFactError as exc:
...     print(str(exc).split(", got ")[1])
"yesterday"^^xsd:date
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from llmgraph.errors import InvalidFactError
from llmgraph.terms import (
    IRI,
    LLM_NS,
    RELATIONS,
    RELEASE_DATE_PRECISIONS,
    SUPER_RELATIONS,
    XSD,
    llm,
)
from llmgraph.triples import XSD_DATE, Blank, LightTriple, Lit, iri_problem, light

__all__ = [
    "CHECKED_PREDICATES",
    "DATE_ATTRIBUTES",
    "ENTITY_RELATIONS",
    "INTEGER_ATTRIBUTES",
    "RELEASE_DATE_PRECISIONS",
    "XSD_DATE",
    "check_fact",
    "check_facts",
    "entailed_by",
    "materialized",
    "visible_relations",
]

ENTITY_RELATIONS: Final = frozenset(llm(name) for name in (*RELATIONS, "family", "license"))
"""The predicates whose both ends must be entities (IRIs)."""

INTEGER_ATTRIBUTES: Final = frozenset(
    llm(name)
    for name in ("parameterCount", "activeParameterCount", "contextLength", "trainingTokens")
)
"""The attributes that hold non-negative integers."""

DATE_ATTRIBUTES: Final = frozenset(llm(name) for name in ("releaseDate", "date"))
"""The attributes that hold ``xsd:date`` values."""

_PRECISION = llm("releaseDatePrecision")

CHECKED_PREDICATES: Final = ENTITY_RELATIONS | INTEGER_ATTRIBUTES | DATE_ATTRIBUTES | {_PRECISION}
"""The predicates :func:`check_fact` has a rule for: a fact of any other passes unchecked."""
_INTEGER_TYPES = frozenset(
    XSD + t
    for t in (
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "long",
        "int",
        "short",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
    )
)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DATE = re.compile(r"^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$")
_SUB_TO_SUPER = {llm(sub): llm(sup) for sup, subs in SUPER_RELATIONS.items() for sub in subs}


def _shown(term: Any) -> str:
    if isinstance(term, Lit):
        text = term.lexical.replace("\\", "\\\\").replace('"', '\\"')
        if term.lang:
            return f'"{text}"@{term.lang}'
        if term.datatype.startswith(XSD):
            suffix = "" if term.datatype == XSD + "string" else f"^^xsd:{term.datatype[len(XSD) :]}"
            return f'"{text}"{suffix}'
        return f'"{text}"^^<{term.datatype}>'
    if isinstance(term, Blank):
        return f"_:{term}"
    return f"<{term}>"


def _name(predicate: str) -> str:
    return "llm:" + predicate[len(LLM_NS) :] if predicate.startswith(LLM_NS) else f"<{predicate}>"


def _valid_date(lexical: str) -> bool:
    match = _DATE.match(lexical)
    if match is None:
        return False
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    try:
        dt.date(year, month, day)
    except ValueError:
        return 1 <= month <= 12 and 1 <= day <= 31 and not (1 <= year <= 9999)
    return True


def check_fact(
    triple: tuple[Any, Any, Any],
    *,
    path: Path | str | None = None,
    where: str = "",
) -> LightTriple:
    """Check one fact against the rules above and return it as light terms.

    Args:
        triple: ``(subject, predicate, object)``, rdflib or light terms.
        path: the file the fact came from, for the message.
        where: a prefix for the message (``"fact 3: "``).

    Returns:
        The triple as light terms (:func:`llmgraph.triples.light`).

    Raises:
        InvalidFactError: the fact breaks a rule; the message names the fact and the rule.

    >>> from llmgraph.terms import IRI
    >>> try:
    ...     check_fact((IRI("http://e/b"), IRI(llm("fineTunedFrom")), Lit("Llama")))
    ... except InvalidFactError as exc:
    ...     print(str(exc)[:56])
    llm:fineTunedFrom links two entities (IRIs), got "Llama"
    """
    try:
        s, p, o = light(triple)
    except TypeError as exc:
        raise InvalidFactError(f"{where}{exc}", path=path) from None
    if not isinstance(p, IRI):
        raise InvalidFactError(f"{where}a predicate must be an IRI, got {_shown(p)}", path=path)
    if isinstance(s, Lit):
        raise InvalidFactError(
            f"{where}a subject must be an IRI or a blank node, got {_shown(s)}", path=path
        )
    for term in (s, p, o):
        if isinstance(term, IRI) and (problem := iri_problem(term)) is not None:
            raise InvalidFactError(
                f"{where}not a valid IRI: {str(term)!r} ({problem}) in "
                f"{_shown(s)} {_shown(p)} {_shown(o)}",
                path=path,
            )
    if p in ENTITY_RELATIONS and not (isinstance(s, IRI) and isinstance(o, IRI)):
        wrong = o if not isinstance(o, IRI) else s
        raise InvalidFactError(
            f"{where}{_name(p)} links two entities (IRIs), got {_shown(wrong)} in "
            f"{_shown(s)} {_name(p)} {_shown(o)}",
            path=path,
        )
    if p in INTEGER_ATTRIBUTES and not (
        isinstance(o, Lit)
        and o.datatype in _INTEGER_TYPES
        and _INTEGER.match(o.lexical.strip())
        and int(o.lexical) >= 0
    ):
        raise InvalidFactError(
            f"{where}{_name(p)} of {_shown(s)} must be a non-negative xsd:integer, got {_shown(o)}",
            path=path,
        )
    if p in DATE_ATTRIBUTES and not (
        isinstance(o, Lit) and o.datatype == XSD_DATE and _valid_date(o.lexical)
    ):
        raise InvalidFactError(
            f"{where}{_name(p)} of {_shown(s)} must be an xsd:date such as "
            f'"2023-07-18"^^xsd:date, got {_shown(o)}',
            path=path,
        )
    if p == _PRECISION and not (
        isinstance(o, Lit) and o.lang is None and o.lexical in RELEASE_DATE_PRECISIONS
    ):
        allowed = ", ".join(f'"{v}"' for v in RELEASE_DATE_PRECISIONS)
        raise InvalidFactError(
            f"{where}llm:releaseDatePrecision of {_shown(s)} must be one of {allowed}, "
            f"got {_shown(o)}",
            path=path,
        )
    return (s, p, o)


def check_facts(
    triples: Iterable[tuple[Any, Any, Any]], *, path: Path | str | None = None
) -> list[LightTriple]:
    """Check a batch (see :func:`check_fact`) and return it as light terms, repeats dropped.

    The message of a bad fact names its position in the batch (``fact 3``) unless ``path``
    names the file it came from.

    >>> from llmgraph.terms import IRI
    >>> len(check_facts([(IRI("http://e/a"), IRI("http://e/p"), Lit("x"))] * 2))
    1
    """
    out: dict[LightTriple, None] = {}
    for index, triple in enumerate(triples):
        where = "" if path is not None else f"fact {index}: "
        out.setdefault(check_fact(triple, path=path, where=where))
    return list(out)


def entailed_by(predicate: str) -> str | None:
    """Return the super-relation a predicate entails (``llm:derivedFrom``, ``llm:backs``).

    >>> entailed_by(llm("owns")) == llm("backs"), entailed_by(llm("successorOf"))
    (True, None)
    """
    return _SUB_TO_SUPER.get(predicate)


def materialized(triples: Iterable[LightTriple]) -> Iterator[LightTriple]:
    """Yield the ``llm:derivedFrom`` and ``llm:backs`` triples entailed by ``triples``.

    Every weight-lineage sub-relation entails ``llm:derivedFrom`` on the same pair, and
    ``llm:investsIn`` / ``llm:owns`` entail ``llm:backs``.

    >>> from llmgraph.terms import IRI
    >>> [str(p) for _, p, _ in materialized([(IRI("http://e/a"), IRI(llm("adapterOf")), IRI("http://e/b"))])]
    ['https://w3id.org/llmgraph#derivedFrom']
    """
    for s, p, o in triples:
        sup = _SUB_TO_SUPER.get(str(p))
        if sup is not None:
            yield (s, IRI(sup), o)


def visible_relations(names: Iterable[str]) -> set[str]:
    """Return the relation names between two entities as llmgraph shows and walks them.

    A materialized super-relation is hidden where a sub-relation joins the same pair, so each
    pair is drawn and traversed once per real relation.

    >>> sorted(visible_relations({"fineTunedFrom", "derivedFrom", "successorOf"}))
    ['fineTunedFrom', 'successorOf']
    """
    present = set(names)
    for sup, subs in SUPER_RELATIONS.items():
        if sup in present and present & subs:
            present.discard(sup)
    return present
