"""Reading RDF into llmgraph: bundled files, located Turtle errors, materialization.

``llm:derivedFrom`` and ``llm:backs`` are materialized here for their sub-relations.

The functions here build new :class:`rdflib.Graph` objects and never touch a loaded
:class:`~llmgraph.LineageGraph`; its write path (``LineageGraph.add``) uses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from llmgraph.backends.memory import new_graph
from llmgraph.errors import DataLoadError
from llmgraph.vocab import BACKING, LLM, WEIGHT_LINEAGE

__all__ = [
    "Triple",
    "bundled_data_files",
    "bundled_ontology_file",
    "bundled_shapes_file",
    "materialized",
    "new_graph",
    "parse_file",
    "parse_text",
]

Triple = tuple[Node, Node, Node]

def _bundled_root() -> Path:
    """Return where the ontology and the data are.

    Inside the installed package (a wheel carries them as ``llmgraph/_bundled/``), or the
    checkout's own ``ontology/`` and ``data/`` folders.
    """
    package = Path(__file__).resolve().parent
    inside = package / "_bundled"
    if (inside / "ontology" / "llmgraph.ttl").is_file():
        return inside
    return package.parent


_BUNDLED = _bundled_root()
_LINE = re.compile(r"\bline (\d+)\b")


def bundled_ontology_file() -> Path:
    """Return the path of the bundled ontology, ``ontology/llmgraph.ttl``.

    >>> bundled_ontology_file().name
    'llmgraph.ttl'
    """
    return _BUNDLED / "ontology" / "llmgraph.ttl"


def bundled_shapes_file() -> Path:
    """Return the path of the bundled SHACL shapes, ``ontology/shapes.ttl``.

    >>> bundled_shapes_file().name
    'shapes.ttl'
    """
    return _BUNDLED / "ontology" / "shapes.ttl"


def bundled_data_files() -> list[Path]:
    """Return the bundled data files (``data/*.ttl``), sorted by name.

    >>> all(p.suffix == ".ttl" for p in bundled_data_files())
    True
    """
    return sorted((_BUNDLED / "data").glob("*.ttl"))


def parse_file(path: Path | str) -> Graph:
    """Parse one Turtle file into a new graph.

    Args:
        path: a ``.ttl`` file (N-Triples also parses, being a subset of Turtle).

    Returns:
        A new graph holding the file's triples.

    Raises:
        DataLoadError: the file is missing or unreadable, or is not valid Turtle; the message
            names the file and, for syntax errors, the line.

    >>> len(parse_file(bundled_ontology_file())) > 100
    True
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except IsADirectoryError:
        raise DataLoadError("is a directory, expected a Turtle file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc
    return parse_text(text, path=path, base=path.resolve().as_uri())


def parse_text(text: str, *, path: Path | str | None = None, base: str | None = None) -> Graph:
    """Parse Turtle text into a new graph.

    Args:
        text: the Turtle document.
        path: where the text came from, for error messages.
        base: the base IRI for relative IRIs.

    Returns:
        A new graph holding the document's triples.

    Raises:
        DataLoadError: the text is not valid Turtle; the message gives the line.

    >>> len(parse_text('<http://e/a> <http://e/p> "x" .'))
    1
    >>> parse_text('<http://e/a> <http://e/p> .', path="x.ttl")
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: x.ttl:1: invalid Turtle: ...
    """
    graph = new_graph()
    try:
        graph.parse(data=text, format="turtle", publicID=base)
    except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
        line = _line_of(exc)
        raise DataLoadError(f"invalid Turtle: {_reason(exc)}", path=path, line=line) from exc
    except Exception as exc:  # rdflib raises assorted errors for bad IRIs and literals
        raise DataLoadError(f"invalid Turtle: {exc}", path=path, line=_line_of(exc)) from exc
    return graph


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


def materialized(triples: Iterable[Triple]) -> Iterator[Triple]:
    """Yield the ``llm:derivedFrom`` and ``llm:backs`` triples entailed by ``triples``.

    Every weight-lineage sub-relation entails ``llm:derivedFrom`` on the same pair, and
    ``llm:investsIn`` / ``llm:owns`` entail ``llm:backs``.

    >>> from llmgraph.vocab import LLMID
    >>> [p.fragment for _, p, _ in materialized([(LLMID.a, LLM.adapterOf, LLMID.b)])]
    ['derivedFrom']
    """
    for s, p, o in triples:
        if p in WEIGHT_LINEAGE:
            yield (s, LLM.derivedFrom, o)
        elif p in BACKING:
            yield (s, LLM.backs, o)
