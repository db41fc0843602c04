"""Finding ``SERVICE`` (federated queries) in SPARQL text, so that it can be refused.

>>> find_service("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
(1, 12)
>>> find_service('SELECT * { ?s ?p "SERVICE" }') is None
True
"""

from __future__ import annotations

import re

from llmgraph.errors import QueryError

__all__ = ["find_service", "refuse_service"]

_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|'
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|"
    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*|[?$][\w]+|[\w.-]*:[\w.:%-]*|(?P<word>[A-Za-z_]\w*)",
    re.DOTALL,
)


def find_service(text: str) -> tuple[int, int] | None:
    """Return the (line, column) of a ``SERVICE`` keyword in ``text``, or ``None``.

    Strings, IRIs, comments, variables and prefixed names are skipped.
    """
    for match in _TOKENS.finditer(text):
        word = match.group("word")
        if word is not None and word.upper() == "SERVICE":
            start = match.start()
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            return line, column
    return None


def refuse_service(text: str) -> None:
    """Raise :class:`~llmgraph.errors.QueryError` if ``text`` uses ``SERVICE``.

    >>> try:
    ...     refuse_service("ASK { SERVICE <http://127.0.0.1:9/> { } }")
    ... except QueryError as exc:
    ...     print(str(exc)[:56])
    SERVICE (federated query) at line 1, column 7 is refused
    """
    found = find_service(text)
    if found is not None:
        line, column = found
        raise QueryError(
            f"SERVICE (federated query) at line {line}, column {column} is refused: it would "
            "make llmgraph connect to other servers; pass allow_service=True "
            "(--allow-service) to allow it",
            line=line,
            column=column,
        )
