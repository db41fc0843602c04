"""Wikidata about language models → models, organizations, lineage and backing.

Two inputs are read (a ``.json`` file each):

SPARQL 1.1 Query Results JSON (what the Wikidata Query Service returns)
    One subject per row in ``?item`` (or ``?model``); the other variables are named after the
    property or its meaning, with ``…Label`` variables from the label service::

        ?item ?itemLabel ?itemAltLabel
        ?basedOn (or ?P144) ?basedOnLabel        ?developer (?P178) ?developerLabel
        ?owner (?ownedBy, ?P127) ?ownerLabel     ?investor (?P1951) ?investorLabel
        ?funder (?P8324) ?funderLabel            ?inception (?P571, an xsd:dateTime)
        ?license (?licence, ?P275) ?licenseLabel ?licenseSpdx (the licence's P2479)
        ?huggingFaceId (?hfId)

    Rows about the same item are merged.
Entity JSON (``Special:EntityData/Q….json``, ``wbgetentities``)
    ``{"entities": {"Q…": {"labels": …, "aliases": …, "claims": …}}}``; the labels of items
    that are referenced but not included are unknown (their Q-id stands in).

Mapping onto the vocabulary, with ``owl:sameAs`` from every entity to its item and the item's
IRI as ``dcterms:source``:

========  ================  =========================================================
P144      based on          ``llm:fineTunedFrom`` (marked inferred: Wikidata does not say
                            how a model was built on the other)
P178      developer         ``llm:developedBy``
P127      owned by          on an organization: ``owner llm:owns org``
P1951     investor          on an organization: ``investor llm:investsIn org``
P8324     funder            on an organization: ``funder llm:investsIn org``
P571      inception         on a model: ``llm:releaseDate`` (day precision only)
P275      copyright licence ``llm:license`` (the SPDX IRI when P2479 is known)
========  ================  =========================================================

An item is an organization when it is the developer, owner, investor or funder of another
item, or when it has investors or funders and no base model or developer; every other item
is a model. Ownership, investment and funding of a *model* have no term in the vocabulary and
are kept as ``skos:note``. Backing facts get a statement node citing the backed item.

Files are untrusted input, read within the bounds of :mod:`llmgraph.limits`: JSON nested
deeper than :data:`~llmgraph.limits.MAX_DEPTH`, or holding a lone surrogate, is refused; an
item with more than :data:`~llmgraph.limits.MAX_LINKS` values of one linking property (P144,
P178, P127, P1951 and P8324 together) is skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmgraph.errors import DataLoadError
from llmgraph.graph import LineageGraph
from llmgraph.importers.build import Builder
from llmgraph.importers.records import LicenseRef, ModelRecord, OrgRecord, Parent, Ref
from llmgraph.importers.report import ImportReport
from llmgraph.importers.resolve import HF_ID, WIKIDATA
from llmgraph.limits import check_links, load_json
from llmgraph.vocab import LLM

__all__ = ["PROPERTIES", "WikidataItem", "import_wikidata", "read_wikidata"]

PROPERTIES: dict[str, str] = {
    "P144": "based on",
    "P178": "developer",
    "P127": "owned by",
    "P1951": "investor",
    "P8324": "funder",
    "P571": "inception",
    "P275": "copyright license",
    "P2479": "SPDX license ID",
}
"""The Wikidata properties read, and their meaning."""

BASED_ON_NOTE = (
    "inferred: Wikidata's P144 (based on) does not say how the model was built on the other; "
    "fine-tuning assumed"
)

_VARIABLES = {
    "item": "item",
    "model": "item",
    "basedon": "P144",
    "p144": "P144",
    "basemodel": "P144",
    "developer": "P178",
    "developedby": "P178",
    "p178": "P178",
    "owner": "P127",
    "ownedby": "P127",
    "p127": "P127",
    "investor": "P1951",
    "p1951": "P1951",
    "funder": "P8324",
    "fundedby": "P8324",
    "p8324": "P8324",
    "inception": "P571",
    "p571": "P571",
    "license": "P275",
    "licence": "P275",
    "p275": "P275",
    "licensespdx": "P2479",
    "licencespdx": "P2479",
    "spdx": "P2479",
    "huggingfaceid": "hf",
    "hfid": "hf",
}
_ORG_PROPERTIES = ("P178", "P127", "P1951", "P8324")
_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass
class Value:
    """One value of a claim: an item (with its label, when known) or a literal.

    Attributes:
        qid: the item's id, for item values.
        text: the literal (a date, an SPDX id, a Hub id), for other values.
        label: the item's label, when the input gives it.
        precision: Wikidata's time precision (11 = day), when known.
    """

    qid: str | None = None
    text: str | None = None
    label: str | None = None
    precision: int | None = None


@dataclass
class WikidataItem:
    """An item of the input: its label, aliases and claims (property → values)."""

    qid: str
    where: str
    label: str | None = None
    aliases: list[str] = field(default_factory=list)
    claims: dict[str, list[Value]] = field(default_factory=dict)
    _index: dict[tuple[str, str | None, str | None], Value] = field(
        default_factory=dict, repr=False, compare=False
    )

    def values(self, prop: str) -> list[Value]:
        """Return the values of ``prop`` (``"P144"`` …), in input order."""
        return self.claims.get(prop, [])

    def add(self, prop: str, value: Value) -> None:
        """Add a value, merging it with an equal one (keeping a label or precision it brings).

        >>> item = WikidataItem("Q1", "here")
        >>> item.add("P144", Value(qid="Q2"))
        >>> item.add("P144", Value(qid="Q2", label="Base"))
        >>> [(v.qid, v.label) for v in item.values("P144")]
        [('Q2', 'Base')]
        """
        key = (prop, value.qid, value.text)
        old = self._index.get(key)
        if old is not None:
            old.label = old.label or value.label
            old.precision = old.precision if old.precision is not None else value.precision
            return
        self._index[key] = value
        self.claims.setdefault(prop, []).append(value)


def _qid(text: str) -> str | None:
    tail = text.rstrip("/").rsplit("/", 1)[-1]
    return tail if _QID.match(tail) else None


def read_wikidata(path: Path | str) -> list[WikidataItem]:
    """Read SPARQL results JSON or entity JSON into items (see the module docstring).

    Raises:
        DataLoadError: the file is missing, not JSON, nested deeper than
            :data:`~llmgraph.limits.MAX_DEPTH`, holds a lone surrogate, or is neither format.

    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "q.json"
    >>> row = {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
    ...        "itemLabel": {"type": "literal", "value": "Alpha"}}
    >>> results = {"head": {"vars": ["item"]}, "results": {"bindings": [row]}}
    >>> _ = path.write_text(json.dumps(results))
    >>> [(i.qid, i.label) for i in read_wikidata(path)]
    [('Q1', 'Alpha')]
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc
    data = load_json(text, path=path)
    if isinstance(data, dict) and isinstance(data.get("results"), dict):
        return _from_sparql(path, data)
    if isinstance(data, dict) and isinstance(data.get("entities"), dict):
        return _from_entities(path, list(data["entities"].values()))
    if isinstance(data, list) or (isinstance(data, dict) and "claims" in data):
        return _from_entities(path, data if isinstance(data, list) else [data])
    raise DataLoadError(
        "not Wikidata: expected SPARQL results JSON ({'head', 'results'}) or entity JSON "
        "({'entities': …})",
        path=path,
    )


def _from_sparql(path: Path, data: Mapping[str, Any]) -> list[WikidataItem]:
    bindings = data["results"].get("bindings")
    if not isinstance(bindings, list):
        raise DataLoadError("SPARQL results without a bindings list", path=path)
    items: dict[str, WikidataItem] = {}
    for number, row in enumerate(bindings, 1):
        if not isinstance(row, dict):
            continue
        cells: dict[str, dict[str, Any]] = {
            _key(var): cell for var, cell in row.items() if isinstance(cell, dict)
        }
        subject = next(
            (c for k, c in cells.items() if _VARIABLES.get(k) == "item" and c.get("type") == "uri"),
            None,
        )
        qid = _qid(str(subject.get("value", ""))) if subject else None
        if qid is None:
            item = WikidataItem(f"row {number}", f"{path}: result row {number}")
            item.claims["__invalid__"] = []
            items[item.qid] = item
            continue
        item = items.setdefault(qid, WikidataItem(qid, f"{path}: {qid}"))
        for key, cell in cells.items():
            value = str(cell.get("value", "")).strip()
            prop = _VARIABLES.get(key)
            if key.endswith("altlabel") and _VARIABLES.get(key[: -len("altlabel")]) == "item":
                item.aliases += [a.strip() for a in value.split(",") if a.strip()]
            elif key.endswith("label") and _VARIABLES.get(key[: -len("label")]) == "item":
                if value and value != qid:
                    item.label = value
            elif prop and prop != "item" and value:
                label_cell = cells.get(key + "label", {})
                label = str(label_cell.get("value", "")).strip() or None
                precision_cell = cells.get(key + "precision", {})
                precision = _int(precision_cell.get("value"))
                if cell.get("type") == "uri":
                    target = _qid(value)
                    if target is not None:
                        label = label if label and label != target else None
                        item.add(prop, Value(qid=target, label=label, precision=precision))
                else:
                    item.add(prop, Value(text=value, precision=precision))
    for item in items.values():
        item.aliases = list(dict.fromkeys(item.aliases))
    return list(items.values())


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _from_entities(path: Path, entities: Iterable[Any]) -> list[WikidataItem]:
    items: list[WikidataItem] = []
    labels: dict[str, str] = {}
    raw = [e for e in entities if isinstance(e, dict)]
    for entity in raw:
        qid = str(entity.get("id", ""))
        label = _language_value(entity.get("labels"))
        if _QID.match(qid) and label:
            labels[qid] = label
    for entity in raw:
        qid = str(entity.get("id", ""))
        if not _QID.match(qid):
            bad = WikidataItem(qid or "?", f"{path}: entity {qid or '?'}")
            bad.claims["__invalid__"] = []
            items.append(bad)
            continue
        item = WikidataItem(qid, f"{path}: {qid}", label=labels.get(qid))
        aliases = entity.get("aliases")
        if isinstance(aliases, dict):
            for alias in aliases.get("en") or aliases.get("mul") or []:
                if isinstance(alias, dict) and isinstance(alias.get("value"), str):
                    item.aliases.append(alias["value"])
        claims = entity.get("claims") if isinstance(entity.get("claims"), dict) else {}
        for prop, statements in (claims or {}).items():
            for statement in statements if isinstance(statements, list) else []:
                value = _claim_value(statement, labels)
                if value is not None:
                    item.add(str(prop), value)
        items.append(item)
    return items


def _language_value(field_value: Any) -> str | None:
    if not isinstance(field_value, dict):
        return None
    for lang in ("en", "mul", *field_value):
        entry = field_value.get(lang)
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            return str(entry["value"])
    return None


def _claim_value(statement: Any, labels: Mapping[str, str]) -> Value | None:
    if not isinstance(statement, dict) or statement.get("rank") == "deprecated":
        return None
    snak = statement.get("mainsnak")
    if not isinstance(snak, dict) or snak.get("snaktype", "value") != "value":
        return None
    datavalue = snak.get("datavalue")
    if not isinstance(datavalue, dict):
        return None
    value = datavalue.get("value")
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return Value(qid=value["id"], label=labels.get(value["id"]))
    if isinstance(value, dict) and isinstance(value.get("time"), str):
        return Value(text=value["time"], precision=_int(value.get("precision")))
    if isinstance(value, str):
        return Value(text=value)
    return None


def _date(value: Value) -> dt.date | None:
    text = (value.text or "").lstrip("+")
    match = re.match(r"^(\d{4})-(\d\d)-(\d\d)", text)
    if not match or (value.precision is not None and value.precision < 11):
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _ref(value: Value) -> Ref:
    return Ref(qid=value.qid, name=value.label)


def _too_many_links(item: WikidataItem) -> str | None:
    """Say which linking property of ``item`` has more values than llmgraph reads, if one has."""
    for props, what in (
        (("P144",), "values of P144 (based on)"),
        (("P178",), "values of P178 (developer)"),
        (("P127",), "values of P127 (owned by)"),
        (("P1951", "P8324"), "values of P1951 (investor) and P8324 (funder)"),
    ):
        try:
            check_links(sum(len(item.values(p)) for p in props), what)
        except DataLoadError as exc:
            return str(exc)
    return None


def _model_record(item: WikidataItem, licenses: Mapping[str, str]) -> ModelRecord:
    source = WIKIDATA + item.qid
    hf_ids = [v.text for v in item.values("hf") if v.text and HF_ID.match(v.text)]
    record = ModelRecord(
        where=item.where,
        sources=[source],
        ref=Ref(qid=item.qid, name=item.label, hf_id=hf_ids[0] if hf_ids else None),
        aliases=list(item.aliases),
    )
    record.developers = [_ref(v) for v in item.values("P178") if v.qid]
    record.parents = [
        Parent(_ref(v), LLM.fineTunedFrom, BASED_ON_NOTE) for v in item.values("P144") if v.qid
    ]
    for value in item.values("P571")[:1]:
        record.release_date = _date(value)
        if record.release_date is None:
            record.report_notes.append(
                f"{item.where}: inception {value.text!r} is not a day-precision date; "
                "no llm:releaseDate"
            )
    for value in item.values("P275")[:1]:
        spdx = licenses.get(value.qid or "") or next(
            (v.text for v in item.values("P2479") if v.text), None
        )
        record.license = LicenseRef(qid=value.qid, name=value.label, spdx=spdx)
    for prop, what in (("P127", "owned by"), ("P1951", "investor"), ("P8324", "funder")):
        for value in item.values(prop):
            shown = value.label or value.qid or value.text
            record.notes.append(f"Wikidata {item.qid} {prop} ({what}): {shown}")
    return record


def import_wikidata(
    lg: LineageGraph,
    paths: Sequence[Path | str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import Wikidata SPARQL results or entity JSON into ``lg``.

    Args:
        lg: the graph; names resolve against it, and the new facts are added to it at once.
        paths: ``.json`` files.
        progress: called as ``progress(done, total)`` after each item.

    Returns:
        The :class:`ImportReport`.

    Raises:
        DataLoadError: a file is missing or is not Wikidata JSON.
        LineageCycleError: the facts would close a derivation cycle (nothing is added).

    >>> import json, pathlib, tempfile
    >>> from llmgraph import LineageGraph
    >>> def item(qid, label, **claims):
    ...     value = {p: {"datavalue": {"value": {"id": q}}} for p, q in claims.items()}
    ...     refs = {p: [{"mainsnak": snak}] for p, snak in value.items()}
    ...     return {"id": qid, "labels": {"en": {"value": label}}, "claims": refs}
    >>> entities = {"Q2": item("Q2", "Chat 7B", P144="Q1"), "Q1": item("Q1", "Base 7B")}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "items.json"
    >>> _ = path.write_text(json.dumps({"entities": entities}))
    >>> lg = LineageGraph.load(bundled=False)
    >>> report = import_wikidata(lg, [path])
    >>> [(a.label, a.relation) for a in lg.ancestors("Chat 7B")]
    [('Base 7B', 'fineTunedFrom')]
    """
    report = ImportReport("wikidata")
    items: list[WikidataItem] = []
    for path in paths:
        items += read_wikidata(path)
    builder = Builder(lg, report, prefix="wd")
    referenced_orgs = {
        v.qid for item in items for p in _ORG_PROPERTIES for v in item.values(p) if v.qid
    }
    licence_items = {v.qid for item in items for v in item.values("P275") if v.qid}
    licenses = {
        item.qid: v.text
        for item in items
        if item.qid in licence_items
        for v in item.values("P2479")[:1]
        if v.text
    }
    for done, item in enumerate(items, 1):
        report.records_read += 1
        too_many = _too_many_links(item)
        if too_many is not None:
            report.skip(item.where, too_many)
        elif "__invalid__" in item.claims:
            report.skip(item.where, "no Wikidata item (a Q-id) for the subject")
        elif item.qid in licence_items and item.qid not in referenced_orgs:
            pass  # a licence, described for its label and SPDX id: used by the models citing it
        elif _is_organization(item, referenced_orgs):
            org = OrgRecord(
                where=item.where,
                sources=[WIKIDATA + item.qid],
                ref=Ref(qid=item.qid, name=item.label),
                aliases=list(item.aliases),
                owners=[_ref(v) for v in item.values("P127") if v.qid],
                investors=[_ref(v) for p in ("P1951", "P8324") for v in item.values(p) if v.qid],
            )
            builder.add_organization(org)
        else:
            record = _model_record(item, licenses)
            report.notes.extend(record.report_notes)
            builder.add_model(record)
        if progress is not None:
            progress(done, len(items))
    return builder.finish()


def _is_organization(item: WikidataItem, referenced: set[str]) -> bool:
    if item.qid in referenced:
        return True
    backed = item.values("P1951") or item.values("P8324")
    return bool(backed) and not (item.values("P144") or item.values("P178"))
