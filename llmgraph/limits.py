r"""Bounds on untrusted input: how large, deep and wide a record llmgraph agrees to read.

Every reader of third-party input (Turtle, JSON-LD, model cards, Hub records, Epoch AI and
Wikidata files) goes through the helpers here, so that hostile input — a YAML
"billion laughs" card, JSON nested 100,000 deep, a line of gigabytes, a card listing
thousands of base models — is refused at once with a :class:`~llmgraph.errors.DataLoadError`
that names the limit, instead of running for minutes or out of memory. Real inputs stay far
below every limit: each constant says how far.

=============================  ===========  ==================================================
constant                       value        what it bounds
=============================  ===========  ==================================================
:data:`MAX_LINE_CHARS`         16 MiB       one line of JSON lines, one CSV field
:data:`MAX_DEPTH`              64           nesting of JSON arrays / objects, YAML collections
:data:`MAX_FRONT_MATTER_CHARS` 1 MiB        the YAML front matter of one model card
:data:`MAX_YAML_NODES`         100,000      YAML nodes of one card, aliases expanded
:data:`MAX_LINKS`              256          models or organizations one record links to
                                            through one field (base models, developers …)
=============================  ===========  ==================================================

>>> load_json('{"a": [1, 2]}')
{'a': [1, 2]}
>>> load_json("[" * 100_000, path="deep.json")
Traceback (most recent call last):
...
llmgraph.errors.DataLoadError: deep.json: JSON nested deeper than 64 levels (limit ...MAX_DEPTH)
"""

from __future__ import annotations

import csv
import functools
import json
import re
import reprlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from yaml.constructor import SafeConstructor  # type: ignore[import-untyped]

from llmgraph.errors import DataLoadError

__all__ = [
    "MAX_DEPTH",
    "MAX_FRONT_MATTER_CHARS",
    "MAX_LINE_CHARS",
    "MAX_LINKS",
    "MAX_YAML_NODES",
    "check_links",
    "check_unicode",
    "csv_error",
    "csv_field_limit",
    "escaped_surrogate",
    "has_surrogate",
    "line_of",
    "load_json",
    "load_yaml",
    "shown",
]

MAX_LINE_CHARS = 16 * 1024 * 1024
"""Longest line of a JSON-lines file, and longest CSV field, in characters (16 MiB).

A Hub ``ModelInfo`` record with its card data and file list takes a few kilobytes, rarely
100 KB; the longest cell of Epoch AI's table is under 10 KB."""

MAX_DEPTH = 64
"""Deepest nesting of JSON arrays and objects, and of YAML sequences and mappings.

Hub records, Wikidata entity JSON, SPARQL results and JSON-LD exports nest under 12 levels;
64 stays far below Python's recursion limit, so nothing downstream can overflow the stack."""

MAX_FRONT_MATTER_CHARS = 1024 * 1024
"""Largest YAML front matter of a model card, in characters (1 MiB).

Real front matter takes a few kilobytes; the largest seen (evaluation results of hundreds of
benchmarks in ``model-index``) take a few hundred. Only this much of a card is read."""

MAX_YAML_NODES = 100_000
"""Most YAML nodes in one card's front matter, counting every alias as the nodes it repeats.

This refuses "billion laughs" documents (nine aliases of nine aliases … expanding to
billions of nodes) while they are still a few hundred bytes; real cards have a few thousand
nodes at most."""

MAX_LINKS = 256
"""Most models (or organizations) one record may link to through one field.

The field is a card's ``base_model`` or ``new_version``, a Hub record's ``base_model:`` tags,
an Epoch row's ``Base model`` or ``Organization``, a Wikidata item's P144, P178, P127 or
P1951/P8324. Merges list a handful of models, rarely a few dozen; a record over the limit is
skipped, and the reason names it."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F]", re.I)
_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


def shown(value: Any) -> str:
    """Return a short ``repr`` of ``value`` for a message, however large or deep it is.

    >>> shown("a/b")
    "'a/b'"
    >>> shown([[[[[1]]]]])
    '[[[[...]]]]'
    >>> len(shown("x" * 10_000)) < 70
    True
    """
    return _REPR.repr(value)


def line_of(text: str, offset: int) -> int:
    r"""Return the 1-based line of the character at ``offset`` in ``text``.

    >>> line_of("a\nb\nc", 4)
    3
    """
    return text.count("\n", 0, max(0, offset)) + 1


def check_unicode(text: str, *, path: Path | str | None = None, what: str = "text") -> None:
    r"""Refuse text that holds a lone surrogate (a code point that is not Unicode text).

    Such text cannot be written as UTF-8 (Turtle, JSON, a terminal), so it is refused where it
    is read, with its line.

    Raises:
        DataLoadError: ``text`` holds a surrogate code point; the message gives its line.

    >>> check_unicode("fine ☃")
    >>> check_unicode("a\n\ud800", path="x.ttl", what="Turtle")
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: x.ttl:2: invalid Turtle: lone surrogate '\ud800' (not ...)
    """
    found = _SURROGATE.search(text)
    if found is not None:
        raise DataLoadError(
            f"invalid {what}: lone surrogate {found.group()!r} (not Unicode text)",
            path=path,
            line=line_of(text, found.start()),
        )


def escaped_surrogate(text: str) -> int | None:
    r"""Return the offset of the first ``\uD800``-style escape in ``text``, or ``None``.

    JSON, Turtle and YAML decode such escapes into surrogates (a valid pair into one
    character); where none appears, decoded strings need no second look.

    >>> escaped_surrogate(r'"\ud83d\ude00"'), escaped_surrogate('"plain"')
    (1, None)
    """
    found = _ESCAPED_SURROGATE.search(text)
    return None if found is None else found.start()


def has_surrogate(text: str) -> bool:
    r"""Return whether ``text`` holds a surrogate code point.

    >>> has_surrogate("\udc00"), has_surrogate("😀")
    (True, False)
    """
    return _SURROGATE.search(text) is not None


def load_json(
    text: str, *, path: Path | str | None = None, line: int | None = None, what: str = "JSON"
) -> Any:
    r"""Parse JSON text, refusing nesting deeper than :data:`MAX_DEPTH` and lone surrogates.

    Args:
        text: the JSON document (or one line of JSON lines).
        path: the file it comes from, for the error.
        line: the line of ``text`` in that file (JSON lines), for the error.
        what: the name of the format in messages (``"JSON-LD"``).

    Returns:
        The parsed value.

    Raises:
        DataLoadError: the text is not JSON (the line of the error is given), nests deeper than
            :data:`MAX_DEPTH`, holds an integer of more than 4,300 digits, or a string with a
            lone surrogate (``"\ud800"``).

    >>> load_json('{"id": "a/b", "tags": []}')
    {'id': 'a/b', 'tags': []}
    >>> load_json('{"id": "\\ud800"}', path="r.jsonl", line=3)
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: r.jsonl:3: invalid JSON: lone surrogate '\ud800' in a string ...
    """
    check_unicode(text, path=path, what=what)
    deep = f"{what} nested deeper than {MAX_DEPTH} levels (limit llmgraph.limits.MAX_DEPTH)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        at = exc.lineno + (line - 1 if line is not None else 0)
        raise DataLoadError(f"invalid {what}: {exc.msg}", path=path, line=at) from exc
    except RecursionError as exc:
        raise DataLoadError(deep, path=path, line=line) from exc
    except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
        raise DataLoadError(f"invalid {what}: {exc}", path=path, line=line) from exc
    strings = escaped_surrogate(text) is not None
    if strings or text.count("[") + text.count("{") > MAX_DEPTH:
        problem = _json_problem(data, strings=strings)
        if problem == "depth":
            raise DataLoadError(deep, path=path, line=line)
        if problem is not None:
            raise DataLoadError(
                f"invalid {what}: lone surrogate {problem!r} in a string (not Unicode text)",
                path=path,
                line=line,
            )
    return data


def _json_problem(data: Any, *, strings: bool) -> str | None:
    """Walk parsed JSON without recursion: ``"depth"``, a lone surrogate found, or ``None``."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
            if strings:
                for key in value:
                    if has_surrogate(key):
                        return str(_SURROGATE.findall(key)[0])
        elif isinstance(value, list):
            children = value
        else:
            if strings and isinstance(value, str) and has_surrogate(value):
                return str(_SURROGATE.findall(value)[0])
            continue
        if depth > MAX_DEPTH:
            return "depth"
        for child in children:
            if isinstance(child, (dict, list)) or (strings and isinstance(child, str)):
                stack.append((child, depth + 1))
    return None


@contextmanager
def csv_field_limit() -> Iterator[int]:
    """Read CSV with fields of up to :data:`MAX_LINE_CHARS`, restoring the previous limit after.

    The ``csv`` module's limit is process-wide; it is changed only inside the ``with``.

    >>> import csv
    >>> before = csv.field_size_limit()
    >>> with csv_field_limit() as limit:
    ...     limit == csv.field_size_limit() == MAX_LINE_CHARS
    True
    >>> csv.field_size_limit() == before
    True
    """
    before = csv.field_size_limit(MAX_LINE_CHARS)
    try:
        yield MAX_LINE_CHARS
    finally:
        csv.field_size_limit(before)


def csv_error(exc: csv.Error) -> str:
    """Return the message for a ``csv.Error``, naming :data:`MAX_LINE_CHARS` when it was hit.

    >>> csv_error(csv.Error("field larger than field limit (16777216)"))
    'invalid CSV: a field is longer than 16,777,216 characters (limit ...MAX_LINE_CHARS)'
    """
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"invalid CSV: a field is longer than {MAX_LINE_CHARS:,} characters "
            "(limit llmgraph.limits.MAX_LINE_CHARS)"
        )
    return f"invalid CSV: {text}"


def check_links(count: int, what: str) -> None:
    """Refuse a record that links to more than :data:`MAX_LINKS` entities through one field.

    Args:
        count: how many distinct entities the field names.
        what: the field, for the message (``"base models"``).

    Raises:
        DataLoadError: ``count`` is over the limit; the message names ``what`` and the limit.

    >>> check_links(2, "base models")
    >>> check_links(5000, "base models")
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: 5000 base models, more than 256 (limit llmgraph.limits.MAX_LINKS)
    """
    if count > MAX_LINKS:
        raise DataLoadError(
            f"{count} {what}, more than {MAX_LINKS} (limit llmgraph.limits.MAX_LINKS)"
        )


# ---------------------------------------------------------------------- YAML


def load_yaml(text: str, *, first_line: int = 1) -> Any:
    r"""Parse one YAML document safely, refusing what would expand past the limits.

    The document is composed (by libyaml when it is installed), then its node graph is
    checked before any Python object is built: at most :data:`MAX_YAML_NODES` nodes with every
    alias counted as the nodes it repeats, at most :data:`MAX_DEPTH` levels, no alias inside
    the node it refers to, no lone surrogate. Only YAML's safe types are built; a sexagesimal
    number of more than three parts (``1:2:3:4``, whose value costs quadratic time) stays a
    string.

    Args:
        text: the YAML document.
        first_line: the line of ``text``'s first line in its file, for errors.

    Returns:
        The document's value (``None`` for an empty document).

    Raises:
        DataLoadError: a limit was hit (the message names it; ``line`` is set where known), the
            text holds a lone surrogate, is not YAML, or a value cannot be built (the cause is
            chained).

    >>> load_yaml("base_model: a/b")
    {'base_model': 'a/b'}
    >>> laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    ...     f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    >>> load_yaml(laughs)
    Traceback (most recent call last):
    ...
    llmgraph.errors.DataLoadError: YAML aliases expand to more than 100,000 nodes (limit ...)
    """
    check_unicode(text, what="YAML")  # libyaml takes UTF-8: it cannot even be handed one
    _count_events(text, first_line)
    loader = _loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            if "maximum nesting depth" in str(exc):  # libyaml stops at 1,000 levels itself
                raise DataLoadError(_DEEP_YAML, line=_line(exc, first_line)) from exc
            raise DataLoadError(" ".join(str(exc).split())) from exc
        except Exception as exc:  # libyaml's binding: anything but a YAMLError is a bug there
            raise DataLoadError(f"cannot parse YAML: {type(exc).__name__}: {exc}") from exc
        if node is None:
            return None
        _check_nodes(node, first_line)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise DataLoadError(" ".join(str(exc).split())) from exc
        except Exception as exc:  # PyYAML's constructors raise assorted errors: digits, dates …
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise DataLoadError(f"cannot build a YAML value: {reason}") from exc
    finally:
        loader.dispose()


_DEEP_YAML = f"YAML nested deeper than {MAX_DEPTH} levels (limit llmgraph.limits.MAX_DEPTH)"


def _line(exc: Any, first_line: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "start_mark", None)
    return first_line + mark.line if mark is not None else None


@functools.cache
def _loader_class() -> Any:
    """Return the safe YAML loader (libyaml's when installed) with bounded number builders."""
    base: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    def construct_int(loader: Any, node: Any) -> Any:
        if str(node.value).count(":") > 2:
            return loader.construct_scalar(node)
        return SafeConstructor.construct_yaml_int(loader, node)

    def construct_float(loader: Any, node: Any) -> Any:
        if str(node.value).count(":") > 2:
            return loader.construct_scalar(node)
        return SafeConstructor.construct_yaml_float(loader, node)

    loader: Any = type("BoundedSafeLoader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    return loader


def _count_events(text: str, first_line: int) -> None:
    """Stream the parser's events and stop at the first one past the node or depth limit.

    This bounds the nodes composed afterwards (each event becomes at most one node), so a
    front matter of a million tiny scalars is refused after 100,000 events, not composed.
    Errors in the text are left to the composer, which reports them.
    """
    loader = _loader_class()(text)
    nodes = depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise DataLoadError(_DEEP_YAML, line=_line(event, first_line))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
                continue
            elif not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                continue
            nodes += 1
            if nodes > MAX_YAML_NODES:
                raise DataLoadError(
                    f"YAML with more than {MAX_YAML_NODES:,} nodes "
                    "(limit llmgraph.limits.MAX_YAML_NODES)",
                    line=_line(event, first_line),
                )
    except yaml.YAMLError:
        return  # composing the text again reports the error with its context
    finally:
        loader.dispose()


def _check_nodes(root: Any, first_line: int) -> None:
    """Check a composed YAML node graph against the limits, depth first, without recursion.

    A node shared through aliases is sized once and counted at every place it appears, so
    the walk is linear in the distinct nodes whatever the expansion.
    """
    sizes: dict[int, int] = {}  # id(node) → nodes it expands to, once finished
    path: set[int] = set()  # the nodes open above the current one
    stack: list[tuple[Any, bool]] = [(root, False)]

    def failure(message: str, node: Any) -> DataLoadError:
        return DataLoadError(message, line=_line(node, first_line))

    while stack:
        node, finished = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            value = str(node.value)
            if has_surrogate(value):
                found = _SURROGATE.findall(value)[0]
                raise failure(f"lone surrogate {found!r} in a YAML string (not Unicode text)", node)
            sizes[key] = 1
            continue
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            children = list(node.value)
        if finished:
            path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_YAML_NODES:
                raise failure(
                    f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes "
                    "(limit llmgraph.limits.MAX_YAML_NODES)",
                    node,
                )
            continue
        if key in sizes:
            continue
        if len(path) >= MAX_DEPTH:
            raise failure(_DEEP_YAML, node)
        path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in path:
                raise failure("a YAML alias refers to a node that contains it (a cycle)", child)
            if id(child) not in sizes:
                stack.append((child, False))
