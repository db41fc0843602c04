"""What the lineage verbs return: rows that carry what a researcher needs, as objects or columns.

:class:`Links` is the answer of ``ancestors``, ``descendants``, ``backers`` and ``portfolio``: a
sequence of :class:`Link` rows (a list compares equal to it), kept as arrays until a row is
asked for, so that a Hub family of 130 k models costs milliseconds, not seconds. Every row has
the same columns (:data:`COLUMNS`) in Python, in :meth:`Links.to_pandas`, :meth:`Links.rows`
(JSON) and :meth:`Links.to_csv`.

>>> from llmgraph import LineageGraph
>>> links = LineageGraph.load().ancestors("Vicuna 13B v1.5")
>>> links[0].label, links[0].developer, links[0].licence
('Llama 2 13B', 'Meta', 'Llama 2 Community License Agreement')
>>> links.rows()[0]["release_date"], links.columns[:4]
('2023-07-18', ('depth', 'relation', 'label', 'kind'))
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

import numpy as np

from llmgraph.engine import NO_DATE, PRECISIONS
from llmgraph.errors import UsageError
from llmgraph.terms import IRI, RELATIONS, kind_of_bits

if TYPE_CHECKING:
    from llmgraph.engine import LineageIndex, Walk

_EPOCH = dt.date(1970, 1, 1)

__all__ = ["COLUMNS", "Link", "Links", "Step"]

COLUMNS: tuple[str, ...] = (
    "depth",
    "relation",
    "label",
    "kind",
    "developer",
    "release_date",
    "release_date_precision",
    "licence",
    "via",
    "id",
)
"""The columns of a lineage answer in JSON, CSV and pandas: the last step's depth and relation,
the entity (label, kind, developer, release date and how exact it is, licence), the label of
the entity the last step came from, and the entity's IRI."""


@dataclass(frozen=True)
class Link:
    """An entity reached from the start of a query, and how.

    Attributes:
        id: the entity's IRI.
        label: its canonical label.
        relation: the relation of the last step (``"fineTunedFrom"``, ``"investsIn"`` …); where
            the last step has several relations, the first in alphabetical order.
        relations: all relations of the last step, sorted.
        depth: number of steps from the start (1 = direct).
        via: the IRI of the entity the last step came from.
        path: the IRIs from the start to this entity, both included (one shortest path).
        kind: ``"model"``, ``"family"``, ``"organization"``, ``"platform"`` or ``None``.
        developer: the label of its developer (the first by label), or ``None``.
        developer_id: that developer's IRI, or ``None``.
        release_date: its release date, or ``None``.
        release_date_precision: ``"day"``, ``"month"`` or ``"public-by"`` (``None`` undated).
        licence: the label of its licence, or ``None``.
        licence_id: that licence's IRI, or ``None``.
        via_label: the label of ``via``.

    >>> from llmgraph import LineageGraph
    >>> link = LineageGraph.load().ancestors("Code Llama 7B Instruct")[-1]
    >>> link.label, link.relation, link.depth, len(link.path)
    ('Llama 2 7B', 'continuedPretrainingFrom', 2, 3)
    """

    id: IRI
    label: str
    relation: str
    relations: tuple[str, ...]
    depth: int
    via: IRI
    path: tuple[IRI, ...]
    kind: str | None = None
    developer: str | None = None
    developer_id: IRI | None = None
    release_date: dt.date | None = None
    release_date_precision: str | None = None
    licence: str | None = None
    licence_id: IRI | None = None
    via_label: str = ""

    def row(self) -> dict[str, Any]:
        """Return the row as a dict with :data:`COLUMNS` (dates as ISO text)."""
        return {
            "depth": self.depth,
            "relation": self.relation,
            "label": self.label,
            "kind": self.kind,
            "developer": self.developer,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "release_date_precision": self.release_date_precision,
            "licence": self.licence,
            "via": self.via_label,
            "id": str(self.id),
        }


@dataclass(frozen=True)
class Step:
    """One step of a lineage path, read as the triple ``subject relation object``.

    Attributes:
        subject: IRI of the step's subject (for weight lineage, the child).
        subject_label: its label.
        relation: the relation's local name.
        object: IRI of the step's object (the parent).
        object_label: its label.
        forward: ``True`` if the path walks from subject to object (towards the parent).

    >>> from llmgraph import LineageGraph
    >>> step = LineageGraph.load().path("Alpaca 7B", "LLaMA 7B")[0]
    >>> step.subject_label, step.relation, step.object_label, step.forward
    ('Alpaca 7B', 'fineTunedFrom', 'LLaMA 7B', True)
    """

    subject: IRI
    subject_label: str
    relation: str
    object: IRI
    object_label: str
    forward: bool


class Links(Sequence[Link]):
    """The rows of a lineage answer (see the module docstring); a sequence of :class:`Link`.

    The answer is kept as the engine's arrays. :meth:`arrays` gives them as numpy columns,
    :meth:`to_pandas`, :meth:`to_json`, :meth:`to_csv` and :meth:`rows` decode labels and
    IRIs in bulk (each distinct developer, licence, date or ``via`` once), and :class:`Link`
    objects are built only when a row is read, indexed or compared.

    Attributes:
        notes: remarks about the question (a family that shares the name asked for …).

    >>> from llmgraph import LineageGraph
    >>> links = LineageGraph.load().descendants("Llama 2 7B")
    >>> len(links) == len(list(links)) == len(links.to_pandas()), links[0] == list(links)[0]
    (True, True)
    """

    columns = COLUMNS

    def __init__(self, walk: Walk, *, notes: Sequence[str] = ()):
        self._walk = walk
        self._rows: list[Link] | None = None
        self._arrays: dict[str, Any] | None = None
        self._text: dict[str, Any] = {}
        self._codes: dict[str, tuple[Any, Any]] = {}
        self._paths: dict[int, dict[int, tuple[IRI, ...]]] = {}
        self.notes: tuple[str, ...] = tuple(notes)

    # ------------------------------------------------------------------ columns (fast)

    def __len__(self) -> int:
        return len(self._walk)

    @property
    def nodes(self) -> Any:
        """The engine's node numbers of the rows (numpy), the fastest form of the answer."""
        return self._walk.nodes

    @property
    def ids(self) -> list[IRI]:
        """The IRIs of the rows, in order."""
        return [IRI(i) for i in self._strings("id")]

    @property
    def labels(self) -> list[str]:
        """The labels of the rows, in order."""
        return list(self._strings("label"))

    def arrays(self) -> dict[str, Any]:
        """Return the answer as numpy columns, one entry per row, nothing decoded.

        Returns:
            ``node``, ``depth``, ``via`` and ``start`` (engine node numbers; ``via`` is where
            the last step came from, ``start`` the start it was reached from), ``relation``
            (a position in :data:`llmgraph.terms.RELATIONS`: the relation reported as
            :attr:`Link.relation`), ``developer`` and ``licence`` (node numbers, ``-1`` for
            none), ``release_date`` (``datetime64[D]``, ``NaT`` for none),
            ``release_date_precision`` (a position in :data:`llmgraph.engine.PRECISIONS`) and
            ``classes`` (class bits). Node numbers decode with ``links.engine.labels(…)`` and
            ``links.engine.iris(…)``.

        >>> from llmgraph import LineageGraph
        >>> from llmgraph.terms import RELATIONS
        >>> cols = LineageGraph.load().ancestors("Vicuna 13B v1.5").arrays()
        >>> cols["depth"].tolist(), [RELATIONS[c] for c in cols["relation"]]
        ([1], ['fineTunedFrom'])
        >>> str(cols["release_date"][0])
        '2023-07-18'
        """
        if self._arrays is None:
            walk = self._walk
            a = walk.index.arrays
            nodes = walk.nodes
            relation = np.asarray(walk.relation, dtype=np.int64).copy()
            if walk.multi:
                for row in np.flatnonzero(np.isin(nodes, list(walk.multi))).tolist():
                    relation[row] = walk.multi[int(nodes[row])][0]
            days = np.asarray(a["released"])[nodes].astype(np.int64)
            released = (np.datetime64("1970-01-01", "D") + days).astype("datetime64[D]")
            released[days == NO_DATE] = np.datetime64("NaT")
            self._arrays = {
                "node": nodes,
                "depth": walk.depth,
                "relation": relation,
                "via": walk.via,
                "start": walk.start,
                "developer": np.asarray(a["developer"])[nodes].astype(np.int64),
                "licence": np.asarray(a["license"])[nodes].astype(np.int64),
                "release_date": released,
                "release_date_precision": np.asarray(a["precision"])[nodes].astype(np.int64),
                "classes": np.asarray(a["classes"])[nodes].astype(np.int64),
            }
        return self._arrays

    @property
    def engine(self) -> LineageIndex:
        """The engine whose node numbers :meth:`arrays` holds.

        >>> from llmgraph import LineageGraph
        >>> links = LineageGraph.load().ancestors("Vicuna 13B v1.5")
        >>> links.engine.labels(links.arrays()["developer"])
        ['Meta']
        """
        return self._walk.index

    def column(self, name: str) -> list[Any]:
        """Return one column of the answer, decoded in bulk (each distinct value once).

        Args:
            name: one of :data:`COLUMNS`, or ``developer_id``, ``licence_id``, ``via_id``;
                ``release_date`` gives :class:`datetime.date` objects, ``via`` labels.

        Returns:
            One value per row, ``None`` where a row has none.

        Raises:
            UsageError: an unknown column name.

        >>> from llmgraph import LineageGraph
        >>> links = LineageGraph.load().ancestors("Vicuna 13B v1.5")
        >>> links.column("developer"), links.column("release_date")
        (['Meta'], [datetime.date(2023, 7, 18)])
        """
        if name == "depth":
            return self.arrays()["depth"].tolist()  # type: ignore[no-any-return]
        if name not in _DECODED:
            known = ", ".join((*COLUMNS, "developer_id", "licence_id", "via_id"))
            raise UsageError(f"unknown column {name!r}; expected one of {known}")
        return self._strings(name).tolist()  # type: ignore[no-any-return]

    def _coded(self, name: str) -> tuple[Any, Any]:
        """Return a column with few distinct values as (table of values, position per row).

        ``via`` (label), ``via_id``, ``relation``, ``kind``, ``developer``, ``developer_id``,
        ``licence``, ``licence_id``, ``release_date`` (:class:`datetime.date`),
        ``release_date_iso`` and ``release_date_precision``; ``None`` where a row has none.
        Each distinct value is decoded once (cached).
        """
        found = self._codes.get(name)
        if found is not None:
            return found
        cols = self.arrays()
        idx = self._walk.index
        coded: tuple[Any, Any]
        if name in ("via", "via_id", "developer", "developer_id", "licence", "licence_id"):
            column = cols[name.removesuffix("_id")]
            coded = _coded(column, _iris_of(idx) if name.endswith("_id") else idx.labels)
        elif name == "relation":
            coded = (_objects(RELATIONS), cols["relation"])
        elif name == "kind":
            coded = _coded(cols["classes"], lambda bits: [kind_of_bits(b) for b in bits.tolist()])
        elif name == "release_date_precision":
            coded = (_objects([p or None for p in PRECISIONS]), cols["release_date_precision"])
        elif name in ("release_date", "release_date_iso"):
            days = cols["release_date"].astype(np.int64)
            days[np.isnat(cols["release_date"])] = NO_DATE
            dates = _dates if name == "release_date" else _iso_dates
            coded = _coded(days, dates, missing=NO_DATE)
        else:  # pragma: no cover - a column name misspelt inside this module
            raise KeyError(name)
        self._codes[name] = coded
        return coded

    def _strings(self, name: str) -> Any:
        """Return one decoded column as a numpy object array (cached); see :meth:`_coded`.

        ``label`` and ``id`` are decoded row by row in bulk; the other columns through their
        table of distinct values.
        """
        found = self._text.get(name)
        if found is None:
            if name in ("label", "id"):
                nodes = self.arrays()["node"]
                idx = self._walk.index
                found = _objects(idx.labels(nodes) if name == "label" else idx.iris(nodes))
            else:
                table, where = self._coded(name)
                found = table[where]
            self._text[name] = found
        return found

    def _column(self, name: str, lo: int = 0, hi: int | None = None) -> list[Any]:
        """Return rows ``lo:hi`` of a :data:`COLUMNS` column as it is written out (dates ISO)."""
        if name == "depth":
            return self.arrays()["depth"][lo:hi].tolist()  # type: ignore[no-any-return]
        values = self._strings("release_date_iso" if name == "release_date" else name)
        return values[lo:hi].tolist()  # type: ignore[no-any-return]

    def rows(self) -> list[dict[str, Any]]:
        """Return the rows as dicts with :data:`COLUMNS` (dates as ISO text), for JSON.

        >>> from llmgraph import LineageGraph
        >>> LineageGraph.load().ancestors("Vicuna 13B v1.5").rows()[0]["developer"]
        'Meta'
        """
        values = [self._column(c) for c in COLUMNS]
        return [dict(zip(COLUMNS, row, strict=True)) for row in zip(*values, strict=True)]

    def to_pandas(self) -> Any:
        """Return the rows as a pandas DataFrame with :data:`COLUMNS` (pandas must be installed).

        Built column by column from the arrays, never row by row; ``release_date`` is a
        ``datetime64`` column (``NaT`` where undated), ``depth`` an integer column.

        Raises:
            ModuleNotFoundError: pandas is not installed.

        >>> from llmgraph import LineageGraph
        >>> frame = LineageGraph.load().descendants("Llama 2 7B", depth=1).to_pandas()
        >>> list(frame.columns) == list(COLUMNS), len(frame) > 5
        (True, True)
        """
        try:
            import pandas as pd
        except ModuleNotFoundError as exc:
            raise ModuleNotFoundError(
                "Links.to_pandas() needs pandas, which is not installed: "
                "pip install pandas (or use rows(), to_csv() or arrays())",
                name="pandas",
            ) from exc

        data = {
            name: self.arrays()["depth"] if name == "depth" else self._strings(name)
            for name in COLUMNS
        }
        frame = pd.DataFrame(data)
        # from the date objects, as pandas itself converts them (its unit differs by version);
        # pandas converts each distinct date once
        frame["release_date"] = pd.to_datetime(frame["release_date"])
        return frame

    def to_csv(self, out: Path | str | IO[str] | None = None) -> str | None:
        """Write the rows as CSV (:data:`COLUMNS`) to a path or text file, or return the text.

        Written in blocks of rows straight from the columns (no row objects first).

        >>> from llmgraph import LineageGraph
        >>> text = LineageGraph.load().ancestors("Vicuna 13B v1.5").to_csv()
        >>> for line in text.splitlines():
        ...     print(line.split(",")[:5])
        ['depth', 'relation', 'label', 'kind', 'developer']
        ['1', 'fineTunedFrom', 'Llama 2 13B', 'model', 'Meta']
        """
        return _write_to(out, self._write_csv)

    def to_json(self, out: Path | str | IO[str] | None = None) -> str | None:
        """Write the rows as a JSON array of objects (:data:`COLUMNS`), or return the text.

        The text equals ``json.dumps(links.rows(), indent=2, ensure_ascii=False)``; it is
        written in blocks of rows straight from the columns (no row objects first).

        >>> import json
        >>> from llmgraph import LineageGraph
        >>> links = LineageGraph.load().ancestors("Vicuna 13B v1.5")
        >>> json.loads(links.to_json())[0]["label"]
        'Llama 2 13B'
        >>> links.to_json() == json.dumps(links.rows(), indent=2, ensure_ascii=False)
        True
        """
        return _write_to(out, self._write_json)

    def _write_csv(self, handle: IO[str]) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for lo in range(0, len(self), _BLOCK):
            hi = min(lo + _BLOCK, len(self))
            writer.writerows(zip(*(self._column(c, lo, hi) for c in COLUMNS), strict=True))

    def _write_json(self, handle: IO[str]) -> None:
        n = len(self)
        if not n:
            handle.write("[]")
            return
        k = len(COLUMNS)
        keys = [f"\n    {encode_basestring(c)}: " for c in COLUMNS]
        keys[0] = "{" + keys[0]
        keys[1:] = [",".join(("", key)) for key in keys[1:]]
        handle.write("[\n  ")
        for lo in range(0, n, _BLOCK):
            hi = min(lo + _BLOCK, n)
            rows = hi - lo
            pieces: list[str] = [""] * (rows * (2 * k + 1))
            step = 2 * k + 1
            for j, name in enumerate(COLUMNS):
                pieces[2 * j :: step] = [keys[j]] * rows
                pieces[2 * j + 1 :: step] = self._json_column(name, lo, hi)
            pieces[2 * k :: step] = ["\n  },\n  "] * rows
            if hi == n:
                pieces[-1] = "\n  }"
            handle.write("".join(pieces))
        handle.write("\n]")

    def _json_column(self, name: str, lo: int, hi: int) -> list[str]:
        """Rows ``lo:hi`` of a column as JSON text (each distinct value encoded once)."""
        if name == "depth":
            return list(map(str, self.arrays()["depth"][lo:hi].tolist()))
        if name in ("label", "id"):
            return list(map(encode_basestring, self._strings(name)[lo:hi].tolist()))
        key = "release_date_iso" if name == "release_date" else name
        table, where = self._coded(key)
        encoded = _objects(["null" if v is None else encode_basestring(v) for v in table.tolist()])
        return encoded[where[lo:hi]].tolist()  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ rows (objects)

    def _path_map(self, start: int) -> dict[int, tuple[IRI, ...]]:
        """Node → the IRIs from ``start`` to it, for every node of ``start``'s own walk."""
        found = self._paths.get(start)
        if found is not None:
            return found
        walk = self._walk
        nodes, vias = walk.trails[start]
        node_list = nodes.tolist()
        iris = [IRI(i) for i in walk.index.iris(np.concatenate([[start], nodes]))]
        paths: dict[int, tuple[IRI, ...]] = {start: (iris[0],)}
        for node, via, iri in zip(node_list, vias.tolist(), iris[1:], strict=True):
            paths[node] = (*paths[via], iri)
        self._paths[start] = paths
        return paths

    def _build(self, lo: int, hi: int) -> list[Link]:
        """Build the :class:`Link` objects of rows ``lo:hi`` from the columns."""
        walk = self._walk
        cols = self.arrays()
        starts = cols["start"][lo:hi].tolist()
        nodes = cols["node"][lo:hi].tolist()
        path_of = {s: self._path_map(s) for s in set(starts)}
        multi = walk.multi
        relation = cols["relation"][lo:hi].tolist()
        single = [(RELATIONS[c],) for c in range(len(RELATIONS))]
        relations = [
            tuple(RELATIONS[c] for c in multi[node]) if node in multi else single[code]
            for node, code in zip(nodes, relation, strict=True)
        ]

        def text(name: str) -> list[Any]:
            return self._strings(name)[lo:hi].tolist()  # type: ignore[no-any-return]

        paths = [path_of[s][node] for s, node in zip(starts, nodes, strict=True)]
        columns = zip(
            [p[-1] for p in paths],  # the row's IRI ends its path, and via comes before it
            text("label"),
            text("relation"),
            relations,
            cols["depth"][lo:hi].tolist(),
            [p[-2] for p in paths],
            paths,
            text("kind"),
            text("developer"),
            text("developer_id"),
            text("release_date"),
            text("release_date_precision"),
            text("licence"),
            text("licence_id"),
            text("via"),
            strict=True,
        )
        # A frozen dataclass's __init__ sets each field through object.__setattr__ (Link has
        # no __post_init__ and checks nothing); rows made in bulk get the same instance dict
        # directly, several times faster. tests/test_results.py compares them with Link(...).
        new = object.__new__
        out: list[Link] = []
        for values in columns:
            link = new(Link)
            link.__dict__.update(zip(_LINK_FIELDS, values, strict=True))
            out.append(link)
        return out

    def _links(self) -> list[Link]:
        if self._rows is None:
            self._rows = self._build(0, len(self))
        return self._rows

    @overload
    def __getitem__(self, index: int) -> Link: ...

    @overload
    def __getitem__(self, index: slice) -> list[Link]: ...

    def __getitem__(self, index: int | slice) -> Link | list[Link]:
        if isinstance(index, slice):
            lo, hi, stride = index.indices(len(self))
            if self._rows is not None or stride != 1:
                return self._links()[index]
            return self._build(lo, max(lo, hi))
        row = index + len(self) if index < 0 else index
        if not 0 <= row < len(self):
            raise IndexError(f"row {index} out of range for {len(self)} rows")
        if self._rows is not None:
            return self._rows[row]
        return self._build(row, row + 1)[0]

    def __iter__(self) -> Iterator[Link]:
        if self._rows is not None:
            return iter(self._rows)
        return self._iterate()

    def _iterate(self) -> Iterator[Link]:
        built: list[Link] = []
        for lo in range(0, len(self), _BLOCK):
            block = self._build(lo, min(lo + _BLOCK, len(self)))
            built += block
            yield from block
        self._rows = built

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Links):
            return len(self) == len(other) and self._links() == other._links()
        if isinstance(other, list | tuple):
            return len(self) == len(other) and self._links() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(repr(label) for label in self._strings("label")[:5].tolist())
        more = f", … {len(self) - 5} more" if len(self) > 5 else ""
        return f"<Links: {len(self)} [{shown}{more}]>"


_BLOCK = 16_384
"""Rows decoded and written at a time by the streaming writers."""

_LINK_FIELDS = tuple(f.name for f in fields(Link))

_DECODED = frozenset({*COLUMNS, "developer_id", "licence_id", "via_id"} - {"depth"})


def _objects(values: Sequence[Any]) -> Any:
    """Return ``values`` as a 1-d numpy object array (tuples and all kept whole)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _iris_of(idx: LineageIndex) -> Any:
    """Return a decoder of node numbers to :class:`IRI` objects."""

    def decode(nodes: Any) -> list[IRI]:
        return [IRI(i) for i in idx.iris(nodes)]

    return decode


def _coded(values: Any, decode: Any, *, missing: int = -1) -> tuple[Any, Any]:
    """Decode each distinct value of an integer column once; ``missing`` becomes ``None``.

    Returns the table of decoded values and each row's position in it.
    """
    unique, inverse = np.unique(values, return_inverse=True)
    table = np.empty(len(unique), dtype=object)
    present = unique != missing
    if present.any():
        table[present] = _objects(decode(unique[present]))
    return table, inverse.reshape(-1)


def _dates(days: Any) -> list[dt.date]:
    """Return days since 1970-01-01 as dates."""
    return [_EPOCH + dt.timedelta(days=d) for d in np.asarray(days).tolist()]


def _iso_dates(days: Any) -> list[str]:
    """Return days since 1970-01-01 as ISO dates."""
    return [d.isoformat() for d in _dates(days)]


def _write_to(out: Path | str | IO[str] | None, write: Any) -> str | None:
    """Run ``write(handle)`` on a new text buffer (returned), a path, or an open text file."""
    if out is None:
        buffer = io.StringIO()
        write(buffer)
        return buffer.getvalue()
    if isinstance(out, str | Path):
        with Path(out).open("w", encoding="utf-8", newline="") as handle:
            write(handle)
        return None
    write(out)
    return None


def _iri(value: str | None) -> IRI | None:
    return None if value is None else IRI(value)
