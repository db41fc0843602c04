"""Reading RDF into llmgraph: bundled files, located Turtle errors, materialization.

``llm:derivedFrom`` and ``llm:backs`` are materialized here for their sub-relations.

The functions here build new :class:`rdflib.Graph` objects and never touch a loaded
:class:`~llmgraph.LineageGraph`; its write path (``LineageGraph.add``) uses them.

Files are untrusted input. Besides syntax, reading refuses what would break later: a lone
surrogate (text that cannot be written back as UTF-8), an ill-typed literal such as
``"yesterday"^^xsd:date``, an IRI with a character IRIs may not hold (a space, ``<``, ``"`` …),
and JSON-LD nested deeper than :data:`llmgraph.limits.MAX_DEPTH` or pointing to a remote
``@context`` (which would be fetched from the network). Each is a
:class:`~llmgraph.errors.DataLoadError` naming the file and, where known, the line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, get_args

from rdflib import XSD, Graph
from rdflib import Literal as RDFLiteral
from rdflib.term import Node, URIRef

from llmgraph.backends.memory import new_graph
from llmgraph.bundle import (
    bundled_colours_file,
    bundled_data_files,
    bundled_ontology_file,
    bundled_shapes_file,
)
from llmgraph.errors import DataLoadError, UsageError
from llmgraph.limits import (
    check_unicode,
    escaped_surrogate,
    has_surrogate,
    line_of,
    load_json,
    shown,
)

__all__ = [
    "RDF_FORMATS",
    "RDFFormat",
    "Triple",
    "bundled_colours_file",
    "bundled_data_files",
    "bundled_ontology_file",
    "bundled_shapes_file",
    "new_graph",
    "parse_file",
    "parse_text",
]

Triple = tuple[Node, Node, Node]

RDFFormat = Literal["turtle", "nt", "json-ld"]
"""The formats :func:`parse_text` reads: Turtle, N-Triples and JSON-LD."""

RDF_FORMATS: tuple[str, ...] = get_args(RDFFormat)


_LINE = re.compile(r"\bline (\d+)\b")
_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD"}
_SUFFIXES: dict[str, RDFFormat] = {".jsonld": "json-ld", ".json": "json-ld"}
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')  # what Turtle's IRIREF may not hold
_TERM_LOG = logging.getLogger("rdflib.term")


def parse_file(path: Path | str) -> Graph:
    """Parse one RDF file into a new graph: Turtle (N-Triples included) or JSON-LD.

    ``.jsonld`` and ``.json`` files are JSON-LD; anything else is read as Turtle, which
    N-Triples is a subset of (and Turtle's parser names the line of an error).

    Args:
        path: the file.

    Returns:
        A new graph holding the file's triples.

    Raises:
        DataLoadError: the file is missing or unreadable, is not UTF-8 (the line of the first
            bad byte is given), or is not valid in its format; the message names the file and,
            for syntax errors, the line (see :func:`parse_text`).

    >>> len(parse_file(bundled_ontology_file())) > 100
    True
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except IsADirectoryError:
        raise DataLoadError("is a directory, expected a Turtle file", path=path) from None
    except OSError as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataLoadError(
            f"cannot read: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}, "
            f"at offset {exc.start})",
            path=path,
        ) from exc
    fmt = _SUFFIXES.get(path.suffix.casefold(), "turtle")
    return parse_text(text, path=path, base=path.resolve().as_uri(), format=fmt)


def parse_text(
    text: str,
    *,
    path: Path | str | None = None,
    base: str | None = None,
    format: RDFFormat = "turtle",
) -> Graph:
    r"""Parse RDF text (Turtle by default) into a new graph.

    Args:
        text: the document.
        path: where the text came from, for error messages.
        base: the base IRI for relative IRIs.
        format: ``"turtle"``, ``"nt"`` (N-Triples) or ``"json-ld"``.

    Returns:
        A new graph holding the document's triples.

    Raises:
        DataLoadError: the text is not valid in its format (the message gives the line where
            known), holds a lone surrogate, an ill-typed literal (``"yesterday"^^xsd:date``)
            or an IRI with a character IRIs may not hold; JSON-LD nests deeper than
            :data:`llmgraph.limits.MAX_DEPTH` or names a remote ``@context``, which is never
            fetched.
        UsageError: ``format`` is not one of :data:`RDF_FORMATS`.

    >>> len(parse_text('<http://e/a> <http://e/p> "x" .'))
    1
    >>> parse_text('<http://e/a> <http://e/p> .', path="x.ttl")
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: x.ttl:1: invalid Turtle: ...
    >>> ttl = '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/a> <http://e/d> '
    >>> parse_text(ttl + '"yesterday"^^xsd:date .', path="x.ttl")
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: x.ttl:2: invalid Turtle: 'yesterday' is not a valid xsd:date ...
    >>> len(parse_text('{"@id": "http://e/a", "http://e/p": "x"}', format="json-ld"))
    1
    """
    if format not in _NAMES:
        raise UsageError(f"unknown RDF format {format!r}; expected one of {', '.join(_NAMES)}")
    what = _NAMES[format]
    check_unicode(text, path=path, what=what)
    if format == "json-ld":
        data = load_json(text, path=path, what="JSON-LD")
        if not isinstance(data, (dict, list)):
            raise DataLoadError(
                f"invalid JSON-LD: expected an object or an array, got {shown(data)}", path=path
            )
        _check_contexts(data, path)
    graph = new_graph()
    with _quiet_term_warnings() as bad_iris:
        try:
            graph.parse(data=text, format=format, publicID=base)
        except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
            line = _line_of(exc)
            raise DataLoadError(f"invalid {what}: {_reason(exc)}", path=path, line=line) from exc
        except RecursionError as exc:
            raise DataLoadError(
                f"invalid {what}: nested too deeply to parse (blank nodes or lists within "
                "each other)",
                path=path,
            ) from exc
        except Exception as exc:  # rdflib raises assorted errors for bad IRIs and literals
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise DataLoadError(f"invalid {what}: {reason}", path=path, line=_line_of(exc)) from exc
    if bad_iris:  # rdflib's JSON-LD parser drops what it cannot make an IRI of, and warns
        raise DataLoadError(
            f"invalid {what}: IRI {shown(bad_iris[0])} holds a character IRIs may not hold",
            path=path,
            line=_line_in(text, bad_iris[0]),
        )
    _check_terms(graph, text, path, what)
    return graph


@contextmanager
def _quiet_term_warnings() -> Iterator[list[str]]:
    """Turn rdflib's logged warnings about terms into a list of bad IRIs, and silence them.

    rdflib logs a traceback for each ill-typed literal (refused after parsing) and a warning
    for each IRI it cannot serialize (refused: the list collects them).
    """
    bad_iris: list[str] = []

    def keep(record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Failed to convert Literal lexical form"):
            return False
        tail = " does not look like a valid URI, trying to serialize this will break."
        if message.endswith(tail):
            bad_iris.append(message[: -len(tail)])
            return False
        return True

    _TERM_LOG.addFilter(keep)
    try:
        yield bad_iris
    finally:
        _TERM_LOG.removeFilter(keep)


def _check_contexts(data: Any, path: Path | str | None) -> None:
    """Refuse JSON-LD whose ``@context`` (or ``@import``) names a document to fetch."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for key in ("@context", "@import"):
                refs = value.get(key)
                for ref in refs if isinstance(refs, list) else [refs]:
                    if isinstance(ref, str):
                        raise DataLoadError(
                            f"invalid JSON-LD: {key} {shown(ref)} names a document to fetch; "
                            "llmgraph reads no network or other file while parsing: put the "
                            "context in the file",
                            path=path,
                        )
            stack.extend(value.values())


def _check_terms(graph: Graph, text: str, path: Path | str | None, what: str) -> None:
    """Refuse ill-typed literals, IRIs that cannot be written, and decoded surrogates."""
    escaped = escaped_surrogate(text) is not None
    for triple in graph:
        for term in triple:
            if isinstance(term, RDFLiteral) and term.ill_typed:
                raise DataLoadError(
                    f"invalid {what}: {shown(str(term))} is not a valid "
                    f"{_datatype(term.datatype)} (an ill-typed literal)",
                    path=path,
                    line=_line_in(text, str(term)),
                )
            if isinstance(term, URIRef) and _BAD_IRI.search(term):
                raise DataLoadError(
                    f"invalid {what}: IRI {shown(str(term))} holds "
                    f"{shown(_BAD_IRI.findall(term)[0])}, which IRIs may not hold",
                    path=path,
                    line=_line_in(text, str(term)),
                )
            if escaped and has_surrogate(str(term)):
                offset = escaped_surrogate(text) or 0
                raise DataLoadError(
                    f"invalid {what}: an escape decodes to a lone surrogate (not Unicode text)",
                    path=path,
                    line=line_of(text, offset),
                )


def _datatype(datatype: Any) -> str:
    text = str(datatype)
    return "xsd:" + text[len(str(XSD)) :] if text.startswith(str(XSD)) else f"<{text}>"


def _line_in(text: str, needle: str) -> int | None:
    at = text.find(needle) if needle else -1
    return line_of(text, at) if at >= 0 else None


def _line_of(exc: BaseException) -> int | None:
    lines = getattr(exc, "lines", None)
    if isinstance(lines, int):
        return lines + 1  # rdflib counts lines from 0
    match = _LINE.search(str(exc))
    return int(match.group(1)) if match else None


def _reason(exc: SyntaxError) -> str:
    why = getattr(exc, "_why", None)
    text = str(why) if why else str(exc)
    return " ".join(text.split())
