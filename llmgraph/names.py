"""Name resolution, written once for every backend: labels, aliases, Hub ids, slugs and IRIs.

A name resolves in this order, stopping at the first step that finds anything:

1. an IRI (or a prefixed name such as ``llmid:llama-2-7b``) that the graph mentions;
2. an exact name, ignoring case: a label, an alias (``skos:altLabel``), a Hugging Face id, or
   the slug of a curated IRI (``llama-2-7b``);
3. a loose name (:func:`normalize`: case, spaces and punctuation dropped, a dot between
   digits kept, so "OPT-1.3B" never becomes "OPT-13B").

Among the entities found, those of the kind the question needs are kept (a lineage question
takes a model or a family, ``backers`` an organization …). Between kinds, **a model wins over
a family of the same name** (the answer then says the family exists and how to ask about
it), then organizations, platforms and licences. Several entities of the winning kind make
the name ambiguous. A name that only names something of another kind is an error that says
what it is and what to ask instead; an unknown name gets "did you mean" from every backend
(fuzzy matching over every name, at Hub scale too).

>>> from llmgraph import LineageGraph
>>> lg = LineageGraph.load()
>>> lg.resolve("meta-llama/Llama-2-7b-hf")
IRI('https://w3id.org/llmgraph/id/llama-2-7b')
>>> try:
...     lg.descendants("Meta")
... except WrongKindError as exc:
...     print(str(exc)[:72])
'Meta' is an organization, not a model or family: try `portfolio 'Meta'`
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from llmgraph.engine import normalize
from llmgraph.errors import AmbiguousNameError, UnknownEntityError, WrongKindError
from llmgraph.terms import (
    CLASS_BITS,
    FAMILY,
    IRI,
    KINDS,
    LICENSE,
    MODEL,
    NAMESPACES,
    ORGANIZATION,
    PLATFORM,
    kind_of_bits,
)

if TYPE_CHECKING:
    from llmgraph.engine import LineageIndex

__all__ = [
    "EXPECTATIONS",
    "EngineNames",
    "Expect",
    "NameSource",
    "Resolved",
    "normalize",
    "resolve",
]

Expect = Literal["entity", "model or family", "model", "family", "organization", "platform"]
"""What a question needs a name to be."""

EXPECTATIONS: Final = {
    "entity": MODEL | FAMILY | ORGANIZATION | PLATFORM | LICENSE,
    "model or family": MODEL | FAMILY,
    "model": MODEL,
    "family": FAMILY,
    "organization": ORGANIZATION,
    "platform": PLATFORM,
}
"""The class bits each expectation accepts."""

_ORDER: Final = (MODEL, FAMILY, ORGANIZATION, PLATFORM, LICENSE)


@dataclass(frozen=True)
class Resolved:
    """What a name resolved to.

    Attributes:
        iri: the entity.
        kind: its kind (``"model"``, ``"family"`` …), or ``None`` for an untyped IRI.
        notes: what the caller should tell the user (a family of the same name exists …).
    """

    iri: IRI
    kind: str | None
    notes: tuple[str, ...] = ()


class NameSource(Protocol):
    """Where the resolver finds candidates: the engine of a local backend, or an endpoint."""

    def exact(self, key: str) -> dict[str, int]:
        """Return IRI → class bits of the typed entities with this exact (case-folded) name."""

    def loose(self, key: str) -> dict[str, int]:
        """Return IRI → class bits of the typed entities with this loose name."""

    def mentioned(self, iri: str) -> int | None:
        """Return the class bits of ``iri`` if the graph mentions it (0: untyped), else None."""

    def suggestions(self, text: str, bits: int, limit: int) -> list[str]:
        """Return up to ``limit`` labels of entities (of class ``bits`` first) close to ``text``."""


class EngineNames:
    """A :class:`NameSource` over a traversal engine (memory and store backends).

    Args:
        engine: the engine.
        mentions: answers whether an IRI that is not an engine node appears in the graph.
    """

    def __init__(self, engine: LineageIndex, mentions: Callable[[str], bool] | None = None):
        self._engine = engine
        self._mentions = mentions
        self._names: tuple[list[str], list[int], Any] | None = None

    def _bits(self, nodes: Iterable[int]) -> dict[str, int]:
        engine = self._engine
        return {engine.iri(n): engine.classes(n) for n in nodes if engine.classes(n)}

    def exact(self, key: str) -> dict[str, int]:
        """Return IRI → class bits of the entities with this exact (case-folded) name."""
        return self._bits(self._engine.lookup("exact", key))

    def loose(self, key: str) -> dict[str, int]:
        """Return IRI → class bits of the entities with this loose name."""
        return self._bits(self._engine.lookup("loose", key))

    def mentioned(self, iri: str) -> int | None:
        """Return the class bits of ``iri`` if the graph mentions it (0: untyped), else None."""
        found = self._engine.find(iri)
        if found >= 0:
            return self._engine.classes(found)
        if self._mentions is not None and self._mentions(iri):
            return 0
        return None

    def suggestions(self, text: str, bits: int, limit: int) -> list[str]:
        """Return up to ``limit`` labels of entities close to ``text`` (``bits`` first)."""
        import numpy as np

        if self._names is None:
            texts, owners = self._engine.names()
            classes = np.asarray(self._engine.arrays["classes"])[owners]
            self._names = (texts, owners.tolist(), classes)
        texts, nodes, classes = self._names
        preferred = np.flatnonzero(classes & bits).tolist()
        return suggest(text, texts, nodes, self._engine.label, preferred=preferred, limit=limit)


def suggest(
    text: str,
    names: list[str],
    owners: list[int],
    label: Callable[[int], str],
    *,
    preferred: list[int] | None = None,
    limit: int = 5,
) -> list[str]:
    """Return up to ``limit`` labels of the entities whose names are closest to ``text``.

    Uses rapidfuzz's similarity ratio on case-folded names (fast over millions of names),
    entities of the preferred kind first, then a substring match when nothing is close.

    >>> suggest("vicunna", ["Vicuna 13B", "Vicuna 7B", "Koala"], [0, 1, 2], ["Vicuna 13B",
    ...     "Vicuna 7B", "Koala"].__getitem__)
    ['Vicuna 7B', 'Vicuna 13B']
    """
    from rapidfuzz import fuzz, process

    key = text.casefold().strip()
    if not key:
        return []
    shown: list[str] = []

    def pick(indices: list[int] | None) -> None:
        pool = names if indices is None else [names[i] for i in indices]
        where = list(range(len(names))) if indices is None else indices
        found = process.extract(
            key, pool, scorer=fuzz.ratio, processor=str.casefold, limit=limit * 4, score_cutoff=60
        )
        ranked = sorted(found, key=lambda hit: (-hit[1], hit[0].casefold(), hit[2]))
        for _, _, position in ranked:
            name = label(owners[where[position]])
            if name not in shown and len(shown) < limit:
                shown.append(name)

    if preferred is not None:
        pick(preferred)
    pick(None)
    if not shown and len(key) >= 3:  # nothing close: names that contain the text
        order = [*(preferred or []), *range(len(names))]
        for position in dict.fromkeys(order):
            name = names[position]
            if "://" in name or key not in name.casefold():
                continue
            name_shown = label(owners[position])
            if name_shown not in shown:
                shown.append(name_shown)
            if len(shown) >= limit:
                break
    return shown


def expand(text: str) -> str:
    """Expand a prefixed name (``llmid:llama-2-7b``) with llmgraph's prefixes.

    >>> expand("llmid:llama-2-7b"), expand("meta-llama/Llama-2-7b-hf")
    ('https://w3id.org/llmgraph/id/llama-2-7b', 'meta-llama/Llama-2-7b-hf')
    """
    prefix, sep, rest = text.partition(":")
    if sep and prefix in NAMESPACES and not rest.startswith("//"):
        return NAMESPACES[prefix] + rest
    return text


def _kind(bits: int) -> str:
    for bit in _ORDER:
        if bits & bit:
            return KINDS[bit]
    return "entity"


def _hint(name: str, found: str, expect: str) -> str:
    q = repr(name)
    if found == "organization":
        return (
            f"try `portfolio {q}` (whom it backs), `backers {q}`, "
            f"`render --organization {q}` (its models) or `show {q}`"
        )
    if found == "platform":
        return f"try `render --platform {q}` (what it hosts) or `show {q}`"
    if found in ("model", "family"):
        verbs = "`ancestors`, `descendants`" + (" or `path`" if found == "model" else "")
        return f"ask about its lineage with {verbs}, or `show {q}` for its developer"
    if found == "licence":
        return f"try `show {q}`, or search for the models under it with SPARQL (llm:license)"
    return f"try `show {q}`"


def resolve(
    source: NameSource,
    name: str,
    *,
    expect: Expect = "entity",
    prefer_family: bool = False,
) -> Resolved:
    """Return what ``name`` names, as the module docstring describes.

    Args:
        source: where the candidates come from.
        name: a label, alias, Hugging Face id, slug, prefixed name or IRI.
        expect: what the question needs.
        prefer_family: a family wins over a model of the same name (``--family``).

    Raises:
        UnknownEntityError: nothing has that name; the message lists close matches.
        WrongKindError: the name names only entities of another kind.
        AmbiguousNameError: several entities of the winning kind have that name.
    """
    text = expand(str(name).strip())
    allowed = EXPECTATIONS[expect]
    if "://" in text:
        bits = source.mentioned(text)
        if bits is not None:
            if bits and not bits & allowed:
                raise WrongKindError(text, _kind(bits), expect, _hint(text, _kind(bits), expect))
            return Resolved(IRI(text), kind_of_bits(bits & allowed or bits))
    order = (FAMILY, MODEL, *_ORDER[2:]) if prefer_family else _ORDER
    wrong: dict[str, int] = {}
    lookups: tuple[Callable[[], dict[str, int]], ...] = (
        lambda: source.exact(text.casefold()),
        lambda: source.loose(normalize(text)),
    )
    for lookup in lookups:
        found = lookup()
        fitting = {iri: bits for iri, bits in found.items() if bits & allowed}
        if not fitting:
            wrong = wrong or found
            continue
        for bit in order:
            if not bit & allowed:
                continue
            chosen = sorted(iri for iri, bits in fitting.items() if bits & bit)
            if len(chosen) > 1:
                raise AmbiguousNameError(text, chosen)
            if chosen:
                notes: tuple[str, ...] = ()
                if bit == MODEL and allowed & FAMILY:
                    families = [i for i, b in fitting.items() if b & FAMILY and i != chosen[0]]
                    if families:
                        notes = (
                            f"{name!r} is also the name of a model family; this answer is about "
                            f"the model (ask with family=True, or --family, for all the "
                            "family's models)",
                        )
                return Resolved(IRI(chosen[0]), KINDS[bit], notes)
    if wrong:
        bits = 0
        for value in wrong.values():
            bits |= value
        found_kind = _kind(bits)
        raise WrongKindError(str(name), found_kind, expect, _hint(str(name), found_kind, expect))
    raise UnknownEntityError(str(name), source.suggestions(text, allowed, 5), kind=expect)


def class_bits(classes: Iterable[str]) -> int:
    """Return the class bits of a set of class IRIs.

    >>> class_bits(["https://w3id.org/llmgraph#Company"]) == ORGANIZATION
    True
    """
    bits = 0
    for cls in classes:
        bits |= CLASS_BITS.get(cls, 0)
    return bits
