"""Entity resolution for importers: Hub ids, names, owners, licences, ambiguity."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, Literal, URIRef

from llmgraph import LLM, LLMID, LineageGraph
from llmgraph.importers import Resolution, Resolver, import_epoch, import_hf_hub
from llmgraph.importers.build import model_iri, organization_iri
from llmgraph.importers.records import Ref
from llmgraph.importers.resolve import slug, spdx_id
from llmgraph.store import new_graph, parse_text

GRAPH = """
@prefix llm: <https://w3id.org/llmgraph#> .
@prefix llmid: <https://w3id.org/llmgraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

llmid:acme a llm:Organization , llm:Company ; rdfs:label "Acme AI" ; skos:altLabel "acme-ai" .
llmid:beta a llm:Organization ; rdfs:label "Beta Labs" .
llmid:one a llm:Model ; rdfs:label "Acme One 7B" ; skos:altLabel "Acme-One-7B-Old" ;
    llm:huggingFaceId "acme-ai/Acme-One-7B" ; llm:developedBy llmid:acme .
llmid:two a llm:Model ; rdfs:label "Old Model 13B" ;
    owl:sameAs <http://www.wikidata.org/entity/Q42> .
llmid:twin-a a llm:Model ; rdfs:label "Twin 3B" .
llmid:twin-b a llm:Model ; rdfs:label "twin-3b" .
llmid:lic a llm:License ; rdfs:label "Acme Community License" .
<http://spdx.org/licenses/MIT> a llm:License ; rdfs:label "MIT License" .
"""


@pytest.fixture
def resolver() -> Resolver:
    """A resolver over a small hand-made graph."""
    return Resolver(parse_text(GRAPH))


def test_hub_id_is_case_insensitive(resolver: Resolver) -> None:
    """A Hub id in another case finds the model by llm:huggingFaceId."""
    assert resolver.model(hf_id="ACME-AI/acme-one-7b") == Resolution(LLMID.one, "huggingFaceId")


def test_renamed_repository_of_the_same_owner(resolver: Resolver) -> None:
    """Another repository name of the same owner matching an alias is the same model."""
    assert resolver.model(hf_id="acme-ai/Acme-One-7B-Old").entity == LLMID.one


def test_another_owners_copy_is_not_the_model(resolver: Resolver) -> None:
    """A repository of another owner with the same name is a different model (unresolved)."""
    assert resolver.model(hf_id="someone/Acme-One-7B") == Resolution(None)


def test_a_model_without_hub_id_matches_any_owner(resolver: Resolver) -> None:
    """A curated model with no Hub id is matched by a Hub repository named like it."""
    assert resolver.model(hf_id="uploader/old-model-13b") == Resolution(LLMID.two, "label or alias")


def test_names_are_normalized(resolver: Resolver) -> None:
    """Case, spaces and punctuation do not matter; a dot between digits does."""
    assert resolver.model(name="ACME one-7b").entity == LLMID.one
    assert resolver.model(name="acme one 7.0b").entity is None


def test_a_name_can_match_a_hub_repository_name(resolver: Resolver) -> None:
    """A plain name that is only the repository part of a Hub id is found there last."""
    found = resolver.model(name="Acme One 7B Old")
    assert found == Resolution(LLMID.one, "label or alias")
    resolver.add_model(LLMID.three, label="x", hf_ids=["z/Only-On-The-Hub"])
    assert resolver.model(name="only on the hub") == Resolution(LLMID.three, "Hub repository name")


def test_ambiguous_names_choose_nothing(resolver: Resolver) -> None:
    """A name two models share is ambiguous: no entity, both candidates listed."""
    found = resolver.model(name="Twin-3B")
    assert found.ambiguous
    assert found.candidates == (LLMID["twin-a"], LLMID["twin-b"])


def test_wikidata_item_wins(resolver: Resolver) -> None:
    """An owl:sameAs item resolves before any name."""
    assert resolver.model(qid="Q42", name="Acme One 7B") == Resolution(LLMID.two, "owl:sameAs")


def test_organizations(resolver: Resolver) -> None:
    """Organizations resolve by label or alias, and a Hub owner by its models' developer."""
    assert resolver.organization(name="ACME AI").entity == LLMID.acme
    assert resolver.organization(hf_owner="acme-ai").entity == LLMID.acme
    resolver.add_model(LLMID.four, hf_ids=["beta-hub/x"])
    resolver.add_owner_developer("beta-hub", LLMID.beta)
    assert resolver.organization(hf_owner="Beta-Hub") == Resolution(LLMID.beta, "Hub owner")
    assert resolver.organization(name="Gamma").entity is None


def test_licences(resolver: Resolver) -> None:
    """Licences resolve by SPDX id (any case), label, or the slug of a bundled-style IRI."""
    assert resolver.license(name="mit").entity == URIRef("http://spdx.org/licenses/MIT")
    assert resolver.license(name="acme community license").entity == LLMID.lic
    assert resolver.license(name="llama2").entity is None  # not loaded in this graph
    assert spdx_id("GPL-3.0") == "GPL-3.0-only"


def test_mark_and_undo_forget_registrations(resolver: Resolver) -> None:
    """Registrations after a mark are forgotten by undo (a skipped record leaves no trace)."""
    mark = resolver.mark()
    resolver.add_model(LLMID.tmp, label="Temp", names=["Temp 1B"], hf_ids=["t/temp-1b"])
    assert resolver.model(hf_id="t/temp-1b").entity == LLMID.tmp
    resolver.undo(mark)
    assert resolver.model(hf_id="t/temp-1b").entity is None
    assert resolver.model(name="Temp 1B").entity is None
    assert resolver.label(LLMID.tmp) == str(LLMID.tmp)


def test_iris_of_new_entities_are_deterministic() -> None:
    """New entities get IRIs from their Hub id, Wikidata item or name slug."""
    assert model_iri(Ref(hf_id="Org/Model-1.5B"), prefix="hf") == LLMID["hf/Org/Model-1.5B"]
    assert model_iri(Ref(qid="Q1", name="x"), prefix="wd") == LLMID["wd/Q1"]
    assert (
        model_iri(Ref(name="GPT-3 175B (davinci)"), prefix="epoch")
        == LLMID["epoch/gpt-3-175b-davinci"]
    )
    assert organization_iri(Ref(hf_owner="TheBloke")) == LLMID["hf-owner/TheBloke"]
    assert organization_iri(Ref(name="Mila - Quebec AI")) == LLMID["org/mila-quebec-ai"]
    assert slug("  Ünïcode Model ") == "n-code-model"


def test_an_ambiguous_name_is_reported_and_kept_apart(tmp_path: Path) -> None:
    """An import whose name matches two loaded models creates a separate model and reports it."""
    table = tmp_path / "t.csv"
    table.write_text("System,Domain\nTwin 3B,Language\n", encoding="utf-8")
    lg = LineageGraph(parse_text(GRAPH))
    report = import_epoch(lg, [table])
    assert [(a.name, a.candidates, a.entity) for a in report.ambiguous] == [
        ("Twin 3B", (str(LLMID["twin-a"]), str(LLMID["twin-b"])), str(LLMID["epoch/twin-3b"]))
    ]
    assert "ambiguous 'Twin 3B'" in report.summary()
    again = import_epoch(lg, [table])
    assert again.triples_added == 0  # the same IRI is minted again: no duplicate


def test_the_same_model_from_three_sources_is_one(bundled: LineageGraph) -> None:
    """LLaMA-13B (Epoch), huggyllama/llama-13b (Hub) and the curated LLaMA 13B are one model."""
    graph = new_graph()
    graph += bundled.rdf
    lg = LineageGraph(graph)
    hub = import_hf_hub(lg, records=[{"id": "huggyllama/llama-13b", "author": "huggyllama"}])
    assert [(m.name, m.entity, m.by) for m in hub.matched] == [
        ("huggyllama/llama-13b", str(LLMID["llama-13b"]), "label or alias")
    ]
    assert hub.entities_added == 0
    assert (LLMID["llama-13b"], LLM.huggingFaceId, Literal("huggyllama/llama-13b")) in lg.rdf
    epoch = import_epoch(lg, [Path(__file__).parent / "data" / "import" / "epoch_model_column.csv"])
    assert ("LLaMA-13B", str(LLMID["llama-13b"])) in {(m.name, m.entity) for m in epoch.matched}
    assert lg.resolve("huggyllama/llama-13b") == lg.resolve("LLaMA-13B") == LLMID["llama-13b"]
    assert len(list(lg.rdf.objects(LLMID["llama-13b"], RDFS.label))) == 1
