"""Records → triples: resolve every name, mint IRIs for what is new, and load atomically.

A :class:`Builder` turns the :mod:`~llmgraph.importers.records` of one import into triples
of the ``llm:`` vocabulary, one record at a time. A record that cannot be imported (its
lineage would close a derivation cycle) is rolled back and reported as skipped; the others are
collected, and :meth:`Builder.finish` loads them all with one
:meth:`LineageGraph.add <llmgraph.LineageGraph.add>`, which either adds everything or raises
and adds nothing.

IRIs of new entities (deterministic, so that importing twice adds nothing the second time):

======================================  ====================================================
a model with a Hub id ``owner/name``    ``https://w3id.org/llmgraph/id/hf/owner/name``
                                        (the id's spelling kept)
a Hub owner, as an organization         ``…/id/hf-owner/<owner>``
a Wikidata item (model, organization,   ``…/id/wd/<Q-id>``
licence)
a model only named (Epoch)              ``…/id/<source>/<slug of the name>``, e.g.
                                        ``…/id/epoch/llama-13b``
an organization only named              ``…/id/org/<slug of the name>``
a licence                               its SPDX IRI, else ``…/id/license-<slug>``
a statement about an inferred relation  ``…/id/statement/<hash of the triple>``
======================================  ====================================================

Facts: a new entity gets its type, exactly one ``rdfs:label`` (the Hub id, the Epoch name, the
Wikidata label), ``llm:huggingFaceId`` / ``owl:sameAs`` where known, and a ``dcterms:source``
for every record that describes it. An entity that already exists gets the new names as
``skos:altLabel`` and the new facts; a value that contradicts a single-valued fact it already
has (``llm:releaseDate``, ``llm:parameterCount``), or a lineage edge of another kind between
the same two models, is not written: it is kept, with its source, as a ``skos:note``; so is
an edge to a model that is already an ancestor through other edges (a card that names its
grandparent as ``base_model`` does not flatten the curated chain).
A relation whose kind was inferred gets an ``rdf:Statement`` node with ``llm:inferred true``,
the reason as ``skos:note``, and the source.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from rdflib import DCTERMS as _DCTERMS
from rdflib import OWL as _OWL
from rdflib import RDF as _RDF
from rdflib import RDFS as _RDFS
from rdflib import SKOS as _SKOS
from rdflib import XSD as _XSD
from rdflib import Literal, URIRef
from rdflib.term import Node

from llmgraph.engine import READ_PREDICATES, LineageIndex
from llmgraph.graph import LineageGraph
from llmgraph.importers.records import LicenseRef, ModelRecord, OrgRecord, Parent, Ref
from llmgraph.importers.report import Ambiguity, ImportReport, Match
from llmgraph.importers.resolve import (
    HF_ID,
    HUB_LICENSES,
    SPDX,
    WIKIDATA,
    Resolution,
    Resolver,
    slug,
    spdx_id,
)
from llmgraph.rules import CHECKED_PREDICATES, check_fact
from llmgraph.store import Triple
from llmgraph.terms import IRI, SUPER_RELATIONS, llm
from llmgraph.triples import LightTerm, light, light_term, nt_term, to_rdflib
from llmgraph.vocab import LLM as _LLM
from llmgraph.vocab import LLMID, MIRRORED, WEIGHT_LINEAGE, relation_name

__all__ = ["Builder", "model_iri", "organization_iri"]


class _Terms:
    """A vocabulary whose terms are made once: ``LLM.Model`` is then the same object each time.

    rdflib's namespaces build a new ``URIRef`` at every attribute access, which costs an import
    of millions of records seconds, and makes every set and dict look-up of a term compare
    strings in Python instead of by identity.
    """

    def __init__(self, namespace: Any, *, known: Iterable[URIRef] = ()):
        self._namespace = namespace
        for term in known:  # the vocabulary's own tuples hold these very objects
            setattr(self, term.rsplit("#", 1)[-1], term)

    def __getattr__(self, name: str) -> URIRef:
        term = URIRef(getattr(self._namespace, name))
        setattr(self, name, term)
        return term


LLM, RDF, RDFS, SKOS = _Terms(_LLM, known=MIRRORED), _Terms(_RDF), _Terms(_RDFS), _Terms(_SKOS)
DCTERMS, OWL, XSD = _Terms(_DCTERMS), _Terms(_OWL), _Terms(_XSD)

_ENTITY_CLASSES = frozenset((LLM.Model, LLM.Organization, LLM.License))
_MATERIALIZED = frozenset((LLM.derivedFrom, LLM.backs))
_EDGES = frozenset(MIRRORED) - _MATERIALIZED  # the edges an import report counts
_TYPE = RDF.type


def model_iri(ref: Ref, *, prefix: str) -> URIRef:
    """Return the IRI a new model named by ``ref`` gets (see the table above).

    >>> str(model_iri(Ref(hf_id="TheBloke/phi-2-GGUF"), prefix="hf"))
    'https://w3id.org/llmgraph/id/hf/TheBloke/phi-2-GGUF'
    >>> str(model_iri(Ref(name="PaLM (540B)"), prefix="epoch"))
    'https://w3id.org/llmgraph/id/epoch/palm-540b'
    """
    if ref.qid:
        return LLMID[f"wd/{ref.qid}"]
    if ref.hf_id:
        return LLMID[f"hf/{ref.hf_id}"]
    return LLMID[f"{prefix}/{slug(ref.name or '') or 'unnamed'}"]


def organization_iri(ref: Ref) -> URIRef:
    """Return the IRI a new organization named by ``ref`` gets.

    >>> str(organization_iri(Ref(hf_owner="TheBloke")))
    'https://w3id.org/llmgraph/id/hf-owner/TheBloke'
    """
    if ref.qid:
        return LLMID[f"wd/{ref.qid}"]
    if ref.hf_owner and not ref.name:
        return LLMID[f"hf-owner/{ref.hf_owner}"]
    return LLMID[f"org/{slug(ref.name or ref.hf_owner or '') or 'unnamed'}"]


class _CycleError(Exception):
    def __init__(self, labels: list[str]):
        self.labels = labels
        super().__init__(" → ".join(labels))


@dataclass
class _Tx:
    """The facts of one record, kept apart until the record is known to be good."""

    mark: int
    triples: list[Triple] = field(default_factory=list)
    seen: set[Triple] = field(default_factory=set)
    matches: list[Match] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    minted: set[URIRef] = field(default_factory=set)
    edges: list[tuple[str, str]] = field(default_factory=list)

    objects: dict[tuple[Node, Node], set[Node]] = field(default_factory=dict)

    def add(self, triple: Triple) -> None:
        if triple not in self.seen:
            self.seen.add(triple)
            self.triples.append(triple)
            key = (triple[0], triple[1])
            found = self.objects.get(key)
            if found is None:
                self.objects[key] = {triple[2]}
            else:
                found.add(triple[2])


class Builder:
    """Turn records into triples against ``lg`` (see the module docstring).

    Args:
        lg: the graph to resolve against and, in :meth:`finish`, to add to.
        report: the report to fill.
        prefix: the IRI segment of models only named by this source (``"epoch"``).
    """

    def __init__(self, lg: LineageGraph, report: ImportReport, *, prefix: str):
        self._lg = lg
        self._g = lg.rdf
        self._report = report
        self._prefix = prefix
        self.resolver = Resolver.of(lg.backend.read)
        self._triples: list[Triple] = []
        self._seen: set[Triple] = set()
        # predicate → subject → the object, or a set of them when there are several (a set,
        # or a (subject, predicate) key, per fact would cost hundreds of bytes a model at Hub
        # scale)
        self._objects: dict[Node, dict[Node, Node | set[Node]]] = {}
        self._minted: set[URIRef] = set()
        self._matched: set[tuple[str, str]] = set()
        self._ambiguous: set[tuple[str, str]] = set()
        self._noted: set[str] = set(report.notes)
        self._lines: list[str] | None = None
        self._entities = 0
        self._edges = 0
        self._literals: dict[tuple[str | int, URIRef], Literal] = {}
        # predicate → (subjects, objects): two lists rather than a list of pairs, a tuple less
        # per fact
        self._rows: defaultdict[str, tuple[list[str], list[LightTerm]]] = defaultdict(
            lambda: ([], [])
        )
        self._iris: dict[str, IRI] = {}
        self._subject: tuple[Node | None, str] = (None, "")
        self._derivation = _Lineage()
        for s, o in lg.backend.read(str(LLM.derivedFrom)):
            self._derivation.add_edge(s, str(o))

    # ------------------------------------------------------------------ reading what is there

    def _known(self, s: Node) -> bool:
        """Whether ``s`` may already have facts in the graph (not minted by this import)."""
        return s not in self._minted

    def _has(self, tx: _Tx, triple: Triple) -> bool:
        if triple in tx.seen or triple in self._seen:
            return True
        if triple[0] in tx.minted or not self._known(triple[0]):
            return False
        # the resolver indexed every typed entity of the graph when the import began, so an
        # entity it does not know of that kind has no such type there: no look-up
        kind = _KINDS.get(triple[2]) if triple[1] is _TYPE else None  # type: ignore[call-overload]
        if kind is not None and not kind(self.resolver, triple[0]):
            return False
        return not self._lg.backend.missing([light(triple)])

    def _values(self, tx: _Tx, s: Node, p: Node) -> set[Node]:
        kept = self._objects.get(p, _NO_OBJECTS).get(s)
        found = set() if kept is None else set(kept) if isinstance(kept, set) else {kept}
        if s not in tx.minted and self._known(s):
            found |= set(self._g.objects(s, p))
        mine = tx.objects.get((s, p))
        if mine:
            found |= mine
        return found

    def _remember(self, triple: Triple) -> None:
        s, p, o = triple
        objects = self._objects.get(p)
        if objects is None:
            objects = self._objects[p] = {}
        kept = objects.get(s)
        if kept is None:
            objects[s] = o
        elif isinstance(kept, set):
            kept.add(o)
        elif kept != o:
            objects[s] = {kept, o}

    def _typed(self, value: str | int, datatype: URIRef) -> Literal:
        """Return the literal of a date or a count: made once per value (rdflib parses each)."""
        key = (value, datatype)
        found = self._literals.get(key)
        if found is None:
            if len(self._literals) >= 100_000:
                self._literals.clear()
            found = self._literals[key] = Literal(value, datatype=datatype)
        return found

    def _label(self, iri: URIRef) -> str:
        return self.resolver.label(iri)

    # ------------------------------------------------------------------ records

    def add_model(self, record: ModelRecord) -> None:
        """Resolve and describe the model of ``record``; skip it if its lineage closes a cycle."""
        tx = _Tx(self.resolver.mark())
        try:
            self._describe_model(tx, record)
        except _CycleError as exc:
            self._rollback(tx)
            self._report.skip(record.where, f"would close a derivation cycle: {exc}")
            return
        self._commit(tx)

    def add_organization(self, record: OrgRecord) -> None:
        """Resolve and describe the organization of ``record`` and who owns and invests in it."""
        tx = _Tx(self.resolver.mark())
        org = self._organization(tx, record.ref, record.sources)
        self._cite(tx, org, record.sources)
        self._aliases(tx, org, [*record.aliases, *([record.ref.name] if record.ref.name else [])])
        for owners, relation in ((record.owners, LLM.owns), (record.investors, LLM.investsIn)):
            for ref in owners:
                backer = self._organization(tx, ref, record.sources)
                if backer == org:
                    continue
                tx.add((backer, relation, org))
                statement = _statement_iri(backer, relation, org)
                if not self._has(tx, (statement, RDF.type, RDF.Statement)):
                    tx.add((statement, RDF.type, RDF.Statement))
                    tx.add((statement, RDF.subject, backer))
                    tx.add((statement, RDF.predicate, relation))
                    tx.add((statement, RDF.object, org))
                for source in record.sources:
                    tx.add((statement, DCTERMS.source, URIRef(source)))
        self._commit(tx)

    def _describe_model(self, tx: _Tx, record: ModelRecord) -> None:
        model = self._model(tx, record.ref, record.sources)
        self._cite(tx, model, record.sources)
        names = list(record.aliases)
        if record.ref.name and model not in tx.minted:
            names.append(record.ref.name)
        self._aliases(tx, model, names)
        if record.ref.hf_id and HF_ID.match(record.ref.hf_id):
            have = {str(v).casefold() for v in self._values(tx, model, LLM.huggingFaceId)}
            if record.ref.hf_id.casefold() not in have:
                tx.add((model, LLM.huggingFaceId, Literal(record.ref.hf_id)))
                self.resolver.add_model(model, hf_ids=[record.ref.hf_id])
        developers = [self._organization(tx, ref, record.sources) for ref in record.developers]
        if record.creator is not None:
            found = self.resolver.organization(name=record.creator.name)
            if (creator := self._resolved(tx, record.creator, found)) is not None:
                developers.append(creator)
            elif not self._values(tx, model, LLM.developedBy):
                tx.notes.append(
                    f"{record.where}: model_creator {record.creator.shown()!r} matches no loaded "
                    "organization; the Hub owner is taken as the developer"
                )
        for org in developers:
            tx.add((model, LLM.developedBy, org))
        fallback = record.fallback_developer
        if fallback and not developers and not self._values(tx, model, LLM.developedBy):
            org = self._organization(tx, fallback, record.sources)
            tx.add((model, LLM.developedBy, org))
        if record.license is not None:
            lic = self._license(tx, record.license, record.sources)
            if lic is not None:
                tx.add((model, LLM.license, lic))
        source = record.sources[0] if record.sources else record.where
        if record.release_date is not None:
            value = self._typed(record.release_date.isoformat(), XSD.date)
            self._single(tx, model, LLM.releaseDate, value, source)
        if record.parameter_count is not None:
            value = self._typed(record.parameter_count, XSD.integer)
            self._single(tx, model, LLM.parameterCount, value, source)
        for dataset in record.datasets:
            tx.add((model, LLM.trainingDataset, URIRef(dataset)))
        for page in record.see_also:
            tx.add((model, RDFS.seeAlso, URIRef(page)))
        for note in record.notes:
            tx.add((model, SKOS.note, Literal(note)))
        for parent in record.parents:
            self._parent(tx, record, model, parent)
        for ref in record.successors:
            newer = self._model(tx, ref, record.sources)
            if newer != model:
                self._owner_developer(tx, newer, ref, record.sources)
                tx.add((newer, LLM.successorOf, model))

    def _parent(self, tx: _Tx, record: ModelRecord, model: URIRef, parent: Parent) -> None:
        target = self._model(tx, parent.ref, record.sources)
        if target == model:
            tx.notes.append(
                f"{record.where}: {parent.ref.shown()} is named as its own base model; "
                "that edge is ignored"
            )
            return
        if target in tx.minted:
            name, creator = record.parent_names.get(parent.ref.hf_id or "", (None, None))
            if name:
                self._aliases(tx, target, [name])
            developer = None
            if creator is not None:
                found = self.resolver.organization(name=creator.name)
                developer = found.entity
            if developer is not None:
                tx.add((target, LLM.developedBy, developer))
            else:
                self._owner_developer(tx, target, parent.ref, record.sources)
        self._lineage(tx, model, parent.relation, target, parent.inferred, record.sources)

    def _owner_developer(self, tx: _Tx, model: URIRef, ref: Ref, sources: list[str]) -> None:
        """Give a model just created from a Hub id its Hub owner as developer."""
        if not (model in tx.minted and ref.hf_id and "/" in ref.hf_id):
            return
        if not self._values(tx, model, LLM.developedBy):
            owner = ref.hf_id.split("/", 1)[0]
            org = self._organization(tx, Ref(hf_owner=owner), sources)
            tx.add((model, LLM.developedBy, org))

    def _lineage(
        self,
        tx: _Tx,
        child: URIRef,
        relation: URIRef,
        parent: URIRef,
        inferred: str | None,
        sources: list[str],
    ) -> None:
        present = {p for p in WEIGHT_LINEAGE if self._has(tx, (child, p, parent))}
        if relation in present:
            return
        source = sources[0] if sources else "the source"
        if present:
            kept = ", ".join(sorted(f"llm:{relation_name(p)}" for p in present))
            note = (
                f"{source} gives {self._label(child)} llm:{relation_name(relation)} "
                f"{self._label(parent)}; kept {kept}"
            )
            tx.add((child, SKOS.note, Literal(note)))
            tx.notes.append(note)
            return
        a, b = str(child), str(parent)
        loop = self._derivation.path(b, a)
        if loop is not None:
            labels = [self._label(URIRef(n)) for n in [a, *loop]]
            raise _CycleError(labels)
        # a parent already reached through lineage loaded before this record (not through this
        # record's own edges: the parents of a merge are all direct) makes the edge redundant
        via = None
        if not self._derivation.has_edge(a, b) or (a, b) in tx.edges:
            via = self._derivation.path(a, b, without=tx.edges)
        if via is not None:
            shown = " → ".join(self._label(URIRef(n)) for n in via)
            note = (
                f"{source} gives {self._label(child)} llm:{relation_name(relation)} "
                f"{self._label(parent)}, already an ancestor through {shown}; edge not added"
            )
            tx.add((child, SKOS.note, Literal(note)))
            tx.notes.append(note)
            return
        if not self._derivation.has_edge(a, b):
            self._derivation.add_edge(a, b)
            tx.edges.append((a, b))
        tx.add((child, relation, parent))
        if inferred is not None:
            statement = _statement_iri(child, relation, parent)
            tx.add((statement, RDF.type, RDF.Statement))
            tx.add((statement, RDF.subject, child))
            tx.add((statement, RDF.predicate, relation))
            tx.add((statement, RDF.object, parent))
            tx.add((statement, LLM.inferred, Literal(True)))
            tx.add((statement, SKOS.note, Literal(inferred)))
            for s in sources:
                tx.add((statement, DCTERMS.source, URIRef(s)))

    # ------------------------------------------------------------------ entities

    def _resolved(self, tx: _Tx, ref: Ref, found: Resolution) -> URIRef | None:
        entity = found.entity
        if entity is None:
            return None
        if entity not in self._minted and entity not in tx.minted:
            tx.matches.append(Match(ref.shown(), str(entity), self._label(entity), found.by))
        if ref.qid:
            item = URIRef(WIKIDATA + ref.qid)
            others = {
                o for o in self._values(tx, entity, OWL.sameAs) if str(o).startswith(WIKIDATA)
            }
            if not others:
                tx.add((entity, OWL.sameAs, item))
                if self.resolver.is_model(entity):
                    self.resolver.add_model(entity, qids=[ref.qid])
                else:
                    self.resolver.add_organization(entity, qids=[ref.qid])
            elif item not in others:
                shown = ", ".join(sorted(str(o) for o in others))
                tx.notes.append(
                    f"{ref.shown()} ({ref.qid}) resolved to {self._label(entity)}, which is "
                    f"already owl:sameAs {shown}; no second item linked"
                )
        return entity

    def _model(self, tx: _Tx, ref: Ref, sources: list[str]) -> URIRef:
        found = self.resolver.model(hf_id=ref.hf_id, name=ref.name, qid=ref.qid)
        if (entity := self._resolved(tx, ref, found)) is not None:
            return entity
        iri = model_iri(ref, prefix=self._prefix)
        if found.ambiguous:
            tx.ambiguities.append(
                Ambiguity(ref.shown(), tuple(str(c) for c in found.candidates), str(iri))
            )
        label = (ref.name if ref.qid else None) or ref.hf_id or ref.name or ref.qid or str(iri)
        hf_ids = [ref.hf_id] if ref.hf_id and HF_ID.match(ref.hf_id) else []
        if not self._has(tx, (iri, RDF.type, LLM.Model)):
            tx.minted.add(iri)
            tx.add((iri, RDF.type, LLM.Model))
            if not self._values(tx, iri, RDFS.label):
                tx.add((iri, RDFS.label, Literal(label)))
            for hf_id in hf_ids:
                tx.add((iri, LLM.huggingFaceId, Literal(hf_id)))
            if ref.qid:
                tx.add((iri, OWL.sameAs, URIRef(WIKIDATA + ref.qid)))
            self._cite(tx, iri, sources)
        self.resolver.add_model(
            iri, label=label, names=[label], hf_ids=hf_ids, qids=[ref.qid] if ref.qid else []
        )
        return iri

    def _organization(self, tx: _Tx, ref: Ref, sources: list[str]) -> URIRef:
        found = self.resolver.organization(name=ref.name, hf_owner=ref.hf_owner, qid=ref.qid)
        if (entity := self._resolved(tx, ref, found)) is not None:
            return entity
        iri = organization_iri(ref)
        if found.ambiguous:
            tx.ambiguities.append(
                Ambiguity(ref.shown(), tuple(str(c) for c in found.candidates), str(iri))
            )
        label = ref.name or ref.hf_owner or ref.qid or str(iri)
        if not self._has(tx, (iri, RDF.type, LLM.Organization)):
            tx.minted.add(iri)
            tx.add((iri, RDF.type, LLM.Organization))
            if ref.kind is not None:
                tx.add((iri, RDF.type, ref.kind))
            if not self._values(tx, iri, RDFS.label):
                tx.add((iri, RDFS.label, Literal(label)))
            if ref.qid:
                tx.add((iri, OWL.sameAs, URIRef(WIKIDATA + ref.qid)))
            self._cite(tx, iri, sources)
        self.resolver.add_organization(
            iri, label=label, names=[label], qids=[ref.qid] if ref.qid else []
        )
        if ref.hf_owner:
            self.resolver.add_owner_developer(ref.hf_owner, iri)
        return iri

    def _license(self, tx: _Tx, lic: LicenseRef, sources: list[str]) -> URIRef | None:
        hub = lic.hub_id.strip() if lic.hub_id else ""
        if hub.casefold() in ("other", "unknown", "none", ""):
            hub = ""
        name = lic.spdx or hub or (lic.name.strip() if lic.name else "")
        if not name and not lic.qid:
            return None
        for text in dict.fromkeys(t for t in (lic.spdx, hub, lic.name) if t):
            found = self.resolver.license(name=text, qid=lic.qid)
            if found.entity is not None:
                return found.entity
        if lic.qid and not name:
            found = self.resolver.license(qid=lic.qid)
            if found.entity is not None:
                return found.entity
        known = HUB_LICENSES.get(hub.casefold()) if hub else None
        if known is not None:
            tx.notes.append(
                f"the Hub licence id {hub!r} names {known}, which this graph does not hold; "
                f"a licence of its own was made (its terms unknown to license-check): load "
                "the bundled data first (llmgraph --store PATH load --bundled)"
            )
        spdx = spdx_id(lic.spdx or hub) if (lic.spdx or hub) else None
        if spdx is not None:
            iri, label = URIRef(SPDX + spdx), spdx
        elif lic.qid:
            iri, label = LLMID[f"wd/{lic.qid}"], name or lic.qid
        else:
            iri, label = LLMID[f"license-{slug(name)}"], name
        if not self._has(tx, (iri, RDF.type, LLM.License)):
            tx.minted.add(iri)
            tx.add((iri, RDF.type, LLM.License))
            if not self._values(tx, iri, RDFS.label):
                tx.add((iri, RDFS.label, Literal(label)))
            if lic.qid:
                tx.add((iri, OWL.sameAs, URIRef(WIKIDATA + lic.qid)))
            self._cite(tx, iri, sources)
        self.resolver.add_license(iri, label=label, names=[label])
        return iri

    # ------------------------------------------------------------------ facts

    def _cite(self, tx: _Tx, entity: URIRef, sources: Iterable[str]) -> None:
        for source in sources:
            tx.add((entity, DCTERMS.source, URIRef(source)))

    def _aliases(self, tx: _Tx, entity: URIRef, names: Iterable[str]) -> None:
        have = {
            str(v).casefold()
            for p in (RDFS.label, SKOS.altLabel)
            for v in self._values(tx, entity, p)
        }
        for name in names:
            text = name.strip()
            if text and text.casefold() not in have:
                have.add(text.casefold())
                tx.add((entity, SKOS.altLabel, Literal(text)))
                if self.resolver.is_model(entity):
                    self.resolver.add_model(entity, names=[text])
                elif self.resolver.is_organization(entity):
                    self.resolver.add_organization(entity, names=[text])

    def _single(
        self, tx: _Tx, entity: URIRef, predicate: URIRef, value: Literal, source: str
    ) -> None:
        have = self._values(tx, entity, predicate)
        if not have:
            tx.add((entity, predicate, value))
        elif value not in have:
            kept = ", ".join(sorted(str(v) for v in have))
            note = (
                f"{source} gives llm:{relation_name(predicate)} {value} for "
                f"{self._label(entity)}; kept {kept}"
            )
            tx.add((entity, SKOS.note, Literal(note)))
            tx.notes.append(note)

    # ------------------------------------------------------------------ transactions

    def _rollback(self, tx: _Tx) -> None:
        self.resolver.undo(tx.mark)
        for a, b in tx.edges:
            self._derivation.remove_edge(a, b)

    def _commit(self, tx: _Tx) -> None:
        if self._lines is not None:
            for triple in tx.triples:
                p = triple[1]
                if p in _REMEMBERED:
                    self._remember(triple)
                if p in _TYPES:
                    if triple[2] in _ENTITY_CLASSES:
                        self._entities += 1
                elif p in _EDGES:
                    if triple in self._seen:
                        continue
                    self._seen.add(triple)  # edges only: a few per record, not every fact
                    if self._new_edge(tx, triple):
                        self._edges += 1
                self._lines.append(self._line(triple))
                if p in _ENGINE and type(triple[0]) is URIRef:
                    self._row(triple)
        for triple in tx.triples if self._lines is None else ():
            if triple not in self._seen:
                self._seen.add(triple)
                self._triples.append(triple)
                self._remember(triple)
        self._minted |= tx.minted
        self.resolver.keep()
        for match in tx.matches:
            key = (match.name, match.entity)
            if key not in self._matched:
                self._matched.add(key)
                self._report.matched.append(match)
        for amb in tx.ambiguities:
            if (amb.name, amb.entity) not in self._ambiguous:
                self._ambiguous.add((amb.name, amb.entity))
                self._report.ambiguous.append(amb)
        for note in tx.notes:
            if note not in self._noted:
                self._noted.add(note)
                self._report.notes.append(note)

    def _new_edge(self, tx: _Tx, triple: Triple) -> bool:
        """Whether an edge written into a store is not there yet (the report counts only those).

        An edge of an entity this import minted is new; one between entities that were there
        before is looked up (the bulk loader itself writes a fact it already holds as nothing).
        """
        s, _, o = triple
        if s in tx.minted or o in tx.minted or not self._known(s) or not self._known(o):
            return True
        return bool(self._lg.backend.missing([light(triple)]))

    def _row(self, triple: Triple) -> None:
        """Keep a fact written to a store for its engine, as the store's reader yields it."""
        s, p, o = triple
        if s is not self._subject[0]:
            self._subject = (s, str(s))
        if type(o) is URIRef:
            text = str(o)
            value: LightTerm | None = self._iris.get(text)
            if value is None:
                if len(self._iris) >= 100_000:
                    self._iris.clear()
                value = self._iris[text] = IRI(text)
        else:
            value = light_term(o)
        subjects, objects = self._rows[str(p)]
        subjects.append(self._subject[1])
        objects.append(value)

    def _engine(self) -> LineageIndex:
        """Build the new generation's engine, then free the facts kept for it."""
        try:
            return LineageIndex.from_reader(self._engine_read)
        finally:
            self._rows.clear()

    def _engine_read(self, predicate: str) -> Iterator[tuple[str, LightTerm]]:
        """Read ``predicate`` as the new generation will hold it, without reading it back.

        The facts there before the import, those it wrote and, for ``llm:derivedFrom`` and
        ``llm:backs``, those their sub-relations entail (what
        :func:`~llmgraph.loading.bulk_write` materializes).
        """
        parts: list[Iterable[tuple[str, LightTerm]]] = []
        for p in (predicate, *_ENTAILING.get(predicate, ())):
            subjects, objects = self._rows.get(p, ([], []))
            parts += [self._lg.backend.read(p), zip(subjects, objects, strict=True)]
        # each fact once, in the order first met (a dict of the pairs: no Python step a fact)
        return iter(dict.fromkeys(chain.from_iterable(parts)))

    def _line(self, triple: Triple) -> str:
        """Return the N-Triples line of a fact, checked by the rules of every write."""
        s, p, o = triple
        if p in _CHECKED:
            check_fact(triple)
        obj = f"<{o}>" if type(o) is URIRef else nt_term(light_term(o))
        subject = f"<{s}>" if type(s) is URIRef else nt_term(light_term(s))
        return f"{subject} <{p}> {obj} ."

    def finish(self, steps: Iterable[object] = ()) -> ImportReport:
        """Write every fact to the graph at once and complete the report.

        Args:
            steps: records still to read, one step each (a generator that adds a record to
                this builder per step). Into a store they are streamed: each record's
                N-Triples go straight to Oxigraph's bulk loader, so an import of millions
                of records holds no more than a few records' facts at a time, and the
                report counts the facts instead of keeping them. Elsewhere they are read
                first and the facts added with one ``LineageGraph.add``.

        Raises:
            LineageCycleError: the facts would close a derivation cycle (nothing is added).
            InvalidFactError: a fact breaks a rule of the vocabulary (nothing is added).
        """
        with _collector_paused():
            if self._lg.backend.bulk:
                return self._finish_bulk(iter(steps))
            for _ in steps:
                pass
        fresh = [to_rdflib(t) for t in self._lg.backend.missing([light(t) for t in self._triples])]
        added = self._lg.add(fresh)
        report = self._report
        report.triples = fresh
        report.triples_added = added
        report.entities_added = len({s for s, p, o in fresh if p == _TYPE and o in _ENTITY_CLASSES})
        report.edges_added = sum(1 for _, p, _ in fresh if p in _EDGES)
        return report

    def _finish_bulk(self, steps: Iterator[object]) -> ImportReport:
        from llmgraph.loading import bulk_write

        self._lines = [self._line(t) for t in self._triples]
        for triple in self._triples:
            if triple[1] in _ENGINE and type(triple[0]) is URIRef:
                self._row(triple)
        self._triples, self._seen = [], set()
        self._entities = self._edges = 0
        lines = self._lines

        def chunks() -> Iterator[bytes]:
            for _ in steps:
                if len(lines) >= 4096:
                    yield _encoded(lines)
            if lines:
                yield _encoded(lines)
            self._forget()

        built: list[LineageIndex] = []

        def load(tx: Any) -> None:
            # the index is built from the facts kept for it while Oxigraph writes the last
            # batches (a tenth of the import at 100 k records)
            built.append(tx.load_chunks(chunks(), then=self._engine))

        grown = bulk_write(self._lg, load, checked=True, engine=lambda tx: built[0])
        report = self._report
        report.triples_added = grown
        report.entities_added = self._entities
        report.edges_added = self._edges
        return report

    def _forget(self) -> None:
        """Free what only the mapping needed, before the store checks and commits the load.

        The indexes of the resolver and of the lineage read so far hold millions of objects
        at Hub scale; freed here, the store's commit does not walk them (it collects garbage
        to close its database before the switch).
        """
        self.resolver = Resolver()
        self._derivation = _Lineage()
        self._objects.clear()
        self._minted.clear()
        self._seen.clear()
        self._literals.clear()
        self._iris.clear()


_NO_OBJECTS: dict[Node, Node | set[Node]] = {}


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import maps and loads its records.

    The mapping makes millions of objects that live until the load ends (the resolver's and
    the builder's indexes) and no reference cycles, and the collector would walk them all
    again each time enough new ones have been made: 3.3 s of a 22.5 s import of 100 k Hub
    records, more as the heap grows. Memory is freed by reference counting as before; the
    collector runs again (if it ran before) once the import ends, however it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Lineage:
    """The derivation edges of an import (child → parents), for its cycle checks.

    A dict from each child to its one parent, or to a list of them (networkx's ``DiGraph``
    costs about a kilobyte a node: a gigabyte for a million Hub models).
    """

    def __init__(self) -> None:
        self._parents: dict[str, str | list[str]] = {}

    def parents(self, node: str) -> Sequence[str]:
        found = self._parents.get(node)
        if found is None:
            return ()
        return found if type(found) is list else (found,)  # type: ignore[return-value]

    def has_edge(self, child: str, parent: str) -> bool:
        return parent in self.parents(child)

    def add_edge(self, child: str, parent: str) -> None:
        found = self._parents.get(child)
        if found is None:
            self._parents[child] = parent
        elif type(found) is list:
            if parent not in found:
                found.append(parent)
        elif found != parent:
            self._parents[child] = [found, parent]  # type: ignore[list-item]

    def remove_edge(self, child: str, parent: str) -> None:
        kept = [p for p in self.parents(child) if p != parent]
        if not kept:
            self._parents.pop(child, None)
        else:
            self._parents[child] = kept[0] if len(kept) == 1 else kept

    def path(
        self, start: str, goal: str, *, without: Collection[tuple[str, str]] = ()
    ) -> list[str] | None:
        """Return a shortest chain of parents from ``start`` to ``goal``, or ``None``.

        Breadth first up the parents, leaving out the edges in ``without``.
        """
        if start not in self._parents:
            return None
        came: dict[str, str] = {start: start}
        frontier = [start]
        while frontier:
            following: list[str] = []
            for node in frontier:
                for parent in self.parents(node):
                    if parent in came or (without and (node, parent) in without):
                        continue
                    came[parent] = node
                    if parent == goal:
                        chain_ = [goal]
                        while chain_[-1] != start:
                            chain_.append(came[chain_[-1]])
                        return chain_[::-1]
                    following.append(parent)
            frontier = following
        return None


def _encoded(lines: list[str]) -> bytes:
    """Return ``lines`` as N-Triples bytes and empty the list."""
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    lines.clear()
    return data


def _interned(iri: str) -> URIRef:
    """Return the term of ``iri`` that the builder's triples hold (the very object, see _Terms).

    A set of terms made apart from them would find each predicate by its hash and then compare
    the strings in rdflib's Python ``__eq__``: millions of calls in an import of the Hub.
    """
    for terms in (LLM, RDF, RDFS, SKOS, DCTERMS, OWL, XSD):
        namespace = str(terms._namespace)
        name = iri[len(namespace) :]
        if iri.startswith(namespace) and name.isidentifier():
            term: URIRef = getattr(terms, name)
            return term
    return URIRef(iri)


_CHECKED = frozenset(_interned(p) for p in CHECKED_PREDICATES)
_TYPES = frozenset((_TYPE,))  # found by hash and identity, not by rdflib's Python `==`
_ENGINE = frozenset(_interned(p) for p in READ_PREDICATES)
_ENTAILING = {llm(sup): sorted(llm(sub) for sub in subs) for sup, subs in SUPER_RELATIONS.items()}

_KINDS = {
    LLM.Model: Resolver.is_model,
    LLM.Organization: Resolver.is_organization,
    LLM.License: Resolver.is_license,
}

_REMEMBERED = frozenset(
    (
        RDFS.label,
        SKOS.altLabel,
        LLM.huggingFaceId,
        LLM.developedBy,
        LLM.releaseDate,
        LLM.parameterCount,
        OWL.sameAs,
    )
)


def _statement_iri(s: URIRef, p: URIRef, o: URIRef) -> URIRef:
    digest = hashlib.sha1(f"{s} {p} {o}".encode(), usedforsecurity=False).hexdigest()[:16]
    return LLMID[f"statement/{digest}"]
