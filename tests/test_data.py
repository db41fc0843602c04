"""The bundled data: conforms, acyclic, cited, consistent, and right on the facts users ask."""

from __future__ import annotations

import re
from collections import defaultdict

from rdflib import DCTERMS, RDF, RDFS, SKOS, Literal, URIRef

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


def test_every_model_has_a_release_date_or_says_why(bundled: LineageGraph) -> None:
    """A model without a release date carries a note saying why (undated beats a guessed date)."""
    g = bundled.rdf
    unexplained = [
        str(m)
        for m in _models(bundled)
        if g.value(m, LLM.releaseDate) is None
        and not any("date" in str(n).lower() for n in g.objects(m, SKOS.note))
    ]
    assert unexplained == []


def test_most_models_are_dated(bundled: LineageGraph) -> None:
    """At least 85% of the models have a release date (the rest are listed as known gaps)."""
    models = _models(bundled)
    dated = [m for m in models if bundled.rdf.value(m, LLM.releaseDate) is not None]
    assert len(dated) >= 0.85 * len(models), f"{len(dated)} of {len(models)} dated"


def test_coverage_minimums(bundled: LineageGraph) -> None:
    """The dataset keeps its promised breadth: models, families, organizations, backing, hosting."""
    s = stats(bundled)
    assert s.classes["Model"] >= 250
    assert s.classes["Organization"] >= 60
    assert s.classes["Platform"] >= 8
    assert s.relations["investsIn"] + s.relations["owns"] >= 50
    families = {str(f) for f in bundled.rdf.subjects(RDF.type, LLM.ModelFamily)}
    assert len(families) >= 30
    years = {y for y in s.models_by_year if s.models_by_year[y] > 0}
    assert min(years) <= 2020 and max(years) >= 2025


def test_every_organization_is_typed(bundled: LineageGraph) -> None:
    """Every organization has one of the five organization kinds besides llm:Organization."""
    g = bundled.rdf
    kinds = {LLM.Company, LLM.ResearchLab, LLM.University, LLM.NonProfit, LLM.GovernmentBody}
    untyped = [
        str(o)
        for o in g.subjects(RDF.type, LLM.Organization)
        if not kinds & set(g.objects(o, RDF.type))
    ]
    assert untyped == []


def test_moe_models_have_active_parameters(bundled: LineageGraph) -> None:
    """Mixture-of-experts models record active parameters below their total."""
    g = bundled.rdf
    for name in ("Mixtral 8x7B v0.1", "DeepSeek-V3"):
        m = bundled.resolve(name, kind="model")
        total, active = g.value(m, LLM.parameterCount), g.value(m, LLM.activeParameterCount)
        assert isinstance(total, Literal) and isinstance(active, Literal), name
        assert active.toPython() < total.toPython(), name
