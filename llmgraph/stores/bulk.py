"""Hugging Face Hub ``ModelInfo`` records (JSON lines) → N-Triples, streamed in batches.

One JSON object per line, as ``huggingface_hub``'s ``ModelInfo`` serializes (snake_case:
``id``, ``author``, ``created_at``, ``tags``, ``card_data``, ``safetensors``) or as the Hub's
REST API returns it (camelCase: ``modelId``, ``createdAt``, ``cardData``). Lineage comes from
the Hub's ``base_model:<relation>:<parent>`` tags, else from the card's ``base_model`` (with
``base_model_relation``); licences from ``license:<id>`` tags or the card.

IRIs are those of :mod:`llmgraph.importers` (``importers/build.py``), so both import paths
name an entity alike: a model is ``https://w3id.org/llmgraph/id/hf/<owner>/<name>`` (the Hub
id's spelling kept; a reference in another case reuses the first spelling seen in the import),
its label and ``llm:huggingFaceId`` are the Hub id, its ``dcterms:source`` its Hub page; the
owner is ``…/id/hf-owner/<owner>`` (an ``llm:Organization`` that develops it); a licence is
the bundled licence the Hub id names, else its SPDX IRI, else ``…/id/license-<slug>``.
``llm:derivedFrom`` is written next to each weight-lineage relation.

The mapping produces N-Triples text (handed to Oxigraph's bulk loader without building a
Python object per triple) and, at the same time, the rows of the lineage index.

>>> facts = record_facts({"id": "lmsys/vicuna-7b-v1.5",
...     "tags": ["base_model:finetune:meta-llama/Llama-2-7b-hf", "license:llama2"]})
>>> facts.hub_id, facts.parents, facts.licence
('lmsys/vicuna-7b-v1.5', [('fineTunedFrom', 'meta-llama/Llama-2-7b-hf')], 'llama2')
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from llmgraph.errors import DataLoadError
from llmgraph.importers.resolve import HUB_LICENSES, SPDX, slug, spdx_id
from llmgraph.stores.index import LICENSE, MODEL, ORGANIZATION, RELATIONS
from llmgraph.vocab import LLM, LLMID

if TYPE_CHECKING:
    from llmgraph.stores.index import LineageIndex

__all__ = [
    "HUB_RELATIONS",
    "BulkRows",
    "HubFacts",
    "hub_iri",
    "licence_iri",
    "owner_iri",
    "read_records",
    "record_facts",
    "to_ntriples",
]

HUB = f"{LLMID}hf/"
HUB_OWNER = f"{LLMID}hf-owner/"
HUB_RELATIONS = {
    "finetune": "fineTunedFrom",
    "adapter": "adapterOf",
    "quantized": "quantizedFrom",
    "merge": "mergedFrom",
}
"""The Hub's ``base_model_relation`` values → llmgraph relations."""

_NO_LICENCE = {"other", "unknown", "none", ""}
_REL_CODE = {name: i for i, name in enumerate(RELATIONS)}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_CARD_LICENSE = re.compile(r"^license:\s*['\"]?([\w.\-]+)", re.MULTILINE)
_CARD_BASE = re.compile(r"^base_model:\s*['\"]?([\w.\-]+/[\w.\-]+)['\"]?\s*$", re.MULTILINE)
_CARD_RELATION = re.compile(r"^base_model_relation:\s*['\"]?(\w+)", re.MULTILINE)

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _p(term: object) -> str:
    return f"<{term}>"


_MODEL = _p(LLM.Model)
_ORG = _p(LLM.Organization)
_LICENSE_CLASS = _p(LLM.License)
_HFID = _p(LLM.huggingFaceId)
_DEV = _p(LLM.developedBy)
_LIC = _p(LLM.license)
_DATE_P = _p(LLM.releaseDate)
_PARAMS = _p(LLM.parameterCount)
_DERIVED = _p(LLM.derivedFrom)
_SOURCE = "<http://purl.org/dc/terms/source>"
_REL_P = {name: _p(getattr(LLM, name)) for name in (*HUB_RELATIONS.values(), "derivedFrom")}


def hub_iri(hub_id: str) -> str:
    """Return the IRI of a Hub model (the id's spelling kept).

    >>> hub_iri("meta-llama/Llama-2-7b-hf")
    'https://w3id.org/llmgraph/id/hf/meta-llama/Llama-2-7b-hf'
    """
    return HUB + hub_id


def owner_iri(owner: str) -> str:
    """Return the IRI of a Hub owner as an organization.

    >>> owner_iri("TheBloke")
    'https://w3id.org/llmgraph/id/hf-owner/TheBloke'
    """
    return HUB_OWNER + owner


def licence_iri(licence: str) -> tuple[str, str, bool] | None:
    """Return (IRI, label, minted) of a Hub licence id, or ``None`` for "other" / "unknown".

    A licence of the bundled data is reused (``minted`` is ``False``: it needs no type or
    label); otherwise the SPDX IRI, else ``…/id/license-<slug>``.

    >>> licence_iri("apache-2.0")
    ('http://spdx.org/licenses/Apache-2.0', 'Apache-2.0', True)
    >>> licence_iri("llama2")[0]
    'https://w3id.org/llmgraph/id/license-llama-2-community'
    """
    key = licence.strip()
    if key.casefold() in _NO_LICENCE:
        return None
    known = HUB_LICENSES.get(key.casefold())
    if known is not None:
        return str(known), key, False
    spdx = spdx_id(key)
    if spdx is not None:
        return SPDX + spdx, spdx, True
    return f"{LLMID}license-{slug(key)}", key, True


@dataclass
class HubFacts:
    """What one Hub record says, before it becomes triples.

    Attributes:
        hub_id: the Hub id as written (the label).
        owner: the owner part of the id, or ``None`` for legacy ids without one.
        licence: the Hub licence id, or ``None``.
        date: the creation date (``YYYY-MM-DD``), or ``None``.
        parameters: the parameter count from ``safetensors.total`` (not for quantized builds
            and adapters), or ``None``.
        parents: ``(relation, parent Hub id)``; ``derivedFrom`` when the Hub gives no relation.
    """

    hub_id: str
    owner: str | None = None
    licence: str | None = None
    date: str | None = None
    parameters: int | None = None
    parents: list[tuple[str, str]] = field(default_factory=list)


def record_facts(record: dict[str, Any]) -> HubFacts:
    """Map one ``ModelInfo`` record to :class:`HubFacts`.

    A base model that is not a valid Hub id (a local path, a URL) and a record that names
    itself as its base are ignored.

    Raises:
        ValueError: the record has no valid ``id`` / ``modelId``.

    >>> record_facts({"id": "gpt2"}).owner is None
    True
    """
    hub_id = record.get("id") or record.get("modelId") or record.get("model_id")
    if not isinstance(hub_id, str) or not _HUB_ID.match(hub_id):
        raise ValueError(f"a Hub record needs an 'id' like 'owner/name', got {hub_id!r}")
    facts = HubFacts(hub_id, hub_id.split("/", 1)[0] if "/" in hub_id else None)
    tags = record.get("tags") or []
    card = record.get("card_data", record.get("cardData"))
    plain: list[str] = []
    seen: set[str] = set()
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, str):
            continue
        if tag.startswith("base_model:"):
            rest = tag[len("base_model:") :]
            kind, sep, parent = rest.partition(":")
            if sep and kind in HUB_RELATIONS:
                _add_parent(facts, HUB_RELATIONS[kind], parent, seen)
            elif not sep:
                plain.append(rest)
        elif tag.startswith("license:") and facts.licence is None:
            facts.licence = tag[len("license:") :]
    card_bases: list[str] = []
    card_relation: str | None = None
    if isinstance(card, dict):
        base = card.get("base_model")
        card_bases = (
            [base] if isinstance(base, str) else [b for b in base or [] if isinstance(b, str)]
        )
        rel = card.get("base_model_relation")
        card_relation = rel if isinstance(rel, str) else None
        lic = card.get("license")
        if facts.licence is None and isinstance(lic, str):
            facts.licence = lic
    elif isinstance(card, str):
        card_bases = _CARD_BASE.findall(card)
        found = _CARD_RELATION.search(card)
        card_relation = found.group(1) if found else None
        lic_match = _CARD_LICENSE.search(card)
        if facts.licence is None and lic_match:
            facts.licence = lic_match.group(1)
    if not seen:
        relation = HUB_RELATIONS.get(card_relation or "", "derivedFrom")
        for parent in dict.fromkeys([*plain, *card_bases]):
            _add_parent(facts, relation, parent, seen)
    created = record.get("created_at") or record.get("createdAt")
    if isinstance(created, str) and (m := _DATE.match(created)):
        facts.date = m.group(1)
    tensors = record.get("safetensors")
    sized = not any(r in ("quantizedFrom", "adapterOf") for r, _ in facts.parents)
    if sized and isinstance(tensors, dict) and isinstance(tensors.get("total"), int):
        # as llmgraph.importers.hf_hub: a quantized build's or adapter's tensors are not its size
        facts.parameters = tensors["total"] if tensors["total"] > 0 else None
    return facts


def _add_parent(facts: HubFacts, relation: str, parent: str, seen: set[str]) -> None:
    parent = parent.strip()
    if not _HUB_ID.match(parent):
        return
    key = parent.casefold()
    if key == facts.hub_id.casefold() or any(
        r == relation and p.casefold() == key for r, p in facts.parents
    ):
        return
    seen.add(key)
    facts.parents.append((relation, parent))


def _literal(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


class BulkRows:
    """What the index needs, collected while the triples stream out, as numbered nodes.

    Node numbers are given in order of first appearance; edges, licences and class bits are
    compact arrays, so a million records cost tens of megabytes here, not gigabytes.

    Attributes:
        iris: the IRI of each node.
        labels: the label of each node, or ``None``.
        classes: the class bits of each node (see :mod:`llmgraph.stores.index`).
        src: edge sources; ``dst`` targets; ``rel`` relation codes.
        licences: (model, licence) node pairs, flattened.
        records: records read.
        triples: N-Triples lines written.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.iris: list[str] = []
        self.labels: list[str | None] = []
        self.classes = bytearray()
        self.src = array("q")
        self.dst = array("q")
        self.rel = array("B")
        self.licences = array("q")
        self.spelling: dict[str, str] = {}
        self.records = 0
        self.triples = 0

    def node(self, iri: str, label: str | None = None, bits: int = 0) -> tuple[int, bool]:
        """Return the number of ``iri`` and whether it is new; set its label and class bits."""
        found = self.ids.get(iri)
        fresh = found is None
        if found is None:
            found = self.ids[iri] = len(self.iris)
            self.iris.append(iri)
            self.labels.append(label)
            self.classes.append(bits)
        else:
            if label is not None:
                self.labels[found] = label
            self.classes[found] |= bits
        return found, fresh

    def edge(self, src: int, relation: str, dst: int) -> None:
        """Record an edge between two node numbers."""
        self.src.append(src)
        self.dst.append(dst)
        self.rel.append(_REL_CODE[relation])

    def iri(self, hub_id: str) -> str:
        """Return the IRI of ``hub_id`` in this import (first spelling seen wins)."""
        return hub_iri(self.spelling.setdefault(hub_id.casefold(), hub_id))

    def index(self) -> LineageIndex:
        """Build the lineage index of what was collected.

        Raises:
            LineageCycleError: the records make lineage cyclic.
        """
        from llmgraph.stores.index import LineageIndex

        return LineageIndex.from_numbered(
            iris=self.iris,
            labels=self.labels,
            classes=self.classes,
            src=np.frombuffer(self.src, dtype=np.int64),
            dst=np.frombuffer(self.dst, dtype=np.int64),
            rel=np.frombuffer(self.rel, dtype=np.uint8),
            licences=np.frombuffer(self.licences, dtype=np.int64).reshape(-1, 2),
        )


def to_ntriples(facts: HubFacts, rows: BulkRows | None = None) -> str:
    """Return the N-Triples of one record, recording what the index needs in ``rows``.

    The owner and licence entities are written the first time ``rows`` meets them.

    >>> text = to_ntriples(record_facts({"id": "gpt2"}))
    >>> print(text.replace("https://w3id.org/llmgraph", "…"), end="")
    <…/id/hf/gpt2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <…#Model> .
    <…/id/hf/gpt2> <http://www.w3.org/2000/01/rdf-schema#label> "gpt2" .
    <…/id/hf/gpt2> <…#huggingFaceId> "gpt2" .
    <…/id/hf/gpt2> <http://purl.org/dc/terms/source> <https://huggingface.co/gpt2> .
    """
    if rows is None:
        rows = BulkRows()
    iri = rows.iri(facts.hub_id)
    s = f"<{iri}>"
    label = _literal(facts.hub_id)
    lines = [
        f"{s} {_TYPE} {_MODEL} .",
        f"{s} {_LABEL} {label} .",
        f"{s} {_HFID} {label} .",
        f"{s} {_SOURCE} <https://huggingface.co/{facts.hub_id}> .",
    ]
    rows.records += 1
    me, _ = rows.node(iri, facts.hub_id, MODEL)
    if facts.owner is not None:
        org = owner_iri(facts.owner)
        lines.append(f"{s} {_DEV} <{org}> .")
        owner, fresh = rows.node(org, facts.owner, ORGANIZATION)
        if fresh:
            lines.append(f"<{org}> {_TYPE} {_ORG} .")
            lines.append(f"<{org}> {_LABEL} {_literal(facts.owner)} .")
        rows.edge(me, "developedBy", owner)
    found = _licence(facts.licence) if facts.licence is not None else None
    if found is not None:
        lic, lic_label, minted = found
        lines.append(f"{s} {_LIC} <{lic}> .")
        licence, fresh = rows.node(lic, lic_label if minted else None, LICENSE)
        if fresh and minted:
            lines.append(f"<{lic}> {_TYPE} {_LICENSE_CLASS} .")
            lines.append(f"<{lic}> {_LABEL} {_literal(lic_label)} .")
        rows.licences.append(me)
        rows.licences.append(licence)
    for relation, parent_id in facts.parents:
        parent_iri = rows.iri(parent_id)
        parent, _ = rows.node(parent_iri)
        lines.append(f"{s} {_REL_P[relation]} <{parent_iri}> .")
        rows.edge(me, relation, parent)
        if relation != "derivedFrom":
            lines.append(f"{s} {_DERIVED} <{parent_iri}> .")
            rows.edge(me, "derivedFrom", parent)
    if facts.date is not None:
        lines.append(f'{s} {_DATE_P} "{facts.date}"^^<{_XSD}date> .')
    if facts.parameters is not None:
        lines.append(f'{s} {_PARAMS} "{facts.parameters}"^^<{_XSD}integer> .')
    rows.triples += len(lines)
    return "\n".join(lines) + "\n"


_LICENCES: dict[str, tuple[str, str, bool] | None] = {}


def _licence(hub: str) -> tuple[str, str, bool] | None:
    if hub not in _LICENCES:
        _LICENCES[hub] = licence_iri(hub)
    return _LICENCES[hub]


def read_records(path: Path | str) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSON-lines file (blank lines skipped).

    Raises:
        DataLoadError: a line is not a JSON object (file and line named).
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except OSError as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise DataLoadError(f"not a JSON object: {exc}", path=path, line=number) from exc
            if not isinstance(record, dict):
                raise DataLoadError(
                    f"expected a JSON object (a ModelInfo record), got {type(record).__name__}",
                    path=path,
                    line=number,
                )
            yield record


class NTriplesStream:
    """A binary file object reading the N-Triples of records, generated as it is read.

    Oxigraph's bulk loader pulls from it, so the whole import streams: one Python string per
    record, no Python object per triple, memory bounded by ``chunk`` records.
    """

    def __init__(
        self,
        records: Iterable[dict[str, Any]],
        rows: BulkRows,
        *,
        chunk: int = 2_000,
        source: Path | None = None,
        progress: Any = None,
    ):
        self._records = iter(records)
        self._rows = rows
        self._chunk = chunk
        self._buffer = b""
        self._pos = 0
        self._done = False
        self._source = source
        self._progress = progress

    def _fill(self) -> None:
        parts: list[str] = []
        for record in self._records:
            try:
                facts = record_facts(record)
            except ValueError as exc:
                raise DataLoadError(
                    f"record {self._rows.records + 1}: {exc}", path=self._source
                ) from exc
            parts.append(to_ntriples(facts, self._rows))
            if len(parts) >= self._chunk:
                break
        else:
            self._done = True
        if self._progress is not None and parts:
            self._progress(len(parts))
        self._buffer = self._buffer[self._pos :] + "".join(parts).encode("utf-8")
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes (all that is left when ``size`` is negative)."""
        if size < 0:
            parts = [self._buffer[self._pos :]]
            while not self._done:
                self._buffer, self._pos = b"", 0
                self._fill()
                parts.append(self._buffer)
            self._buffer, self._pos = b"", 0
            return b"".join(parts)
        while self._pos >= len(self._buffer) and not self._done:
            self._buffer, self._pos = b"", 0
            self._fill()
        out = self._buffer[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def readinto(self, target: Any) -> int:
        """Fill ``target`` (a writable buffer) and return the number of bytes written."""
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        """Return ``True``: this is a readable stream."""
        return True


def open_stream(records: Iterable[dict[str, Any]], rows: BulkRows, **options: Any) -> BinaryIO:
    """Return an :class:`NTriplesStream` typed as a binary file."""
    return NTriplesStream(records, rows, **options)  # type: ignore[return-value]


def emit(
    source: Path,
    output: Path,
    *,
    index_dir: Path | None,
    chunk: int = 2_000,
) -> BulkRows:
    """Write the N-Triples of a JSON-lines file to ``output``; then save the index.

    This is the producer side of a parallel import: run in its own process
    (``python -m llmgraph.stores.bulk``) with ``output`` a named pipe, it maps records while
    Oxigraph's bulk loader, in the parent, reads the pipe directly (no Python in between).
    ``output`` is closed before the index is built, so loading and indexing overlap too.

    Raises:
        DataLoadError: a malformed line or record.
        LineageCycleError: the records make lineage cyclic (when ``index_dir`` is given).
    """
    rows = BulkRows()
    stream = NTriplesStream(read_records(source), rows, chunk=chunk, source=source)
    with _open_output(output) as out:
        while True:
            data = stream.read(1 << 20)
            if not data:
                break
            out.write(data)
    if index_dir is not None:
        rows.index().save(index_dir)
    return rows


def _open_output(output: Path) -> BinaryIO:
    """Open ``output`` for writing; for a named pipe, wait for its reader while it lives.

    A plain ``open`` of a pipe blocks until a reader opens it, forever if the importing
    process died first; this polls instead and gives up when the parent process is gone.
    """
    import errno
    import os
    import stat
    import time

    if not output.exists() or not stat.S_ISFIFO(output.stat().st_mode):
        return output.open("wb")
    parent = int(os.environ.get("LLMGRAPH_IMPORT_PARENT", os.getppid()))
    while True:
        try:
            fd = os.open(output, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
            if os.getppid() != parent:
                raise BrokenPipeError("the importing process is gone") from exc
            time.sleep(0.02)
            continue
        os.set_blocking(fd, True)
        return os.fdopen(fd, "wb")


def _main(argv: list[str]) -> int:
    """``python -m llmgraph.stores.bulk JSONL OUTPUT [INDEX_DIR]``: see :func:`emit`.

    At the end one JSON line on stdout says how it went: ``{"records": n}``, or
    ``{"error": …}`` / ``{"cycle": […]}`` with exit status 1.
    """
    import sys

    from llmgraph.errors import LineageCycleError

    source, output = Path(argv[0]), Path(argv[1])
    index_dir = Path(argv[2]) if len(argv) > 2 else None

    def say(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    try:
        rows = emit(source, output, index_dir=index_dir)
        say({"records": rows.records, "triples": rows.triples})
    except LineageCycleError as exc:
        say({"cycle": list(exc.cycle), "message": str(exc)})
        return 1
    except DataLoadError as exc:
        text = str(exc)
        if exc.path is not None:
            where = f"{exc.path}:{exc.line}: " if exc.line is not None else f"{exc.path}: "
            text = text.removeprefix(where)
        say({"error": text, "line": exc.line, "path": str(exc.path or "")})
        return 1
    except BrokenPipeError:
        return 1
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
