r"""Finding SERVICE (federated query) in SPARQL text, so that llmgraph can refuse it.

A SPARQL ``SERVICE <url> { … }`` pattern makes the engine that evaluates the query open a
connection to ``url``: Oxigraph (its server and pyoxigraph) and rdflib both do. A query that
reaches llmgraph from someone else (``llmgraph serve``, a web page, a shared notebook) could
therefore make it reach servers on the user's network. llmgraph refuses SERVICE unless the
user opts in (``allow_service=True`` / ``--allow-service``).

:func:`find_service` scans the text the way a SPARQL lexer does: strings (``'…'``, ``"…"``
and their triple-quoted forms), IRIs (``<…>``), comments (``# …``), variables
(``?service``), blank nodes (``_:service``), language tags (``"x"@service``) and prefixed
names (``ex:SERVICE``, ``service:x``) are skipped, and a bare ``SERVICE`` keyword, in any
case, is found. It is deliberately conservative where the engines are lenient:

- Oxigraph's parser matches the keyword as the *start* of a longer word (``SERVICEex:db {}``
  is ``SERVICE ex:db {}``, and ``service:db {}`` is ``SERVICE :db {}``). A name that starts
  with "service" counts as the keyword when it is followed, after at most two IRIs,
  prefixed names, variables or SILENT, by ``{``; ``service:x ?p ?o`` is a triple and does
  not count. (So a ``service…`` name used as the object of a triple directly followed by a
  ``{`` group is reported too, although Oxigraph reads it as a triple.)
- rdflib expands ``\uXXXX`` escapes before parsing (``\u0053ERVICE`` is ``SERVICE``) and
  compares keywords with :meth:`str.upper` (the long s, U+017F, upper-cases to S): the text
  is scanned both as written and with its escapes expanded, and letters are compared the
  same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from llmgraph.errors import QueryError

__all__ = ["find_service", "refuse_service"]

# SPARQL 1.1 grammar terminals [164]-[173] (PN_CHARS_BASE, PN_CHARS_U, PN_CHARS …)
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = _BASE + "_"
_CHARS = _CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"(?:[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?)?"
_LOCAL = rf"(?:(?:[{_CHARS_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?)?"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>[ \t\r\n]+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)',
            r"(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*''')",
            r'(?P<long2>"""(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*""")',
            r"(?P<short1>'(?:[^'\\\r\n]|\\[^\r\n])*')",
            r'(?P<short2>"(?:[^"\\\r\n]|\\[^\r\n])*")',
            rf"(?P<var>[?$][{_CHARS_U}0-9][{_CHARS_U}0-9\u00b7\u0300-\u036f\u203f\u2040]*)",
            r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            rf"(?P<bnode>_:[{_CHARS_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
            r"(?P<number>[0-9]+)",
            rf"(?P<name>{_PREFIX}:{_LOCAL}|[{_BASE}][{_CHARS}]*)",
            r"(?P<other>[\s\S])",
        ]
    )
)
_SKIPPED = {"ws", "comment"}
_TERMS = {"iri", "var", "name"}
_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", flags=re.IGNORECASE)  # as rdflib's


def _tokens(text: str) -> Iterator[tuple[str, int, str]]:
    """Yield ``(kind, offset, token)`` for every significant token of ``text``."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in _SKIPPED:
            yield kind, match.start(), match.group()


def _is_service(word: str) -> bool:
    """Say whether ``word`` starts with the letters of SERVICE, compared as rdflib does."""
    return len(word) >= 7 and all(c.upper() == k for c, k in zip(word, "SERVICE", strict=False))


def _first_service(text: str) -> int | None:
    """Return the offset in ``text`` of the first SERVICE keyword, or ``None``."""
    tokens = list(_tokens(text))
    for i, (kind, offset, token) in enumerate(tokens):
        if kind != "name" or not _is_service(token):
            continue
        if len(token) == 7:  # the bare keyword
            return offset
        if i and tokens[i - 1][2].upper() == "PREFIX":  # PREFIX service: <…>
            continue
        for later, _, after in tokens[i + 1 : i + 4]:  # Oxigraph's "SERVICEex:db {" reading
            if after == "{":
                return offset
            if not _may_follow(later, after):
                break
    return None


def _may_follow(kind: str, token: str) -> bool:
    """Say whether a token may sit between SERVICE and its ``{``: SILENT or an IRI / variable."""
    if kind == "name":
        return ":" in token or token.upper() == "SILENT"
    return kind in _TERMS


def _expanded(text: str) -> tuple[str, list[int]]:
    r"""Return ``text`` with rdflib's ``\u`` escapes expanded, and each character's origin."""
    pieces: list[str] = []
    origins: list[int] = []
    done = 0
    for match in _ESCAPE.finditer(text):
        try:
            char = chr(int(match.group(1), 16))
        except (ValueError, OverflowError):  # rdflib refuses the query: nothing runs
            continue
        pieces.append(text[done : match.start()])
        origins.extend(range(done, match.start()))
        pieces.append(char)
        origins.append(match.start())
        done = match.end()
    pieces.append(text[done:])
    origins.extend(range(done, len(text)))
    return "".join(pieces), origins


def find_service(sparql_text: str) -> tuple[int, int] | None:
    r"""Return the line and column (1-based) of the first SERVICE keyword, or ``None``.

    Strings, IRIs, comments, variables, blank nodes, language tags and prefixed names that
    merely contain the word are ignored; the module docstring lists the conservative cases.

    Args:
        sparql_text: a SPARQL query or update.

    Returns:
        ``(line, column)`` of the keyword, counted in characters, or ``None`` when the text
        uses no SERVICE pattern.

    >>> find_service("SELECT * WHERE {\n  service <http://example.org/sparql> { ?s ?p ?o }\n}")
    (2, 3)
    >>> find_service('SELECT ?service WHERE { ?service ex:SERVICE "SERVICE <x> {}" } # SERVICE')
    >>> find_service("SELECT * { service:x ?p ?o }") is None
    True
    """
    hits: list[int] = []
    first = _first_service(sparql_text)
    if first is not None:
        hits.append(first)
    if _ESCAPE.search(sparql_text):
        expanded, origins = _expanded(sparql_text)
        again = _first_service(expanded)
        if again is not None:
            hits.append(origins[again])
    if not hits:
        return None
    offset = min(hits)
    line = sparql_text.count("\n", 0, offset) + 1
    column = offset - (sparql_text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def refuse_service(sparql_text: str) -> None:
    """Raise :class:`~llmgraph.errors.QueryError` if the text uses SERVICE (federated query).

    Call it before handing a query that may come from someone else to an engine that
    evaluates SERVICE, unless the user allowed federation.

    Args:
        sparql_text: a SPARQL query or update.

    Raises:
        QueryError: the text uses SERVICE; ``line`` and ``column`` say where.

    >>> refuse_service("SELECT * { ?s ?p 'SERVICE' }")
    >>> refuse_service("SELECT * { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    llmgraph.errors.QueryError: SERVICE (federated query) is refused: it would make llmgraph \
connect to other servers; pass allow_service=True / --allow-service to allow it (line 1, column 12)
    """
    found = find_service(sparql_text)
    if found is None:
        return
    line, column = found
    raise QueryError(
        "SERVICE (federated query) is refused: it would make llmgraph connect to other servers; "
        f"pass allow_service=True / --allow-service to allow it (line {line}, column {column})",
        line=line,
        column=column,
    )
