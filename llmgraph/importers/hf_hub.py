"""Hugging Face Hub API records (the JSON of ``ModelInfo``) → lineage.

Saved records are read from

- ``.csv`` files with a ``model_id`` column and a ``metadata`` column holding the record's JSON
  (the layout of saved Hub model trees: ``depth``, ``children`` … columns are ignored);
- ``.jsonl`` / ``.ndjson`` files, one record per line;
- ``.json`` files holding one record, a list of records, or ``{"models": [...]}``.

With network access, :func:`fetch_hub_records` asks the Hub itself (``HfApi.list_models`` by
author, or ``HfApi.model_info`` for one model and, with children, every model whose
``base_model:`` tag names it, recursively) and returns the same records.

What a record gives: the ``base_model:<relation>:<parent>`` tags (the Hub's own statement of
the lineage; when the card data states no ``base_model_relation`` the Hub inferred the kind,
and the edge is marked inferred with that reason), ``author`` (the developer when nothing better
is known), ``created_at`` (the repository's creation, taken as ``llm:releaseDate``), the
``license:`` and ``dataset:`` tags, ``arxiv:`` tags, ``safetensors.total`` as
``llm:parameterCount`` (not for quantized builds and adapters, whose tensor counts are not the
model's size), and the card data as for :mod:`~llmgraph.importers.hf_cards`. Records without
``base_model:`` tags fall back to the card data's ``base_model``.

Saved records are untrusted input, read within the bounds of :mod:`llmgraph.limits`: a JSON
line or CSV field of at most :data:`~llmgraph.limits.MAX_LINE_CHARS`, JSON nested at most
:data:`~llmgraph.limits.MAX_DEPTH` deep, no lone surrogate, at most
:data:`~llmgraph.limits.MAX_LINKS` parents per record. A JSON line over a limit is skipped with
the reason; a ``.json`` or ``.csv`` file over one is refused whole.

>>> record = parse_hub_record({"id": "a/b-GGUF", "tags": ["base_model:quantized:c/d"]}, where="x")
>>> [(p.ref.hf_id, p.relation.fragment) for p in record.parents]
[('c/d', 'quantizedFrom')]
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from pathlib import Path
from typing import Any

from llmgraph.errors import DataLoadError, UsageError
from llmgraph.graph import LineageGraph
from llmgraph.importers.build import Builder
from llmgraph.importers.hf_cards import (
    HUB,
    RELATIONS,
    add_record,
    canonical_metadata,
    front_matter,
    infer_relation,
    model_ids,
    parse_metadata,
    stated_relation,
)
from llmgraph.importers.records import LicenseRef, ModelRecord, Parent, Ref
from llmgraph.importers.report import ImportReport, Skip
from llmgraph.importers.resolve import HF_ID, HF_OWNER
from llmgraph.limits import (
    MAX_LINE_CHARS,
    check_links,
    csv_error,
    csv_field_limit,
    load_json,
    shown,
)

__all__ = [
    "fetch_hub_records",
    "import_hf_hub",
    "parse_hub_record",
    "read_hub_records",
    "record_from_model_info",
]

_TAG_RELATIONS = {"finetune", "adapter", "quantized", "merge"}
_DATASET_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")


def read_hub_records(path: Path | str) -> Iterator[tuple[str, dict[str, Any] | str]]:
    r"""Yield ``(where, record)`` for each record of a saved file; a bad one as ``(where, reason)``.

    A JSON line that is not a JSON object, or is over a limit of :mod:`llmgraph.limits`
    (longer than :data:`~llmgraph.limits.MAX_LINE_CHARS`, nested deeper than
    :data:`~llmgraph.limits.MAX_DEPTH`, holding a lone surrogate), is a bad record.

    Raises:
        DataLoadError: the file is missing or unreadable, or is not CSV, JSON or JSON lines; a
            ``.json`` file nests deeper than :data:`~llmgraph.limits.MAX_DEPTH` or holds a lone
            surrogate; a ``.csv`` field is longer than :data:`~llmgraph.limits.MAX_LINE_CHARS`.
            The message names the file, the line where known, and the limit hit.

    >>> import pathlib, tempfile
    >>> saved = pathlib.Path(tempfile.mkdtemp()) / "records.jsonl"
    >>> _ = saved.write_text('{"id": "a/b"}\n[1]\n')
    >>> [(where.rsplit(":", 1)[1], record) for where, record in read_hub_records(saved)]
    [('1', {'id': 'a/b'}), ('2', "metadata is not a JSON object: '[1]'")]
    """
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix in (".jsonl", ".ndjson"):
        yield from _json_lines(path)
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc
    if suffix == ".csv":
        yield from _csv_records(path, text)
    elif suffix == ".json":
        data = load_json(text, path=path)
        if isinstance(data, dict) and isinstance(data.get("models"), list):
            data = data["models"]
        items = data if isinstance(data, list) else [data]
        for number, item in enumerate(items):
            where = f"{path}[{number}]"
            yield where, item if isinstance(item, dict) else f"not a JSON object: {shown(item)}"
    else:
        raise DataLoadError(
            f"cannot tell the format from {path.suffix!r}: expected .csv, .json or .jsonl",
            path=path,
        )


def _json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Yield the records of a JSON-lines file as it is read (a million lines are not held)."""
    try:
        with path.open(encoding="utf-8-sig", newline="\n") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    yield f"{path}:{number}", _json_object(line.removesuffix("\n"))
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc


def _json_object(text: str) -> dict[str, Any] | str:
    """Parse one record's JSON (a JSON line, a CSV cell), or say why it is not a record."""
    if len(text) > MAX_LINE_CHARS:
        return (
            f"metadata refused: {len(text):,} characters, more than {MAX_LINE_CHARS:,} "
            "(limit llmgraph.limits.MAX_LINE_CHARS)"
        )
    try:
        data = load_json(text)
    except DataLoadError as exc:
        cause = exc.__cause__
        if isinstance(cause, json.JSONDecodeError):
            return f"metadata is not valid JSON: {cause.msg} (column {cause.colno})"
        reason = str(exc)
        if reason.startswith("invalid JSON: "):
            return "metadata is not valid JSON: " + reason.removeprefix("invalid JSON: ")
        return f"metadata refused: {reason}"
    if not isinstance(data, dict):
        return f"metadata is not a JSON object: {text[:60]!r}"
    return data


def _csv_records(path: Path, text: str) -> list[tuple[str, dict[str, Any] | str]]:
    records: list[tuple[str, dict[str, Any] | str]] = []
    line = 1
    with csv_field_limit():
        reader = csv.DictReader(text.splitlines(keepends=True))
        try:
            fieldnames = reader.fieldnames or []
            columns = {(c or "").strip().casefold(): c for c in fieldnames}
            if "metadata" not in columns and "model_id" not in columns:
                found = ", ".join(shown(c) for c in fieldnames) or "none"
                raise DataLoadError(
                    f"expected a model_id or metadata column; found {found}", path=path
                )
            for row in reader:
                where = f"{path}:{line + 1}"
                line = reader.line_num
                raw = row.get(columns.get("metadata", ""), "") or ""
                model_id = (row.get(columns.get("model_id", ""), "") or "").strip()
                record: dict[str, Any] | str
                if raw.strip():
                    record = _json_object(raw)
                else:
                    record = {"id": model_id} if model_id else "no metadata and no model_id"
                if isinstance(record, dict) and model_id:
                    record.setdefault("id", model_id)
                records.append((where, record))
        except csv.Error as exc:
            raise DataLoadError(csv_error(exc), path=path, line=reader.line_num + 1) from exc
    return records


def _created(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.datetime.fromisoformat(value.strip().replace(" ", "T", 1)).date()
        except ValueError:
            return None
    return None


def _card_data(record: Mapping[str, Any], where: str) -> tuple[dict[str, Any], list[str]]:
    data = record.get("card_data", record.get("cardData"))
    if isinstance(data, dict):
        return data, []
    if isinstance(data, str) and data.strip():
        parsed = front_matter(f"---\n{data}\n---\n")
        if isinstance(parsed, dict):
            return parsed, []
        return {}, [f"{where}: card data ignored ({parsed}; saved records may truncate it)"]
    return {}, []


def parse_hub_record(record: Mapping[str, Any], *, where: str) -> ModelRecord | Skip:
    """Turn one Hub record (``ModelInfo`` as JSON) into a model record, or say why not.

    Any JSON object gives a record or a :class:`Skip`; a record naming more than
    :data:`~llmgraph.limits.MAX_LINKS` parents is a :class:`Skip` whose reason names the limit.

    >>> parse_hub_record({"author": "x"}, where="r1")
    Skip(record='r1', reason='no model id (id, modelId or model_id)')
    """
    repo_id = record.get("id") or record.get("modelId") or record.get("model_id")
    if not isinstance(repo_id, str) or not repo_id.strip():
        return Skip(where, "no model id (id, modelId or model_id)")
    repo_id = repo_id.strip()
    if not HF_ID.match(repo_id):
        return Skip(where, f"{shown(repo_id)} is not a Hub repository id (owner/name)")
    try:
        return _parse_hub_record(record, repo_id, where)
    except DataLoadError as exc:
        return Skip(where, str(exc))


def _file_names(siblings: Any) -> list[str]:
    """Return the file names in ``siblings`` (dicts, ``RepoSibling`` objects or names)."""
    names: list[str] = []
    for sibling in siblings if isinstance(siblings, list) else []:
        name = sibling.get("rfilename") if isinstance(sibling, dict) else sibling
        name = getattr(name, "rfilename", name)
        if isinstance(name, str):
            names.append(name)
    return names


def _parse_hub_record(record: Mapping[str, Any], repo_id: str, where: str) -> ModelRecord:
    card, notes = _card_data(record, where)
    raw_tags = record.get("tags")
    tags = [t for t in raw_tags if isinstance(t, str)] if isinstance(raw_tags, list) else []
    files = _file_names(record.get("siblings"))
    gguf = bool(record.get("gguf"))
    meta = dict(card)
    if "library_name" not in meta and isinstance(record.get("library_name"), str):
        meta["library_name"] = record["library_name"]
    card_tags = meta.get("tags")
    card_tags = [card_tags] if isinstance(card_tags, str) else card_tags
    card_tags = card_tags if isinstance(card_tags, list) else []
    meta["tags"] = card_tags + [t for t in tags if not t.startswith("base_model:")]
    parsed = parse_metadata(meta, repo_id, where=where, files=files, gguf=gguf)
    parsed.report_notes = notes + parsed.report_notes
    tagged = _tag_parents(tags)
    check_links(len(tagged), "models in base_model: tags")
    if tagged:
        canonical, _ = canonical_metadata(card, where=where)
        stated, _ = stated_relation(canonical, where=where)
        untyped = [p for p, r in tagged.items() if r is None]
        if stated is not None:
            guess, why = stated, None
        else:
            canonical["tags"] = meta["tags"]
            guess, why = infer_relation(canonical, repo_id, len(untyped), files=files, gguf=gguf)
        parents: list[Parent] = []
        for parent_id, relation in tagged.items():
            if relation is None:
                parents.append(Parent(Ref(hf_id=parent_id), RELATIONS[guess], why))
                continue
            reason = None
            if stated is None:
                reason = (
                    f"the Hub's tag base_model:{relation}:{parent_id}; the card states no "
                    "base_model_relation, so the Hub inferred the kind"
                )
            elif stated != relation:
                reason = (
                    f"the Hub's tag base_model:{relation}:{parent_id}, though the card states "
                    f"base_model_relation: {stated}"
                )
            parents.append(Parent(Ref(hf_id=parent_id), RELATIONS[relation], reason))
        kept = {p.ref.hf_id for p in parsed.parents if p.ref.hf_id}
        if parsed.parent_names and not kept & set(tagged):
            parsed.parent_names = {}
        parsed.parents = parents
    author = record.get("author")
    if isinstance(author, str) and author.strip():
        if HF_OWNER.match(author.strip()):
            parsed.fallback_developer = Ref(hf_owner=author.strip())
        else:
            parsed.report_notes.append(
                f"{where}: author {shown(author)} is not a Hub user or organization name; "
                f"the owner in the id ({repo_id.split('/', 1)[0]}) is used"
            )
    created = _created(record.get("created_at", record.get("createdAt")))
    if created is not None:
        parsed.release_date = created
    relations = {p.relation for p in parsed.parents}
    if not relations & {RELATIONS["quantized"], RELATIONS["adapter"]}:
        total = _safetensors_total(record.get("safetensors"))
        if total:
            parsed.parameter_count = total
    for tag in tags:
        kind, _, value = tag.partition(":")
        if kind == "license" and value and parsed.license is None:
            parsed.license = LicenseRef(hub_id=value)
        elif kind == "license" and value and parsed.license is not None:
            if not parsed.license.hub_id or parsed.license.hub_id.casefold() == "other":
                parsed.license = LicenseRef(hub_id=value, name=parsed.license.name)
        elif kind == "dataset" and _DATASET_ID.match(value):
            parsed.datasets.append(f"{HUB}datasets/{value}")
        elif kind == "arxiv" and _ARXIV_ID.match(value):
            parsed.see_also.append(f"https://arxiv.org/abs/{value}")
    parsed.datasets = list(dict.fromkeys(parsed.datasets))
    parsed.see_also = list(dict.fromkeys(parsed.see_also))
    return parsed


def _tag_parents(tags: Iterable[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    keys: dict[str, str] = {}
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        relation: str | None = None
        head, sep, tail = rest.partition(":")
        if sep and head in _TAG_RELATIONS:
            relation, rest = head, tail
        ids, _, _ = model_ids(rest)
        if not ids:
            continue
        parent = keys.setdefault(ids[0].casefold(), ids[0])
        if relation is not None or parent not in found:
            found[parent] = relation if relation is not None else found.get(parent)
    return found


def _safetensors_total(value: Any) -> int | None:
    total = value.get("total") if isinstance(value, dict) else getattr(value, "total", None)
    return total if isinstance(total, int) and not isinstance(total, bool) and total > 0 else None


def record_from_model_info(info: Any) -> dict[str, Any]:
    """Return a ``huggingface_hub`` ``ModelInfo`` as the JSON record the importer reads.

    >>> from huggingface_hub.hf_api import ModelInfo
    >>> info = ModelInfo(id="a/b", tags=[], createdAt="2024-01-02T00:00:00.000Z")
    >>> record_from_model_info(info)["created_at"]
    '2024-01-02T00:00:00+00:00'
    """
    card = getattr(info, "card_data", None)
    card_dict = None
    if card is not None:
        card_dict = {k: v for k, v in vars(card).items() if v is not None and not k.startswith("_")}
        card_dict.pop("eval_results", None)
    created = getattr(info, "created_at", None)
    safetensors = getattr(info, "safetensors", None)
    return {
        "id": info.id,
        "author": getattr(info, "author", None),
        "created_at": created.isoformat() if isinstance(created, dt.datetime) else created,
        "tags": list(getattr(info, "tags", None) or []),
        "library_name": getattr(info, "library_name", None),
        "gguf": getattr(info, "gguf", None),
        "siblings": [
            {"rfilename": getattr(s, "rfilename", str(s))}
            for s in getattr(info, "siblings", None) or []
        ],
        "safetensors": {"total": getattr(safetensors, "total", None)} if safetensors else None,
        "card_data": card_dict,
    }


def fetch_hub_records(
    *,
    author: str | None = None,
    model: str | None = None,
    with_children: bool = False,
    max_depth: int | None = None,
    api: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Fetch Hub records with ``huggingface_hub`` (network access needed).

    Args:
        author: every model of this user or organization.
        model: one model id.
        with_children: with ``model``, also every model whose ``base_model:`` tag names a
            fetched model, breadth first.
        max_depth: with ``with_children``, stop this many generations below ``model``.
        api: an ``HfApi`` (or anything with its ``list_models`` / ``model_info``).
        progress: called as ``progress(done, total)`` while children are fetched.

    Returns:
        The records, as :func:`record_from_model_info` makes them, each model once.

    Raises:
        UsageError: neither ``author`` nor ``model`` is given.
        DataLoadError: the Hub cannot be reached or answers with an error.
    """
    if not author and not model:
        raise UsageError("fetching from the Hub needs --author NAME or --model ID")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    records: dict[str, dict[str, Any]] = {}
    try:
        if author:
            for info in api.list_models(author=author, full=True, cardData=True):
                records.setdefault(info.id.casefold(), record_from_model_info(info))
        if model:
            first = record_from_model_info(api.model_info(model))
            records.setdefault(first["id"].casefold(), first)
            frontier = [first["id"]]
            depth = 0
            while with_children and frontier and (max_depth is None or depth < max_depth):
                depth += 1
                following: list[str] = []
                for parent in frontier:
                    found = api.list_models(filter=f"base_model:{parent}", full=True, cardData=True)
                    for info in found:
                        if info.id.casefold() not in records:
                            records[info.id.casefold()] = record_from_model_info(info)
                            following.append(info.id)
                    if progress is not None:
                        progress(len(records), len(records) + len(following))
                frontier = following
    except Exception as exc:  # network, HTTP and repository errors of huggingface_hub
        if isinstance(exc, UsageError):
            raise
        raise DataLoadError(f"cannot fetch from the Hugging Face Hub: {exc}") from exc
    return list(records.values())


def import_hf_hub(
    lg: LineageGraph,
    paths: Sequence[Path | str] = (),
    *,
    records: Iterable[Mapping[str, Any]] = (),
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import Hub API records into ``lg``: from saved files and/or records already in memory.

    Args:
        lg: the graph; names resolve against it, and the new facts are added to it at once.
        paths: saved records (``.csv`` with a ``metadata`` column, ``.json``, ``.jsonl``).
        records: records as dicts (e.g. from :func:`fetch_hub_records`).
        progress: called as ``progress(done, total)`` after each record.

    Returns:
        The :class:`ImportReport`.

    Raises:
        DataLoadError: a file is missing or not in a known format.
        LineageCycleError: the facts would close a derivation cycle (nothing is added).

    >>> from llmgraph import LineageGraph
    >>> lg = LineageGraph.load(bundled=False)
    >>> tags = ["base_model:finetune:mistralai/Mistral-7B-v0.1", "license:apache-2.0"]
    >>> report = import_hf_hub(lg, records=[{"id": "me/my-tune", "author": "me", "tags": tags}])
    >>> [(a.label, a.relation) for a in lg.ancestors("me/my-tune")]
    [('mistralai/Mistral-7B-v0.1', 'fineTunedFrom')]
    """
    report = ImportReport("hf-hub")
    for path in paths:  # fail early on a missing file, before anything is written
        if not Path(path).is_file():
            raise DataLoadError("no such file", path=path)

    def items() -> Iterator[tuple[str, dict[str, Any] | str]]:
        for path in paths:
            yield from read_hub_records(path)
        for number, record in enumerate(records):
            name = record.get("id")
            yield (name if isinstance(name, str) and name else f"record {number}"), dict(record)

    total = len(records) if not paths and isinstance(records, Sized) else 0
    builder = Builder(lg, report, prefix="hf")
    noted: set[str] = set()

    def steps() -> Iterator[None]:
        for done, (where, item) in enumerate(items(), 1):
            report.records_read += 1
            if isinstance(item, str):
                report.skip(where, item)
            else:
                add_record(builder, report, parse_hub_record(item, where=where), noted=noted)
            if progress is not None:
                progress(done, total)
            yield None

    return builder.finish(steps())
