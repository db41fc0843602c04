"""What an import did: the records read, what was added, matched, left apart and skipped.

An :class:`ImportReport` is returned by every importer and written by
``llmgraph import … --report FILE.json``. Its :attr:`~ImportReport.triples` are exactly the
facts the import added (the delta), which ``llmgraph import … --out FILE.ttl`` writes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rdflib import Graph

from llmgraph.errors import DataLoadError
from llmgraph.store import Triple, new_graph

__all__ = ["Ambiguity", "ImportReport", "Match", "ProgressBar", "Skip"]

Progress = Callable[[int, int], None]
"""A progress callback: ``progress(done, total)`` after each record."""


@dataclass(frozen=True)
class Skip:
    """A record that was not imported, and why.

    Attributes:
        record: where the record is (``path:line``, ``path#row=N`` or a Hub id).
        reason: what was wrong with it.
    """

    record: str
    reason: str


@dataclass(frozen=True)
class Match:
    """A name from the source that resolved to an entity already loaded.

    Attributes:
        name: the name as the source gave it (a Hub id, an Epoch name, a Wikidata item).
        entity: the IRI it resolved to.
        label: that entity's label.
        by: what matched: ``"owl:sameAs"``, ``"huggingFaceId"``, ``"label or alias"``,
            ``"Hub repository name"`` or ``"Hub owner"``.
    """

    name: str
    entity: str
    label: str
    by: str


@dataclass(frozen=True)
class Ambiguity:
    """A name that matched several loaded entities equally well, so none was chosen.

    Attributes:
        name: the name as the source gave it.
        candidates: the IRIs it matched, sorted.
        entity: the IRI of the entity created for it instead (left apart from the candidates).
    """

    name: str
    candidates: tuple[str, ...]
    entity: str


@dataclass
class ImportReport:
    """The outcome of one import.

    Attributes:
        source: ``"hf-cards"``, ``"hf-hub"``, ``"epoch"`` or ``"wikidata"``.
        records_read: how many records (cards, Hub records, CSV rows, Wikidata items) were read.
        entities_added: entities (models, organizations, licences) that did not exist before.
        edges_added: relations between entities (lineage, development, backing …) added.
        triples_added: the number of triples the graph grew by (the materialized
            ``llm:derivedFrom`` / ``llm:backs`` included).
        matched: names that resolved to entities already loaded (one per distinct pair).
        ambiguous: names left apart because they matched several entities.
        skipped: records not imported, each with its reason.
        notes: things worth knowing that did not stop a record: a misspelt key that was read,
            a value that was ignored, a conflicting fact that was kept as a ``skos:note``.
        triples: the facts added, in the order they were built (an import into a store
            streams its facts to the bulk loader and keeps none here).

    >>> report = ImportReport("epoch", records_read=2)
    >>> report.skipped.append(Skip("t.csv#row=3", "no name"))
    >>> print(report.summary())
    epoch: read 2 records; added 0 entities, 0 edges (0 triples)
    matched 0 names to loaded entities; 0 ambiguous
    skipped 1 record:
      t.csv#row=3: no name
    """

    source: str
    records_read: int = 0
    entities_added: int = 0
    edges_added: int = 0
    triples_added: int = 0
    matched: list[Match] = field(default_factory=list)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    triples: list[Triple] = field(default_factory=list, repr=False)

    def skip(self, record: str, reason: str) -> None:
        """Record that ``record`` was skipped because of ``reason``."""
        self.skipped.append(Skip(record, reason))

    def graph(self) -> Graph:
        """Return the added facts as a graph with llmgraph's prefixes bound.

        >>> ImportReport("epoch").graph().serialize(format="nt").strip()
        ''
        """
        graph = new_graph()
        for triple in self.triples:
            graph.add(triple)
        return graph

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (everything but the triples).

        >>> sorted(ImportReport("epoch").to_dict())[:3]
        ['ambiguous', 'edges_added', 'entities_added']
        """
        return {
            "source": self.source,
            "records_read": self.records_read,
            "entities_added": self.entities_added,
            "edges_added": self.edges_added,
            "triples_added": self.triples_added,
            "matched": [vars(m) for m in self.matched],
            "ambiguous": [
                {"name": a.name, "candidates": list(a.candidates), "entity": a.entity}
                for a in self.ambiguous
            ],
            "skipped": [vars(s) for s in self.skipped],
            "notes": list(self.notes),
        }

    def write_json(self, path: Path | str) -> None:
        """Write :meth:`to_dict` to ``path`` as indented UTF-8 JSON.

        Raises:
            DataLoadError: the file cannot be written.

        >>> import json, pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "report.json"
        >>> ImportReport("epoch", records_read=3).write_json(path)
        >>> json.loads(path.read_text())["records_read"]
        3
        """
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DataLoadError(
                f"cannot write the report: {exc.strerror or exc}", path=path
            ) from exc

    def summary(self, *, limit: int = 20) -> str:
        """Return a few lines for people: counts, then up to ``limit`` skipped records."""
        lines = [
            f"{self.source}: read {self.records_read} record{_s(self.records_read)}; "
            f"added {self.entities_added} entit{'y' if self.entities_added == 1 else 'ies'}, "
            f"{self.edges_added} edge{_s(self.edges_added)} ({self.triples_added} triple"
            f"{_s(self.triples_added)})"
        ]
        ways = Counter(m.by for m in self.matched)
        how = ", ".join(f"by {way} {n}" for way, n in sorted(ways.items()))
        lines.append(
            f"matched {len(self.matched)} name{_s(len(self.matched))} to loaded entities"
            + (f" ({how})" if how else "")
            + f"; {len(self.ambiguous)} ambiguous"
        )
        for a in self.ambiguous[:limit]:
            lines.append(
                f"  ambiguous {a.name!r}: {', '.join(a.candidates)}; kept apart as {a.entity}"
            )
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} record{_s(len(self.skipped))}:")
            lines += [f"  {s.record}: {s.reason}" for s in self.skipped[:limit]]
            if len(self.skipped) > limit:
                lines.append(f"  … and {len(self.skipped) - limit} more (see the JSON report)")
        if self.notes:
            lines.append(f"{len(self.notes)} note{_s(len(self.notes))} (see the JSON report)")
        return "\n".join(lines)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


class ProgressBar:
    r"""The progress of an import on a terminal (tqdm), drawn only when it is a terminal.

    Pass it as the ``progress`` callback of an importer: it is called as ``bar(done, total)``
    (``total`` 0 when the number of records is not known in advance, as when records stream
    from a large file). Nothing is drawn when the stream is not a terminal (pipes, files,
    tests), unless ``force`` is set.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar("cards", stream=out, force=True)
    >>> bar(5, 10)
    >>> bar(10, 10)
    >>> bar.close()
    >>> "cards" in out.getvalue() and "10/10" in out.getvalue()
    True
    """

    def __init__(self, label: str, *, stream: TextIO | None = None, force: bool = False):
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = force or bool(getattr(self._stream, "isatty", lambda: False)())
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` records are read (``total`` 0: not known)."""
        if not self._enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                desc=self._label,
                total=total or None,
                file=self._stream,
                unit=" records",
                leave=True,
                dynamic_ncols=True,
            )
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """End the bar's line (if one was drawn)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
