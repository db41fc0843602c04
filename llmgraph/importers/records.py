"""What the source readers produce: records about models and organizations, before resolution.

Each reader (Hugging Face cards, Hub records, Epoch, Wikidata) turns its input into these
plain records; :mod:`llmgraph.importers.build` resolves the names in them against the loaded
graph and turns them into triples. A record names other entities through :class:`Ref`
(a Hugging Face id, a name, a Wikidata item), never through IRIs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import URIRef

__all__ = ["LicenseRef", "ModelRecord", "OrgRecord", "Parent", "Ref"]


@dataclass(frozen=True)
class Ref:
    """How a source names another entity.

    Attributes:
        hf_id: a Hugging Face Hub repository id (``owner/name``), for models.
        name: a plain name (an Epoch ``System``, a Wikidata label, an organization's name).
        qid: a Wikidata item id (``Q123``).
        hf_owner: a Hub user or organization name, for organizations.
        kind: for organizations, the ``llm:`` subclass when the source says (``llm:Company`` …).
    """

    hf_id: str | None = None
    name: str | None = None
    qid: str | None = None
    hf_owner: str | None = None
    kind: URIRef | None = None

    def shown(self) -> str:
        """Return the name to show in reports: the Hub id, the name or the item.

        >>> Ref(name="LLaMA-13B", qid="Q1").shown()
        'LLaMA-13B'
        """
        return self.hf_id or self.name or self.hf_owner or self.qid or "?"


@dataclass(frozen=True)
class Parent:
    """A model the record's model was built from.

    Attributes:
        ref: the parent.
        relation: the ``llm:`` weight-lineage relation (``LLM.fineTunedFrom`` …).
        inferred: ``None`` when the source states the kind of relation; otherwise why this
            kind was chosen (it becomes the ``skos:note`` of an ``llm:inferred`` statement).
    """

    ref: Ref
    relation: URIRef
    inferred: str | None = None


@dataclass(frozen=True)
class LicenseRef:
    """A licence as a source names it.

    Attributes:
        hub_id: a Hugging Face licence id (``apache-2.0``, ``llama2``, ``other``).
        name: a licence name (``license_name`` on a card, a Wikidata label).
        spdx: an SPDX identifier, when the source gives one.
        qid: a Wikidata item.
    """

    hub_id: str | None = None
    name: str | None = None
    spdx: str | None = None
    qid: str | None = None


@dataclass
class ModelRecord:
    """Everything one record says about one model.

    Attributes:
        where: where the record is, for the report (``path:line``, ``path#row=N``, an id).
        sources: the IRIs cited by ``dcterms:source`` for the facts of this record.
        ref: the model itself.
        aliases: other names (``skos:altLabel``).
        developers: organizations stated by the source (Epoch ``Organization``, Wikidata P178,
            a card's ``model_creator``).
        creator: an organization named loosely (a card's ``model_creator``): a developer when
            the name resolves to a loaded organization, otherwise only noted.
        fallback_developer: the organization used only when the model has no developer at all
            (the Hub owner).
        parents: the models it was built from.
        successors: models the source names as this model's next version (each gets
            ``llm:successorOf`` this model; a card's ``new_version``).
        license: its licence.
        release_date: its first release.
        parameter_count: its number of parameters.
        datasets: IRIs of training datasets.
        see_also: IRIs of related pages (papers).
        notes: remarks kept as ``skos:note`` on the model (facts the vocabulary has no term for).
        parent_names: per parent Hub id, a name and creator the source gives for the parent
            (a quantized build's card describes the model it quantizes).
        report_notes: remarks for the import report only (a misspelt key that was read …).
    """

    where: str
    sources: list[str]
    ref: Ref
    aliases: list[str] = field(default_factory=list)
    developers: list[Ref] = field(default_factory=list)
    creator: Ref | None = None
    fallback_developer: Ref | None = None
    parents: list[Parent] = field(default_factory=list)
    successors: list[Ref] = field(default_factory=list)
    license: LicenseRef | None = None
    release_date: dt.date | None = None
    parameter_count: int | None = None
    datasets: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parent_names: dict[str, tuple[str | None, Ref | None]] = field(default_factory=dict)
    report_notes: list[str] = field(default_factory=list)


@dataclass
class OrgRecord:
    """What one record says about an organization: who owns, invests in or funds it.

    Attributes:
        where: where the record is.
        sources: the IRIs cited.
        ref: the organization.
        aliases: other names.
        owners: organizations that own it (``llm:owns``).
        investors: organizations that invest in or fund it (``llm:investsIn``).
    """

    where: str
    sources: list[str]
    ref: Ref
    aliases: list[str] = field(default_factory=list)
    owners: list[Ref] = field(default_factory=list)
    investors: list[Ref] = field(default_factory=list)
