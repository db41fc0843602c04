"""The exceptions llmgraph raises.

Every error is an :class:`LLMGraphError`; each subclass also inherits the built-in that
callers would catch without knowing llmgraph::

    LLMGraphError
    ├── UnknownEntityError(LookupError)     a name that resolves to nothing
    ├── AmbiguousNameError(LookupError)     a name that resolves to several entities
    ├── WrongKindError(LookupError)         a name of another kind than the question needs
    ├── NoPathError(LookupError)            two entities with no lineage path between them
    ├── DataLoadError(ValueError)           unreadable or malformed input (file, line)
    │   └── InvalidFactError                a fact that breaks a rule of the vocabulary
    ├── LineageCycleError(ValueError)       a derivation that would close a cycle
    ├── UsageError(ValueError)              an argument that is not valid (relation, depth …)
    ├── QueryError(ValueError)              a SPARQL query that does not parse or run
    └── RenderError(RuntimeError)           Graphviz missing or failing

An operation that raises leaves the graph exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "AmbiguousNameError",
    "DataLoadError",
    "InvalidFactError",
    "LLMGraphError",
    "LineageCycleError",
    "NoPathError",
    "QueryError",
    "RenderError",
    "UnknownEntityError",
    "UsageError",
    "WrongKindError",
]


class LLMGraphError(Exception):
    """Base class of every error llmgraph raises.

    >>> [issubclass(UnknownEntityError, c) for c in (LLMGraphError, LookupError)]
    [True, True]
    """


class UnknownEntityError(LLMGraphError, LookupError):
    """A name matched no model, family, organization, platform or licence.

    Attributes:
        name: the name that was looked up.
        suggestions: the closest known names, best first.

    >>> str(UnknownEntityError("Vicunna", ["Vicuna 13B v1.5"], kind="model"))
    "unknown model 'Vicunna'; did you mean 'Vicuna 13B v1.5'?"
    """

    def __init__(self, name: str, suggestions: Sequence[str] = (), *, kind: str = "entity"):
        self.name = name
        self.suggestions = tuple(suggestions)
        message = f"unknown {kind} {name!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(message)


class AmbiguousNameError(LLMGraphError, LookupError):
    """A name matched several entities; pass an IRI or a more specific name.

    Attributes:
        name: the name that was looked up.
        candidates: the IRIs it matched, sorted.

    >>> AmbiguousNameError("x", ["http://e/b", "http://e/a"]).candidates
    ('http://e/a', 'http://e/b')
    """

    def __init__(self, name: str, candidates: Sequence[str]):
        self.name = name
        self.candidates = tuple(sorted(candidates))
        super().__init__(
            f"ambiguous name {name!r} matches {len(self.candidates)} entities: "
            + ", ".join(f"<{c}>" for c in self.candidates)
            + "; pass one of these IRIs instead"
        )


class WrongKindError(LLMGraphError, LookupError):
    """A name resolved to an entity of another kind than the question is about.

    Attributes:
        name: the name that was looked up.
        found: the kind of entity it names (``"organization"`` …).
        expected: what the question needs (``"model or family"`` …).
        hint: what to ask instead.

    >>> str(WrongKindError("Meta", "organization", "model or family", "try `portfolio Meta`"))
    "'Meta' is an organization, not a model or family: try `portfolio Meta`"
    """

    def __init__(self, name: str, found: str, expected: str, hint: str = ""):
        self.name = name
        self.found = found
        self.expected = expected
        self.hint = hint
        message = f"{name!r} is {_article(found)} {found}, not {_article(expected)} {expected}"
        super().__init__(message + (f": {hint}" if hint else ""))


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


class NoPathError(LLMGraphError, LookupError):
    """Two entities are not connected through the requested relations.

    >>> isinstance(NoPathError("no lineage path"), LookupError)
    True
    """


class DataLoadError(LLMGraphError, ValueError):
    """Input could not be read or parsed.

    Attributes:
        path: the file, or ``None`` for in-memory input.
        line: the 1-based line of the problem, when known.

    >>> str(DataLoadError("invalid Turtle: bad token", path="data/x.ttl", line=12))
    'data/x.ttl:12: invalid Turtle: bad token'
    """

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.path = None if path is None else Path(path)
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(where + message)


class InvalidFactError(DataLoadError):
    """A well-formed triple that breaks a rule of the vocabulary.

    For example a literal where an entity is expected, or a date that is not an ``xsd:date``.

    >>> issubclass(InvalidFactError, DataLoadError)
    True
    """


class LineageCycleError(LLMGraphError, ValueError):
    """Adding the facts would make weight lineage cyclic.

    Attributes:
        cycle: the entities of the cycle, first repeated at the end (``a → b → a``).

    >>> str(LineageCycleError(["a", "b", "a"]))
    'derivation cycle: a → b → a'
    """

    def __init__(self, cycle: Sequence[str], labels: Sequence[str] | None = None):
        self.cycle = tuple(cycle)
        shown = list(labels) if labels is not None else list(self.cycle)
        super().__init__("derivation cycle: " + " → ".join(shown))


class UsageError(LLMGraphError, ValueError):
    """An argument is not valid: an unknown relation name, a negative depth, a bad option.

    >>> isinstance(UsageError("depth must be 0 or more, got -1"), ValueError)
    True
    """


class QueryError(LLMGraphError, ValueError):
    """A SPARQL query failed to parse or to evaluate.

    Attributes:
        line: 1-based line of a syntax error, when known.
        column: 1-based column of a syntax error, when known.

    >>> QueryError("SPARQL syntax error at line 2, column 5", line=2, column=5).line
    2
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        self.line = line
        self.column = column
        super().__init__(message)


class RenderError(LLMGraphError, RuntimeError):
    """Graphviz is missing or failed, or the selection to draw is empty.

    >>> isinstance(RenderError("nothing to draw"), RuntimeError)
    True
    """
