"""Find entities by name: substring and fuzzy matches over labels, aliases and Hub ids, ranked.

:func:`search` reads every name the engine holds for a typed entity (labels, aliases,
Hugging Face ids, id slugs; never IRIs), filters the entities first (developer, family,
licence, dates, kind; vectorized over the engine's arrays) and ranks what matches:

1. the whole name, case-insensitively (score 100);
2. a name that starts with the text (score 95);
3. the text at the start of a word of a name (score 90);
4. the text anywhere in a name (score 85);
5. a fuzzy match (rapidfuzz's ``ratio``, an edit-distance similarity, of 80 or more, scaled
   to 70-84), when the text has at least three characters and the four kinds above found
   fewer than ``limit`` entities.

An entity is listed once, at its best name; ties go to the shorter matching name, then
label. Dates: ``since`` keeps models whose stored release date is on or after it;
``until`` (and ``as_of``) keeps models released by then, a month-precision date counting
from the end of its month (:mod:`llmgraph.asof`); undated models fail either filter.

>>> from llmgraph import LineageGraph
>>> [m.label for m in LineageGraph.load().search("vicuna 13b")][:2]
['Vicuna 13B v0', 'Vicuna 13B v1.1']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

import numpy as np

from llmgraph.asof import as_of_mask, parse_date
from llmgraph.engine import NO_DATE, PRECISIONS
from llmgraph.errors import UsageError, WrongKindError
from llmgraph.terms import FAMILY, IRI, LICENSE, MODEL, ORGANIZATION, PLATFORM

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph
    from llmgraph.engine import LineageIndex

__all__ = ["COLUMNS", "KINDS", "Match", "Matches", "search"]

Kind = Literal["model", "family", "organization", "platform", "licence"]
KINDS: Final[dict[str, int]] = {
    "model": MODEL,
    "family": FAMILY,
    "organization": ORGANIZATION,
    "platform": PLATFORM,
    "licence": LICENSE,
}
"""The kinds :func:`search` can be limited to, with their class bits."""

COLUMNS: Final = (
    "score",
    "label",
    "kind",
    "developer",
    "release_date",
    "release_date_precision",
    "licence",
    "matched",
    "id",
)
"""The columns of :meth:`Matches.rows` and :meth:`Matches.to_csv` (the verbs' entity
columns, with the score and the name that matched)."""

_EPOCH = dt.date(1970, 1, 1)
_FUZZY_FLOOR = 70
_FUZZY_CUTOFF = 80
_SPDX = "http://spdx.org/licenses/"


@dataclass(frozen=True)
class Match:
    """One entity that :func:`search` found.

    Attributes:
        id: its IRI.
        label: its canonical label.
        score: 100 for the whole name, down to 70 for a weak fuzzy match.
        matched: the name that matched (a label, alias, Hugging Face id or slug).
        kind: ``"model"``, ``"family"``, ``"organization"``, ``"platform"`` or ``"licence"``.
        developer: its developer's label, or ``None``.
        release_date: its release date, or ``None``.
        release_date_precision: ``"day"``, ``"month"`` or ``"public-by"``, or ``None``.
        licence: its licence's label, or ``None``.
    """

    id: IRI
    label: str
    score: int
    matched: str
    kind: str | None = None
    developer: str | None = None
    release_date: dt.date | None = None
    release_date_precision: str | None = None
    licence: str | None = None

    def row(self) -> dict[str, Any]:
        """Return the match as a dict with :data:`COLUMNS` (dates as ISO text)."""
        return {
            "score": self.score,
            "label": self.label,
            "kind": self.kind,
            "developer": self.developer,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "release_date_precision": self.release_date_precision,
            "licence": self.licence,
            "matched": self.matched,
            "id": str(self.id),
        }


@dataclass
class Matches(Sequence[Match]):
    """The answer of :func:`search`: the matches, best first.

    Attributes:
        matches: the rows.
        total: how many entities matched before ``limit`` cut the list.
        notes: remarks (what the date filters left out …).
    """

    matches: list[Match]
    total: int = 0
    notes: tuple[str, ...] = field(default=())
    columns: tuple[str, ...] = COLUMNS

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, index: Any) -> Any:
        return self.matches[index]

    def __iter__(self) -> Iterator[Match]:
        return iter(self.matches)

    def rows(self) -> list[dict[str, Any]]:
        """Return one dict per match (:data:`COLUMNS`)."""
        return [m.row() for m in self.matches]

    def to_csv(self, out: Path | str | IO[str] | None = None) -> str | None:
        """Write the matches as CSV to a path or a text file, or return the text.

        >>> print(Matches([]).to_csv(), end="")
        score,label,kind,developer,release_date,release_date_precision,licence,matched,id
        """
        from llmgraph.formats import write_csv

        return write_csv(self.rows(), COLUMNS, out)


def _entity_node(lg: BaseGraph, engine: LineageIndex, name: str, kind: Kind) -> int:
    if kind == "licence":
        spdx = engine.find(_SPDX + str(name).strip())
        if spdx >= 0 and engine.classes(spdx) & LICENSE:
            return spdx
    found = lg.resolution(str(name), expect="entity" if kind == "licence" else kind)
    if kind == "licence" and found.kind != "licence":
        raise WrongKindError(name, found.kind or "entity", "licence")
    return engine.find(found.iri)


def _filter(
    lg: BaseGraph,
    engine: LineageIndex,
    *,
    developer: str | None,
    family: str | None,
    license: str | None,
    since: str | dt.date | None,
    until: str | dt.date | None,
    kind: str | None,
) -> tuple[np.ndarray[Any, Any], list[str]]:
    a = engine.arrays
    classes = np.asarray(a["classes"])
    keep = (classes & sum(KINDS.values())) != 0
    notes: list[str] = []
    if kind is not None:
        if kind not in KINDS:
            raise UsageError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        keep &= (classes & KINDS[kind]) != 0
    for value, column, what in (
        (developer, "developer", "organization"),
        (family, "family", "family"),
        (license, "license", "licence"),
    ):
        if value is not None:
            node = _entity_node(lg, engine, value, what)  # type: ignore[arg-type]
            keep &= np.asarray(a[column]) == node
    released = np.asarray(a["released"]).astype(np.int64)
    if since is not None:
        start = (parse_date(since, what="since") - _EPOCH).days
        keep &= (released != NO_DATE) & (released >= start)
    if until is not None:
        cut = as_of_mask(engine, parse_date(until, what="until"))
        keep &= cut.mask
        if cut.undated:
            notes.append(f"{cut.undated:,} undated models cannot match a date filter")
    return keep, notes


def search(
    lg: BaseGraph,
    text: str,
    *,
    developer: str | None = None,
    family: str | None = None,
    license: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    kind: Kind | None = None,
    as_of: str | dt.date | None = None,
    limit: int | None = 50,
) -> Matches:
    """Return the entities whose names match ``text``, best first (see the module docstring).

    Args:
        lg: the graph.
        text: what to look for (case-insensitive); ``""`` lists every entity that passes the
            filters, by label.
        developer: only models developed by this organization.
        family: only models of this family.
        license: only models under this licence (a label, alias or SPDX id).
        since: only models released on or after this date (``YYYY-MM-DD``).
        until: only models released by this date.
        kind: only entities of this kind (``"model"``, ``"organization"`` …).
        as_of: the graph as of this date: like ``until``.
        limit: the most matches returned (``None``: all); :attr:`Matches.total` counts all.

    Returns:
        :class:`Matches`, best first.

    Raises:
        UnknownEntityError: a filter names nothing (the message lists close matches).
        WrongKindError: a filter names an entity of the wrong kind.
        UsageError: a bad date, kind or limit.

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load()
    >>> found = search(lg, "qwen2.5", license="Apache-2.0", since="2025-01-01", kind="model")
    >>> all(m.licence == "Apache License 2.0" for m in found)
    True
    >>> search(lg, "meta-llama/Llama-2-7b-hf")[0].label
    'Llama 2 7B'
    """
    if limit is not None and limit < 1:
        raise UsageError(f"limit must be 1 or more, got {limit}")
    engine = lg.engine
    if as_of is not None:
        until = min(parse_date(as_of), parse_date(until, what="until")) if until else as_of
    keep, notes = _filter(
        lg,
        engine,
        developer=developer,
        family=family,
        license=license,
        since=since,
        until=until,
        kind=kind,
    )
    names, owners = engine.names()
    query = " ".join(str(text).split()).casefold()
    best: dict[int, tuple[int, int, str]] = {}  # node -> (score, name length, name)
    candidates = [
        (name, int(node))
        for name, node in zip(names, owners.tolist(), strict=True)
        if keep[node] and "://" not in name
    ]
    if not query:
        for node in np.flatnonzero(keep).tolist():
            best[node] = (100, 0, engine.label(node))
    else:
        fuzzy_pool: list[tuple[str, int]] = []
        for name, node in candidates:
            folded = name.casefold()
            if folded == query:
                score = 100
            elif folded.startswith(query):
                score = 95
            elif query in folded:
                word = any(folded[i - 1] in " -_/." for i in _positions(folded, query))
                score = 90 if word else 85
            else:
                fuzzy_pool.append((folded, node))
                continue
            _keep_best(best, node, score, name)
        wanted = limit if limit is not None else 10
        if len(query) >= 3 and fuzzy_pool and len(best) < wanted:
            from rapidfuzz import fuzz, process

            pool = [n for n, _ in fuzzy_pool]
            for _, similarity, i in process.extract(
                query, pool, scorer=fuzz.ratio, limit=None, score_cutoff=_FUZZY_CUTOFF
            ):
                name, node = fuzzy_pool[i]
                score = _FUZZY_FLOOR + int(
                    (similarity - _FUZZY_CUTOFF) * 14 / (100 - _FUZZY_CUTOFF)
                )
                _keep_best(best, node, score, name)
    order = sorted(
        best.items(), key=lambda kv: (-kv[1][0], kv[1][1], engine.label(kv[0]).casefold())
    )
    total = len(order)
    if limit is not None:
        order = order[:limit]
    nodes = np.array([n for n, _ in order], dtype=np.int64)
    matches = [
        _match(engine, node, score, name)
        for node, (score, _, name) in zip(nodes.tolist(), (v for _, v in order), strict=True)
    ]
    if limit is not None and total > limit:
        notes.append(f"{total:,} matches; the best {limit} shown")
    return Matches(matches, total=total, notes=tuple(notes))


def _positions(text: str, sub: str) -> Iterator[int]:
    start = text.find(sub)
    while start >= 0:
        yield start
        start = text.find(sub, start + 1)


def _keep_best(best: dict[int, tuple[int, int, str]], node: int, score: int, name: str) -> None:
    found = best.get(node)
    if found is None or (score, -len(name)) > (found[0], -found[1]):
        best[node] = (score, len(name), name)


def _match(engine: LineageIndex, node: int, score: int, name: str) -> Match:
    dev, lic = engine.developer(node), engine.licence(node)
    precision = PRECISIONS[int(engine.arrays["precision"][node])] or None
    return Match(
        id=engine.iri(node),
        label=engine.label(node),
        score=score,
        matched=name,
        kind=engine.kind(node),
        developer=engine.label(dev) if dev >= 0 else None,
        release_date=engine.released(node),
        release_date_precision=precision,
        licence=engine.label(lic) if lic >= 0 else None,
    )
