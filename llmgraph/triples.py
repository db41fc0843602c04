"""Triples as llmgraph writes them: light terms, N-Triples text, and rdflib's terms.

Importers write millions of facts at Hub scale. An rdflib ``Literal`` costs microseconds to
build and its N-Triples form as much again, so the import pipeline speaks in light terms
instead: an :class:`~llmgraph.terms.IRI` (a ``str``), a :class:`Blank` node and a :class:`Lit`
(lexical form, datatype, language), turned into N-Triples text for a store's bulk loader and
into rdflib terms only for the in-memory graph. A triple of either kind is accepted wherever
llmgraph takes facts; :func:`light` and :func:`to_rdflib` convert between them.

>>> t = (IRI("http://e/a"), IRI("http://e/released"), Lit("2023-07-18", XSD_DATE))
>>> print(ntriples(t))
<http://e/a> <http://e/released> "2023-07-18"^^<http://www.w3.org/2001/XMLSchema#date> .
>>> light(to_rdflib(t)) == t
True
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from llmgraph.terms import IRI, XSD

if TYPE_CHECKING:
    from rdflib.term import Node

__all__ = [
    "XSD_DATE",
    "XSD_INTEGER",
    "XSD_STRING",
    "Blank",
    "LightTerm",
    "LightTriple",
    "Lit",
    "iri_problem",
    "light",
    "light_term",
    "nt_term",
    "ntriples",
    "to_rdflib",
    "to_rdflib_term",
]

XSD_STRING = XSD + "string"
XSD_DATE = XSD + "date"
XSD_INTEGER = XSD + "integer"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_BAD_IRI = re.compile('[<>"{}|^`\\\\\x00-\x20\ud800-\udfff]')


class Blank(str):
    """A blank node, by its label (without ``_:``).

    >>> Blank("b0")
    Blank('b0')
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Blank({str.__repr__(self)})"


class Lit(NamedTuple):
    """A literal: its lexical form, its datatype IRI and, for a language string, its tag.

    >>> Lit("7", XSD_INTEGER).datatype.rsplit("#", 1)[1]
    'integer'
    """

    lexical: str
    datatype: str = XSD_STRING
    lang: str | None = None


LightTerm = IRI | Blank | Lit
LightTriple = tuple[LightTerm, LightTerm, LightTerm]


def iri_problem(text: str) -> str | None:
    r"""Return why ``text`` cannot be an IRI in N-Triples, or ``None`` if it can.

    >>> iri_problem("https://e/x"), iri_problem('https://e/x"y')
    (None, 'it contains \'"\'')
    """
    if not text:
        return "it is empty"
    bad = _BAD_IRI.search(text)
    if bad is not None:
        ch = bad.group()
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return f"it contains a lone surrogate (U+{ord(ch):04X})"
        return f"it contains {ch!r}"
    if ":" not in text:
        return "it has no scheme (such as https:)"
    return None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def nt_term(term: LightTerm) -> str:
    r"""Return a light term in N-Triples syntax.

    >>> nt_term(Lit('say "hi"', lang="en")), nt_term(Blank("x"))
    ('"say \\"hi\\""@en', '_:x')
    """
    if isinstance(term, Lit):
        text = f'"{_escape(term.lexical)}"'
        if term.lang:
            return f"{text}@{term.lang}"
        if term.datatype != XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, Blank):
        return f"_:{term}"
    return f"<{term}>"


def ntriples(triple: LightTriple) -> str:
    """Return one N-Triples line (without the line break)."""
    s, p, o = triple
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ."


def light_term(node: Any) -> LightTerm:
    """Return the light form of an rdflib term (light terms pass through).

    Raises:
        TypeError: ``node`` is neither.

    >>> from rdflib import Literal
    >>> light_term(Literal(7))
    Lit(lexical='7', datatype='http://www.w3.org/2001/XMLSchema#integer', lang=None)
    """
    kind = _RDFLIB_KINDS.get(type(node))
    if kind is None and isinstance(node, IRI | Blank | Lit):
        return node
    if kind is None:
        from rdflib import BNode, Literal, URIRef

        for cls, name in ((URIRef, "iri"), (BNode, "blank"), (Literal, "literal")):
            if isinstance(node, cls):
                kind = _RDFLIB_KINDS[type(node)] = name
                break
    if kind == "iri":
        return IRI(node)
    if kind == "blank":
        return Blank(node)
    if kind == "literal":
        if node.language:
            return Lit(str(node), _LANG_STRING, node.language)
        return Lit(str(node), str(node.datatype) if node.datatype else XSD_STRING)
    raise TypeError(f"not an RDF term: {node!r}")


_RDFLIB_KINDS: dict[type, str] = {}


def light(triple: tuple[Any, Any, Any]) -> LightTriple:
    """Return the light form of a triple of rdflib or light terms."""
    s, p, o = triple
    return (light_term(s), light_term(p), light_term(o))


def to_rdflib_term(term: Any) -> Node:
    """Return the rdflib form of a light term (rdflib terms pass through).

    >>> to_rdflib_term(IRI("http://e/a"))
    rdflib.term.URIRef('http://e/a')
    """
    from rdflib import BNode, Literal, URIRef
    from rdflib.term import Node

    if isinstance(term, Lit):
        if term.lang:
            return Literal(term.lexical, lang=term.lang)
        if term.datatype == XSD_STRING:
            return Literal(term.lexical)
        return Literal(term.lexical, datatype=URIRef(term.datatype))
    if isinstance(term, Blank):
        return BNode(str(term))
    if isinstance(term, Node):
        return term
    if isinstance(term, str):
        return URIRef(term)
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(triple: tuple[Any, Any, Any]) -> tuple[Node, Node, Node]:
    """Return the rdflib form of a triple of light or rdflib terms."""
    s, p, o = triple
    return (to_rdflib_term(s), to_rdflib_term(p), to_rdflib_term(o))
