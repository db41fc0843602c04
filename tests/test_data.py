"""The bundled data: conforms, acyclic, cited, consistent, and right on the facts users ask."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.term import Node

from llmgraph import LLM, LineageGraph, stats, uncited
from llmgraph.names import normalize
from llmgraph.vocab import ENTITY_CLASSES, LLMID

HF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _models(lg: LineageGraph) -> list[URIRef]:
    return sorted(m for m in lg.rdf.subjects(RDF.type, LLM.Model) if isinstance(m, URIRef))


def test_every_fact_is_cited(bundled: LineageGraph) -> None:
    """No entity, and no backing or hosting fact, lacks a source."""
    assert uncited(bundled) == []


def test_every_model_has_developer_and_source(bundled: LineageGraph) -> None:
    """Every model names a developer and cites at least one source URL."""
    g = bundled.rdf
    missing = [
        str(m)
        for m in _models(bundled)
        if g.value(m, LLM.developedBy) is None or g.value(m, DCTERMS.source) is None
    ]
    assert missing == []


def test_sources_are_http_urls(bundled: LineageGraph) -> None:
    """Every cited source is an http(s) URL."""
    bad = sorted(
        {
            str(o)
            for o in bundled.rdf.objects(None, DCTERMS.source)
            if not str(o).startswith(("https://", "http://"))
        }
    )
    assert bad == []


def test_child_never_released_before_parent(bundled: LineageGraph) -> None:
    """A model derived from another is never released before it."""
    g = bundled.rdf
    early = []
    for child, parent in g.subject_objects(LLM.derivedFrom):
        a, b = g.value(child, LLM.releaseDate), g.value(parent, LLM.releaseDate)
        if isinstance(a, Literal) and isinstance(b, Literal) and a.toPython() < b.toPython():
            early.append((str(child), str(a), str(parent), str(b)))
    assert early == []


def test_no_dangling_references(bundled: LineageGraph) -> None:
    """Every entity that a relation points at is defined (has a type) in the data."""
    g = bundled.rdf
    dangling = sorted(
        str(o)
        for p in (
            LLM.derivedFrom,
            LLM.successorOf,
            LLM.trainedOnOutputsOf,
            LLM.developedBy,
            LLM.backs,
            LLM.hostedOn,
            LLM.operatedBy,
            LLM.license,
            LLM.family,
        )
        for o in set(g.objects(None, p))
        if g.value(o, RDF.type) is None
    )
    assert dangling == []


def test_ids_follow_the_slug_rule(bundled: LineageGraph) -> None:
    """Entity IRIs are llmid:<slug> with a lower-case, hyphen-separated slug."""
    g = bundled.rdf
    bad = []
    for cls in (LLM.Model, LLM.Organization, LLM.Platform, LLM.ModelFamily):
        for s in g.subjects(RDF.type, cls):
            slug = str(s).removeprefix(str(LLMID))
            if not str(s).startswith(str(LLMID)) or not SLUG.match(slug):
                bad.append(str(s))
    assert bad == []


def test_huggingface_ids_are_well_formed_and_unique(bundled: LineageGraph) -> None:
    """Hugging Face ids are owner/name and no two models share one."""
    owners: dict[str, list[str]] = defaultdict(list)
    for m, hf in bundled.rdf.subject_objects(LLM.huggingFaceId):
        assert HF_ID.match(str(hf)), f"{m}: {hf!r} is not owner/name"
        owners[str(hf).casefold()].append(str(m))
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_no_colliding_names(bundled: LineageGraph) -> None:
    """No label or alias names two entities of the same class (after case/punctuation folding).

    A family may share its flagship model's name ("BLOOM"); resolution prefers by context.
    """
    g = bundled.rdf
    for cls in (*ENTITY_CLASSES, LLM.Organization):
        names: dict[str, set[str]] = defaultdict(set)
        for s in g.subjects(RDF.type, cls):
            for p in (RDFS.label, SKOS.altLabel, LLM.huggingFaceId):
                for name in g.objects(s, p):
                    names[normalize(str(name))].add(str(s))
        assert {k: sorted(v) for k, v in names.items() if len(v) > 1} == {}, cls


def test_vicuna_ancestry(bundled: LineageGraph) -> None:
    """Vicuna 13B v1.5: fine-tuned from Llama 2 13B (successor of LLaMA 13B), taught by ChatGPT."""
    found = [
        (a.label, a.relation, a.depth)
        for a in bundled.ancestors(
            "Vicuna 13B v1.5", relations=["derivedFrom", "successorOf", "trainedOnOutputsOf"]
        )
    ]
    assert ("Llama 2 13B", "fineTunedFrom", 1) in found
    assert ("LLaMA 13B", "successorOf", 2) in found
    assert ("ChatGPT", "trainedOnOutputsOf", 1) in found


def test_succession_is_not_weight_lineage(bundled: LineageGraph) -> None:
    """Llama 2 is not derived from LLaMA's weights, nor Alpaca from text-davinci-003's."""
    assert bundled.ancestors("Llama 2 7B") == []
    assert [a.label for a in bundled.ancestors("Alpaca 7B")] == ["LLaMA 7B"]


def test_from_scratch_models_have_no_parent(bundled: LineageGraph) -> None:
    """Models trained from scratch on a borrowed architecture have no derivation edge."""
    for name in ("TinyLlama 1.1B", "OpenLLaMA 7B"):
        assert bundled.ancestors(name) == [], name


def test_founding_entities_are_present(bundled: LineageGraph) -> None:
    """Every model, organization and platform the founding brief names resolves."""
    for name in (
        "LLaMA 7B",
        "Llama 2 7B",
        "MPT-7B",
        "Falcon 40B",
        "OPT 175B",
        "BLOOM",
        "GPT-3",
        "Mistral 7B v0.1",
        "Mixtral 8x7B v0.1",
        "Alpaca 7B",
        "Vicuna 13B v1.5",
        "Dolly v2 12B",
        "Koala 13B",
        "Cerebras-GPT 13B",
        "Pythia 12B",
        "XGen 7B 8K Base",
        "Orca 2 13B",
        "Phi-2",
        "Meta",
        "Mistral AI",
        "Microsoft",
        "Amazon",
        "Hugging Face",
        "OpenAI",
        "Anthropic",
        "EleutherAI",
        "Cerebras",
        "Salesforce",
        "MosaicML",
        "TII",
        "Databricks",
        "Amazon Bedrock",
        "Azure AI Studio",
    ):
        bundled.resolve(name)


def test_known_derivations(bundled: LineageGraph) -> None:
    """Well-documented base models are recorded with the right relation."""
    expected = [
        ("Dolly v2 12B", "fineTunedFrom", "Pythia 12B"),
        ("Zephyr 7B Beta", "fineTunedFrom", "Mistral 7B v0.1"),
        ("Code Llama 7B", "continuedPretrainingFrom", "Llama 2 7B"),
        ("Koala 13B", "fineTunedFrom", "LLaMA 13B"),
        ("Orca 2 13B", "fineTunedFrom", "Llama 2 13B"),
        ("DeepSeek-R1-Distill-Llama-8B", "fineTunedFrom", "Llama 3.1 8B"),
    ]
    for child, relation, parent in expected:
        direct = {(a.label, a.relation) for a in bundled.ancestors(child, depth=1)}
        assert (parent, relation) in direct, (child, direct)


def test_who_backs_whom(bundled: LineageGraph) -> None:
    """Headline backing: Microsoft → OpenAI and Mistral AI, Amazon and Google → Anthropic."""
    assert "Microsoft" in {b.label for b in bundled.backers("OpenAI")}
    assert "Microsoft" in {b.label for b in bundled.backers("Mistral AI")}
    assert {"Amazon", "Google"} <= {b.label for b in bundled.backers("Anthropic")}
    hf = {b.label for b in bundled.backers("Hugging Face")}
    assert {"Salesforce", "Google", "Amazon", "NVIDIA"} <= hf
    owned = {(p.label, p.relation) for p in bundled.portfolio("Databricks")}
    assert ("MosaicML", "owns") in owned


def test_every_model_has_a_release_date(bundled: LineageGraph) -> None:
    """Every model has one llm:releaseDate (its first public release)."""
    g = bundled.rdf
    undated = [
        str(g.value(m, RDFS.label)) for m in _models(bundled) if g.value(m, LLM.releaseDate) is None
    ]
    assert undated == []


def test_release_date_precision_is_recorded(bundled: LineageGraph) -> None:
    """A first-of-month date is either marked "month" or shown to be the real day by a note.

    Sources that give only a month are recorded as the first of that month with
    ``llm:releaseDatePrecision "month"``; an unmarked date on the 1st must have a note that
    names that day (as "2024-02-01", "2023/11/01", "March 1, 2024", "Aug. 1, 2023" or
    "1 December 2025"). A note saying "first of month used" goes with the "month" mark.
    """
    g = bundled.rdf
    unmarked, unnoted = [], []
    for m in _models(bundled):
        value = g.value(m, LLM.releaseDate)
        if not isinstance(value, Literal):
            continue
        day = value.toPython()
        precision = str(g.value(m, LLM.releaseDatePrecision) or "day")
        notes = " ".join(str(n) for n in g.objects(m, SKOS.note))
        label = str(g.value(m, RDFS.label))
        if re.search(r"first of (the )?month used", notes, re.I) and precision != "month":
            unmarked.append(label)
        if day.day == 1 and precision == "day":
            spelled = (
                day.isoformat(),
                f"{day:%Y/%m/%d}",
                f"{day:%B} 1,",
                f"{day:%b}. 1,",
                f"1 {day:%B}",
            )
            if not any(s in notes for s in spelled):
                unnoted.append(label)
    assert (unmarked, unnoted) == ([], [])


def test_public_by_dates_say_what_they_rest_on(bundled: LineageGraph) -> None:
    """A "public-by" date has a note saying what dated evidence it rests on."""
    g = bundled.rdf
    marked = [
        m for m in _models(bundled) if str(g.value(m, LLM.releaseDatePrecision)) == "public-by"
    ]
    assert len(marked) >= 10
    silent = [
        str(g.value(m, RDFS.label))
        for m in marked
        if not any(
            re.search(r"attested|earliest|latest possible|falls between|upper bound", str(n), re.I)
            for n in g.objects(m, SKOS.note)
        )
    ]
    assert silent == []


def test_wikidata_links_are_one_to_one(bundled: LineageGraph) -> None:
    """owl:sameAs links typed entities to Wikidata items: one item each, no item shared."""
    g = bundled.rdf
    item = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
    linkable = {LLM.Model, LLM.ModelFamily, LLM.Organization, LLM.Platform, LLM.License}
    by_item: dict[str, list[str]] = defaultdict(list)
    by_entity: dict[str, list[str]] = defaultdict(list)
    for s, o in g.subject_objects(OWL.sameAs):
        assert item.match(str(o)), f"{s} owl:sameAs {o}: not a Wikidata item IRI"
        assert linkable & set(g.objects(s, RDF.type)), f"{s} owl:sameAs {o}: not a typed entity"
        by_item[str(o)].append(str(s))
        by_entity[str(s)].append(str(o))
    assert {i: e for i, e in by_item.items() if len(e) > 1} == {}
    assert {e: i for e, i in by_entity.items() if len(i) > 1} == {}


def test_well_known_wikidata_items(bundled: LineageGraph) -> None:
    """Companies everyone asks about carry their Wikidata item; the LLaMA item is the family's."""
    g = bundled.rdf
    wd = "http://www.wikidata.org/entity/"
    expected = {
        "meta": "Q380",
        "microsoft": "Q2283",
        "google": "Q95",
        "amazon": "Q3884",
        "openai": "Q21708200",
        "nvidia": "Q182477",
        "family-llama": "Q116894231",
    }
    found = {slug: str(g.value(LLMID[slug], OWL.sameAs)) for slug in expected}
    assert found == {slug: wd + q for slug, q in expected.items()}
    linked = stats(bundled).identified["organizations with a Wikidata item"]
    assert linked >= 40


# ------------------------------------------------------------------ completeness and consistency

CLOSED = re.compile(r"closed[- ]weights?", re.I)
NO_LICENCE = re.compile(r"no licen[cs]e", re.I)


def _rows(lg: LineageGraph, sparql: str) -> list[Any]:
    """The rows of a SELECT, as rdflib ResultRow objects (named columns)."""
    return list(lg.query(sparql))


def _notes(g: Graph, s: Node) -> str:
    return " ".join(str(n) for n in g.objects(s, SKOS.note))


def test_every_model_has_developer_date_and_source(bundled: LineageGraph) -> None:
    """Every model has a developer, a release date and at least one source, all in one query."""
    rows = _rows(
        bundled,
        """SELECT ?m WHERE { ?m a llm:Model .
             FILTER (NOT EXISTS { ?m llm:developedBy ?d } || NOT EXISTS { ?m llm:releaseDate ?r }
                     || NOT EXISTS { ?m dcterms:source ?s }) }""",
    )
    assert sorted(str(r.m) for r in rows) == []


def test_every_open_model_has_a_licence_or_a_note(bundled: LineageGraph) -> None:
    """A model whose weights are published has an llm:license or a note saying no licence is stated.

    Closed models (teachers known only through an API: no Hugging Face id and a note saying
    "closed weights") are exempt; every other model needs a licence, or a skos:note containing
    "no licence" that says where that was checked.
    """
    g = bundled.rdf
    missing = []
    for m in _models(bundled):
        if g.value(m, LLM.license) is not None:
            continue
        notes = _notes(g, m)
        closed = g.value(m, LLM.huggingFaceId) is None and CLOSED.search(notes)
        if not closed and not NO_LICENCE.search(notes):
            missing.append(str(g.value(m, RDFS.label)))
    assert missing == []


def test_closed_models_have_no_published_weights(bundled: LineageGraph) -> None:
    """A model noted as closed-weight carries neither a Hugging Face id nor a licence."""
    g = bundled.rdf
    bad = [
        str(g.value(m, RDFS.label))
        for m in _models(bundled)
        if re.search(r"\bclosed[- ]weights?\b", _notes(g, m), re.I)
        and not re.search(r"open[- ]weight", _notes(g, m), re.I)
        and (g.value(m, LLM.huggingFaceId) is not None or g.value(m, LLM.license) is not None)
    ]
    assert bad == []


def _front_matter_base_models(card: str) -> list[str]:
    """The base_model entries of a model card's YAML front matter (a string or a list)."""
    import yaml  # type: ignore[import-untyped]

    if not card.startswith("---"):
        return []
    end = card.find("\n---", 3)
    if end < 0:
        return []
    try:
        meta = yaml.safe_load(card[3:end]) or {}
    except yaml.YAMLError:
        return []
    if not isinstance(meta, dict):
        return []
    base = meta.get("base_model")
    if isinstance(base, str):
        return [base]
    if isinstance(base, list):
        return [b for b in base if isinstance(b, str)]
    return []


def test_card_base_models_are_weight_lineage(bundled: LineageGraph) -> None:
    """Each base_model of a real model card, when both models are in the data, is weight lineage.

    The child must derive from the named base through llm:derivedFrom edges (directly, or through
    an intermediate checkpoint the data records, as Tulu 2 DPO 70B through Tulu 2 70B). The
    cards are the Hub READMEs in shared/realdata/hf_model_cards/<owner>/<name>/README.md; the
    card's own model and its base are found by their Hugging Face ids (case-insensitive).
    """
    from .conftest import REALDATA

    by_hf = {
        str(r.hf).casefold(): r.m
        for r in _rows(bundled, "SELECT ?m ?hf WHERE { ?m a llm:Model ; llm:huggingFaceId ?hf }")
    }
    cards = sorted((REALDATA / "hf_model_cards").glob("*/*/README.md"))
    assert len(cards) >= 60
    checked, missing = 0, []
    for card in cards:
        repo = f"{card.parent.parent.name}/{card.parent.name}".casefold()
        child = by_hf.get(repo)
        if child is None:
            continue
        for base in _front_matter_base_models(card.read_text(encoding="utf-8")):
            parent = by_hf.get(base.strip().casefold())
            if parent is None:
                continue
            checked += 1
            if not bundled.query(f"ASK {{ <{child}> llm:derivedFrom+ <{parent}> }}").askAnswer:
                missing.append((repo, base))
    assert checked >= 5
    assert missing == []


def test_no_child_before_weight_parent_or_teacher(bundled: LineageGraph) -> None:
    """No model is released before a model it derives its weights or learned its outputs from."""
    rows = _rows(
        bundled,
        """SELECT ?child ?parent WHERE {
             { ?child llm:derivedFrom ?parent } UNION { ?child llm:trainedOnOutputsOf ?parent }
             ?child llm:releaseDate ?a . ?parent llm:releaseDate ?b .
             FILTER (?a < ?b) }""",
    )
    assert sorted((str(r.child), str(r.parent)) for r in rows) == []


def test_fine_tunes_keep_their_parents_size(bundled: LineageGraph) -> None:
    """A fine-tune's parameter count is within 3 % of its parent's, unless a note says why.

    The explaining note names the difference: it mentions "parameter".
    """
    g = bundled.rdf
    rows = _rows(
        bundled,
        """SELECT ?child ?parent ?a ?b WHERE {
             ?child llm:fineTunedFrom ?parent .
             ?child llm:parameterCount ?a . ?parent llm:parameterCount ?b }""",
    )
    far = [
        (str(r.child), int(r.a), str(r.parent), int(r.b))
        for r in rows
        if abs(int(r.a) - int(r.b)) > 0.03 * int(r.b)
        and not re.search(r"parameter", _notes(g, r.child), re.I)
    ]
    assert far == []


def test_family_members_share_a_developer_with_their_family(bundled: LineageGraph) -> None:
    """The families rule: a model is in a family only if one of its developers develops it."""
    rows = _rows(
        bundled,
        """SELECT ?m ?f WHERE { ?m a llm:Model ; llm:family ?f .
             FILTER NOT EXISTS { ?m llm:developedBy ?d . ?f llm:developedBy ?d } }""",
    )
    assert sorted((str(r.m), str(r.f)) for r in rows) == []
