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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

import numpy as np

from llmgraph.engine import PRECISIONS
from llmgraph.terms import IRI, RELATIONS, kind_of_bits

if TYPE_CHECKING:
    from llmgraph.engine import Walk

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

    Attributes:
        notes: remarks about the question (a family that shares the name asked for …).
    """

    columns = COLUMNS

    def __init__(self, walk: Walk, *, notes: Sequence[str] = ()):
        self._walk = walk
        self._rows: list[Link] | None = None
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
        return [IRI(i) for i in self._walk.index.iris(self._walk.nodes)]

    @property
    def labels(self) -> list[str]:
        """The labels of the rows, in order."""
        return self._walk.index.labels(self._walk.nodes)

    def _columns(self) -> dict[str, list[Any]]:
        walk = self._walk
        idx = walk.index
        a = idx.arrays
        nodes = walk.nodes
        kind_col = [kind_of_bits(bits) for bits in np.asarray(a["classes"])[nodes].tolist()]
        developer = np.asarray(a["developer"])[nodes].astype(np.int64)
        licence = np.asarray(a["license"])[nodes].astype(np.int64)
        extra = np.unique(np.concatenate([developer[developer >= 0], licence[licence >= 0]]))
        names = dict(zip(extra.tolist(), idx.labels(extra), strict=True))
        iris = dict(zip(extra.tolist(), idx.iris(extra), strict=True))
        via_nodes = np.unique(walk.via)
        via_names = dict(zip(via_nodes.tolist(), idx.labels(via_nodes), strict=True))
        days = np.asarray(a["released"])[nodes].astype("int64")
        dated = days != np.iinfo(np.int32).min
        dates: list[dt.date | None] = [None] * len(nodes)
        if dated.any():
            as_dates = (np.datetime64("1970-01-01") + days[dated]).astype("datetime64[D]")
            for i, day in zip(np.flatnonzero(dated).tolist(), as_dates.tolist(), strict=True):
                dates[i] = day
        precision = [PRECISIONS[p] or None for p in np.asarray(a["precision"])[nodes].tolist()]
        relations = [RELATIONS[c] for c in walk.relation.tolist()]
        for row, node in enumerate(nodes.tolist()):
            if node in walk.multi:
                relations[row] = RELATIONS[walk.multi[node][0]]
        return {
            "depth": walk.depth.tolist(),
            "relation": relations,
            "label": idx.labels(nodes),
            "kind": kind_col,
            "developer": [names.get(d) for d in developer.tolist()],
            "developer_id": [iris.get(d) for d in developer.tolist()],
            "release_date": dates,
            "release_date_precision": precision,
            "licence": [names.get(x) for x in licence.tolist()],
            "licence_id": [iris.get(x) for x in licence.tolist()],
            "via": [via_names[v] for v in walk.via.tolist()],
            "via_id": idx.iris(walk.via),
            "id": idx.iris(nodes),
        }

    def rows(self) -> list[dict[str, Any]]:
        """Return the rows as dicts with :data:`COLUMNS` (dates as ISO text), for JSON."""
        cols = self._columns()
        cols["release_date"] = [d.isoformat() if d else None for d in cols["release_date"]]
        return [
            dict(zip(COLUMNS, values, strict=True))
            for values in zip(*(cols[c] for c in COLUMNS), strict=True)
        ]

    def to_pandas(self) -> Any:
        """Return the rows as a pandas DataFrame with :data:`COLUMNS` (pandas must be installed).

        >>> from llmgraph import LineageGraph
        >>> frame = LineageGraph.load().descendants("Llama 2 7B", depth=1).to_pandas()
        >>> list(frame.columns) == list(COLUMNS), len(frame) > 5
        (True, True)
        """
        import pandas as pd

        cols = self._columns()
        frame = pd.DataFrame({c: cols[c] for c in COLUMNS})
        frame["release_date"] = pd.to_datetime(frame["release_date"])
        return frame

    def to_csv(self, out: Path | str | IO[str] | None = None) -> str | None:
        """Write the rows as CSV (:data:`COLUMNS`) to a path or text file, or return the text.

        >>> from llmgraph import LineageGraph
        >>> text = LineageGraph.load().ancestors("Vicuna 13B v1.5").to_csv()
        >>> for line in text.splitlines():
        ...     print(line.split(",")[:5])
        ['depth', 'relation', 'label', 'kind', 'developer']
        ['1', 'fineTunedFrom', 'Llama 2 13B', 'model', 'Meta']
        """
        if out is None:
            buffer = io.StringIO()
            self._write_csv(buffer)
            return buffer.getvalue()
        if isinstance(out, str | Path):
            with Path(out).open("w", encoding="utf-8", newline="") as handle:
                self._write_csv(handle)
            return None
        self._write_csv(out)
        return None

    def _write_csv(self, handle: IO[str]) -> None:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self.rows():
            writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])

    # ------------------------------------------------------------------ rows (objects)

    def _links(self) -> list[Link]:
        if self._rows is None:
            walk = self._walk
            cols = self._columns()
            iri_of: dict[int, IRI] = {}
            out: list[Link] = []
            for row in range(len(walk)):
                trail = walk.path_of(row)
                for n in trail:
                    if n not in iri_of:
                        iri_of[n] = walk.index.iri(n)
                out.append(
                    Link(
                        id=IRI(cols["id"][row]),
                        label=cols["label"][row],
                        relation=cols["relation"][row],
                        relations=walk.relations_of(row),
                        depth=cols["depth"][row],
                        via=IRI(cols["via_id"][row]),
                        path=tuple(iri_of[n] for n in trail),
                        kind=cols["kind"][row],
                        developer=cols["developer"][row],
                        developer_id=_iri(cols["developer_id"][row]),
                        release_date=cols["release_date"][row],
                        release_date_precision=cols["release_date_precision"][row],
                        licence=cols["licence"][row],
                        licence_id=_iri(cols["licence_id"][row]),
                        via_label=cols["via"][row],
                    )
                )
            self._rows = out
        return self._rows

    @overload
    def __getitem__(self, index: int) -> Link: ...

    @overload
    def __getitem__(self, index: slice) -> list[Link]: ...

    def __getitem__(self, index: int | slice) -> Link | list[Link]:
        return self._links()[index]

    def __iter__(self) -> Iterator[Link]:
        return iter(self._links())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Links):
            return self._links() == other._links()
        if isinstance(other, list | tuple):
            return self._links() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(repr(label) for label in self.labels[:5])
        more = f", … {len(self) - 5} more" if len(self) > 5 else ""
        return f"<Links: {len(self)} [{shown}{more}]>"


def _iri(value: str | None) -> IRI | None:
    return None if value is None else IRI(value)
