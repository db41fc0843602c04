"""Importing Hugging Face model cards: the 69 real cards, and hand-made cards for the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SKOS, Literal, URIRef

from llmgraph import LLM, LLMID, DataLoadError, LineageGraph, UsageError
from llmgraph.cli import main
from llmgraph.importers import ImportReport, import_hf_cards, import_hf_hub
from llmgraph.importers.hf_cards import (
    RELATIONS,
    canonical_metadata,
    card_files,
    front_matter,
    infer_relation,
    model_ids,
    parse_card,
    parse_metadata,
)
from llmgraph.importers.report import Skip
from llmgraph.importers.resolve import HF_ID
from llmgraph.store import new_graph

from .conftest import REALDATA

REAL = REALDATA / "hf_model_cards"
DATA = Path(__file__).parent / "data" / "import"
CARDS = DATA / "cards"

NO_FRONT_MATTER = "no YAML front matter (the card does not start with a --- line)"
UNCLOSED = "no YAML front matter (the opening --- line is never closed)"
F, A, Q, M = "fineTunedFrom", "adapterOf", "quantizedFrom", "mergedFrom"

# Every real card: the parents its front matter gives, with the relation and whether the
# relation was inferred (True) or stated by base_model_relation (False); or why it is skipped.
EXPECTED: dict[str, list[tuple[str, str, bool]] | str] = {
    "AlekseyKorshuk/vicuna-7b": [],
    "allenai/tulu-2-dpo-70b": [("meta-llama/Llama-2-70b-hf", F, True)],
    "bigscience/bloomz": [],
    "CarperAI/stable-vicuna-13b-delta": [],
    "cerebras/Cerebras-GPT-13B": [],
    "chavinlo/alpaca-native": NO_FRONT_MATTER,
    "CultriX/MistralTrix-v1": [],
    "databricks/dolly-v1-6b": [],
    "databricks/dolly-v2-12b": [],
    "DiscoResearch/DiscoLM-mixtral-8x7b-v2": [],
    "EleutherAI/gpt-neox-20b": [],
    "EleutherAI/pythia-12b": [],
    "facebook/opt-iml-30b": [],
    "FinGPT/fingpt-forecaster_dow30_llama2-7b_lora": [("meta-llama/Llama-2-7b-chat-hf", A, True)],
    "HuggingFaceH4/zephyr-7b-alpha": [("mistralai/Mistral-7B-v0.1", F, True)],
    "HuggingFaceH4/zephyr-7b-beta": [("mistralai/Mistral-7B-v0.1", F, True)],
    "HuggingFaceH4/zephyr-7b-gemma-v0.1": [("HuggingFaceH4/zephyr-7b-gemma-sft-v0.1", F, True)],
    "HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1": [("mistral-community/Mixtral-8x22B-v0.1", F, True)],
    "IlyaGusev/saiga_mistral_7b_lora": [],
    "Intel/neural-chat-7b-v3-1": [("mistralai/Mistral-7B-v0.1", F, True)],
    "JennyZhu0822/summa-virtue-qwen2.5-1.5b__adapter": [("Qwen/Qwen2.5-1.5B-Instruct", A, False)],
    "lmsys/vicuna-13b-delta-v0": [],
    "lmsys/vicuna-13b-v1.3": [],
    "lmsys/vicuna-7b-v1.5": [],
    "microsoft/Orca-2-13b": [],
    "microsoft/phi-2": [],
    "mlabonne/AlphaMonarch-7B": [("mlabonne/NeuralMonarch-7B", F, True)],
    "mlabonne/NeuralBeagle14-7B": [("mlabonne/Beagle14-7B", F, True)],
    "mlabonne/phixtral-2x2_8": [],
    "mosaicml/mpt-7b-instruct": [],
    "Mozilla/Mistral-7B-Instruct-v0.2-llamafile": [("mistralai/Mistral-7B-Instruct-v0.2", Q, True)],
    "NEU-HAI/Llama-2-7b-alpaca-cleaned": [],
    "Nexusflow/Starling-LM-7B-beta": [],
    "NousResearch/Llama-2-7b-chat-hf": [],
    "NousResearch/Nous-Hermes-2-Mixtral-8x7B-DPO": [("mistralai/Mixtral-8x7B-v0.1", F, True)],
    "Open-Orca/Mistral-7B-OpenOrca": [],
    "OpenAssistant/oasst-sft-4-pythia-12b-epoch-3.5": [],
    "OpenGVLab/InternViT-6B-448px-V1-5": [("OpenGVLab/InternViT-6B-448px-V1-2", F, False)],
    "OpenGVLab/InternVL2-8B": [
        ("OpenGVLab/InternViT-300M-448px", M, False),
        ("internlm/internlm2_5-7b-chat", M, False),
    ],
    "OpenPipe/mistral-ft-optimized-1218": [],
    "Pi3141/alpaca-lora-30B-ggml": [],
    "ronniewy/vicuna_api_parameters__peft_excerpt": [("lmsys/vicuna-7b-v1.5", A, True)],
    "Salesforce/instructblip-vicuna-7b": [],
    "Salesforce/xgen-7b-8k-base": [],
    "Salesforce/xgen-7b-8k-inst": [],
    "ShinojiResearch/Senku-70B-Full": [("152334H/miqu-1-70b-sf", A, True)],
    "SkunkworksAI/phi-2": [],
    "stabilityai/stablelm-zephyr-3b": [],
    "teknium/OpenHermes-2.5-Mistral-7B": [("mistralai/Mistral-7B-v0.1", F, True)],
    "TheBloke/dolphin-2_6-phi-2-GGUF": [("cognitivecomputations/dolphin-2_6-phi-2", Q, True)],
    "TheBloke/Falcon-180B-Chat-GGUF": [("tiiuae/falcon-180B-chat", Q, True)],
    "TheBloke/falcon-40b-instruct-GPTQ": [],
    "TheBloke/goliath-120b-GGUF": [("alpindale/goliath-120b", Q, True)],
    "TheBloke/Llama-2-13B-chat-GPTQ": [("meta-llama/Llama-2-13b-chat-hf", Q, True)],
    "TheBloke/Llama-2-7B-Chat-GGUF": [("meta-llama/Llama-2-7b-chat-hf", Q, True)],
    "TheBloke/Mistral-7B-Instruct-v0.2-AWQ": [("mistralai/Mistral-7B-Instruct-v0.2", Q, True)],
    "TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF": [("mistralai/Mixtral-8x7B-Instruct-v0.1", Q, True)],
    "TheBloke/Mixtral-8x7B-Instruct-v0.1-GPTQ": [("mistralai/Mixtral-8x7B-Instruct-v0.1", Q, True)],
    "TheBloke/mpt-30B-chat-GGML": [],
    "TheBloke/phi-2-GGUF": [("microsoft/phi-2", Q, True)],
    "TheBloke/stable-vicuna-13B-HF": [],
    "TheBloke/Vicuna-13B-1.1-GPTQ": [],
    "TheBloke/zephyr-7B-beta-GGUF": [("HuggingFaceH4/zephyr-7b-beta", Q, True)],
    "tiiuae/falcon-40b-instruct": [],
    "tiiuae/falcon-7b": [],
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0": [],
    "TokenBender/llama2-7b-chat-hf-codeCherryPop-qLoRA-merged": UNCLOSED,
    "unsloth/Meta-Llama-3.1-70B-Instruct-bnb-4bit": [
        ("meta-llama/Meta-Llama-3.1-70B-Instruct", Q, False)
    ],
    "young-geng/koala": [],
}


def copy_of(lg: LineageGraph) -> LineageGraph:
    """A modifiable copy of ``lg`` (faster than loading the bundled files again)."""
    graph = new_graph()
    graph += lg.rdf
    return LineageGraph(graph)


@pytest.fixture(scope="module")
def imported(bundled: LineageGraph) -> tuple[LineageGraph, ImportReport]:
    """The bundled graph with the 69 real cards imported (shared; tests must not modify it)."""
    lg = copy_of(bundled)
    return lg, import_hf_cards(lg, [REAL])


def _casefold(text: str) -> str:
    return text.casefold()


REPO_IDS: list[str] = sorted(EXPECTED, key=_casefold)


def _model(lg: LineageGraph, hf_id: str) -> URIRef:
    found = [s for s in lg.rdf.subjects(LLM.huggingFaceId, None) if _has_id(lg, s, hf_id)]
    assert len(found) == 1, (hf_id, found)
    return URIRef(str(found[0]))


def _has_id(lg: LineageGraph, s: object, hf_id: str) -> bool:
    return any(
        str(v).casefold() == hf_id.casefold()
        for v in lg.rdf.objects(URIRef(str(s)), LLM.huggingFaceId)
    )


def test_every_real_card_is_listed() -> None:
    """The table of expectations covers exactly the 69 cards on disk."""
    on_disk = {f"{p.parent.parent.name}/{p.parent.name}" for p in REAL.glob("*/*/README.md")}
    assert len(on_disk) == 69
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("repo_id", REPO_IDS)
def test_real_card_parents(repo_id: str) -> None:
    """Each real card gives exactly the expected parents and relations, or its skip reason."""
    path = REAL / repo_id / "README.md"
    result = parse_card(path.read_text(encoding="utf-8-sig"), repo_id)
    expected = EXPECTED[repo_id]
    if isinstance(expected, str):
        assert result == Skip(repo_id, expected)
        return
    assert not isinstance(result, Skip)
    got = [(p.ref.hf_id, p.relation.fragment, p.inferred is not None) for p in result.parents]
    assert got == expected
    assert result.sources == [f"https://huggingface.co/{repo_id}"]


def test_mergekit_configuration_in_the_body_is_not_read() -> None:
    """base_model lines of a mergekit YAML block in a card's body are not taken as metadata."""
    for repo_id, body_base in (
        ("OpenPipe/mistral-ft-optimized-1218", "base_model: mistralai/Mistral-7B-v0.1"),
        ("mlabonne/phixtral-2x2_8", "base_model: cognitivecomputations/dolphin-2_6-phi-2"),
    ):
        text = (REAL / repo_id / "README.md").read_text(encoding="utf-8")
        assert body_base in text
        record = parse_card(text, repo_id)
        assert not isinstance(record, Skip)
        assert record.parents == []


def test_import_summary_of_the_real_cards(imported: tuple[LineageGraph, ImportReport]) -> None:
    """The import reads 69 cards and skips the two without front matter, with their reasons."""
    _, report = imported
    assert report.records_read == 69
    assert [(Path(s.record).parent.name, s.reason) for s in report.skipped] == [
        ("alpaca-native", NO_FRONT_MATTER),
        ("llama2-7b-chat-hf-codeCherryPop-qLoRA-merged", UNCLOSED),
    ]
    assert report.ambiguous == []
    assert report.triples_added >= len(report.triples) > 0  # materialized ones included


@pytest.mark.parametrize(
    ("repo_id", "relation", "parent"),
    [
        ("TheBloke/Llama-2-13B-chat-GPTQ", LLM.quantizedFrom, LLMID["llama-2-13b-chat"]),
        ("TheBloke/phi-2-GGUF", LLM.quantizedFrom, LLMID["phi-2"]),
        ("FinGPT/fingpt-forecaster_dow30_llama2-7b_lora", LLM.adapterOf, LLMID["llama-2-7b-chat"]),
        ("ronniewy/vicuna_api_parameters__peft_excerpt", LLM.adapterOf, LLMID["vicuna-7b-v1-5"]),
        (
            "unsloth/Meta-Llama-3.1-70B-Instruct-bnb-4bit",
            LLM.quantizedFrom,
            LLMID["llama-3-1-70b-instruct"],
        ),
        (
            "Mozilla/Mistral-7B-Instruct-v0.2-llamafile",
            LLM.quantizedFrom,
            LLMID["mistral-7b-instruct-v0-2"],
        ),
    ],
)
def test_parents_resolve_to_the_curated_models(
    imported: tuple[LineageGraph, ImportReport], repo_id: str, relation: URIRef, parent: URIRef
) -> None:
    """A card's parent resolves to the curated model (by Hub id, or a renamed repository)."""
    lg, _ = imported
    child = _model(lg, repo_id)
    assert (child, relation, parent) in lg.rdf
    assert (child, LLM.derivedFrom, parent) in lg.rdf


def test_quantized_build_of_a_fine_tune_has_the_whole_chain(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """A GGUF build of a fine-tune reaches the fine-tune's base through the fine-tune."""
    lg, _ = imported
    chain = [(a.label, a.relation, a.depth) for a in lg.ancestors("TheBloke/Llama-2-7B-Chat-GGUF")]
    assert chain[:2] == [
        ("Llama 2 7B Chat", "quantizedFrom", 1),
        ("Llama 2 7B", "fineTunedFrom", 2),
    ]


def test_parent_not_loaded_becomes_a_model_with_its_hub_id(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """An unknown parent gets its Hub id, a label, its owner as developer and the citing card."""
    lg, _ = imported
    parent = LLMID["hf/cognitivecomputations/dolphin-2_6-phi-2"]
    assert lg.rdf.value(parent, LLM.huggingFaceId) == Literal(
        "cognitivecomputations/dolphin-2_6-phi-2"
    )
    assert [str(v) for v in lg.rdf.objects(parent, RDFS.label)] == [
        "cognitivecomputations/dolphin-2_6-phi-2"
    ]
    assert set(lg.rdf.objects(parent, SKOS.altLabel)) == {Literal("Dolphin 2.6 Phi 2")}
    assert lg.rdf.value(parent, LLM.developedBy) == LLMID["cognitivecomputations"]
    assert lg.sources(parent) == ["https://huggingface.co/TheBloke/dolphin-2_6-phi-2-GGUF"]


def test_inferred_relations_are_marked_with_their_reason(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """An inferred relation has an llm:inferred statement node saying why; a stated one has none."""
    lg, _ = imported
    child = _model(lg, "TheBloke/goliath-120b-GGUF")
    parent = LLMID["hf/alpindale/goliath-120b"]
    statements = [
        st
        for st in lg.rdf.subjects(RDF.subject, child)
        if (st, RDF.object, parent) in lg.rdf and (st, LLM.inferred, Literal(True)) in lg.rdf
    ]
    assert len(statements) == 1
    assert lg.rdf.value(statements[0], RDF.predicate) == LLM.quantizedFrom
    assert str(lg.rdf.value(statements[0], SKOS.note)) == "inferred from the repository name (gguf)"
    stated = _model(lg, "JennyZhu0822/summa-virtue-qwen2.5-1.5b__adapter")
    assert not any(
        (st, LLM.inferred, Literal(True)) in lg.rdf for st in lg.rdf.subjects(RDF.subject, stated)
    )


def test_no_duplicates_after_merging_with_the_bundled_data(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """Every Hub id names one model, and curated models matched keep their one label."""
    lg, report = imported
    ids = [str(v).casefold() for v in lg.rdf.objects(None, LLM.huggingFaceId)]
    assert len(ids) == len(set(ids))
    curated = {URIRef(m.entity) for m in report.matched if m.by == "huggingFaceId"}
    assert LLMID["zephyr-7b-beta"] in curated
    assert all(len(list(lg.rdf.objects(e, RDFS.label))) == 1 for e in curated)


def test_redundant_grandparent_edge_is_kept_as_a_note(
    imported: tuple[LineageGraph, ImportReport],
) -> None:
    """A card naming a model's grandparent as base does not flatten the curated chain."""
    lg, report = imported
    tulu = LLMID["tulu-2-dpo-70b"]
    assert (tulu, LLM.fineTunedFrom, LLMID["llama-2-70b"]) not in lg.rdf
    notes = [str(n) for n in lg.rdf.objects(tulu, SKOS.note)]
    assert any("already an ancestor through" in n for n in notes)
    assert any("Tulu 2 DPO 70B" in n for n in report.notes)


def test_importing_twice_adds_nothing() -> None:
    """A second import of the same cards adds no triple and matches instead."""
    lg = LineageGraph.load(bundled=False)
    first = import_hf_cards(lg, [REAL])
    size = len(lg)
    second = import_hf_cards(lg, [REAL])
    assert first.entities_added > 60
    assert (second.triples_added, second.entities_added, len(lg)) == (0, 0, size)
    assert len(second.matched) > 60
    assert lg.validate().conforms


# ---------------------------------------------------------------------- hand-made cards


@pytest.fixture(scope="module")
def handmade(bundled: LineageGraph) -> tuple[LineageGraph, ImportReport]:
    """The bundled graph with the hand-made cards of tests/data/import/cards imported."""
    lg = copy_of(bundled)
    return lg, import_hf_cards(lg, [CARDS])


def test_misspelt_keys_are_read_and_noted(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """Base-Model, base_model_relationship: quantised, Tags, licence and dataset are all read."""
    lg, report = handmade
    model = LLMID["hf/fixture/misspelt-keys"]
    assert (model, LLM.quantizedFrom, LLMID["mistral-7b-v0-1"]) in lg.rdf
    assert not any(lg.rdf.subjects(RDF.subject, model))  # stated, not inferred
    assert lg.rdf.value(model, LLM.license) == URIRef("http://spdx.org/licenses/Apache-2.0")
    assert lg.rdf.value(model, LLM.trainingDataset) == URIRef(
        "https://huggingface.co/datasets/HuggingFaceH4/ultrachat_200k"
    )
    where = str(CARDS / "fixture" / "misspelt-keys" / "README.md")
    assert f"{where}: read base_model from the key 'Base-Model'" in report.notes
    assert (
        f"{where}: read base_model_relation from the key 'base_model_relationship'" in report.notes
    )


def test_a_list_of_parents_is_a_merge(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """Two distinct parents (a URL and a case-variant duplicate folded) make two merge edges."""
    lg, _ = handmade
    model = LLMID["hf/fixture/basemodel-list"]
    assert set(lg.rdf.objects(model, LLM.mergedFrom)) == {
        LLMID["mistral-7b-v0-1"],
        LLMID["zephyr-7b-beta"],
    }


def test_every_card_skip_reason(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """Bad YAML and a front matter that is not a mapping are skipped with the parser's reason."""
    _, report = handmade
    reasons = {Path(s.record).parent.name: s.reason for s in report.skipped}
    assert set(reasons) == {"bad-yaml", "list-front-matter"}
    assert reasons["bad-yaml"].startswith("front matter is not a YAML mapping: while parsing")
    assert reasons["list-front-matter"] == (
        "front matter is not a YAML mapping: repo card metadata block should be a dict"
    )


def test_values_that_cannot_be_used_are_noted(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """A self-reference, a local path, an unknown relation and a stray creator become notes."""
    lg, report = handmade
    root = CARDS / "fixture"
    self_base, local = root / "self-base" / "README.md", root / "local-path-base" / "README.md"
    assert (
        f"{self_base}: fixture/self-base is named as its own base model; that edge is ignored"
    ) in report.notes
    assert (
        f"{local}: base_model './outputs/checkpoint-500' is not a Hub model id; ignored"
    ) in report.notes
    assert not any(lg.rdf.objects(LLMID["hf/fixture/self-base"], LLM.derivedFrom))
    assert (
        lg.rdf.value(LLMID["hf/fixture/local-path-base"], LLM.license)
        == LLMID["license-microsoft-research"]
    )
    odd = LLMID["hf/fixture/odd-relation"]
    assert (odd, LLM.fineTunedFrom, LLMID["zephyr-7b-beta"]) in lg.rdf
    assert any("unknown base_model_relation 'distilled'" in n for n in report.notes)
    legacy = LLMID["hf/fixture/legacy-base"]
    assert (legacy, LLM.fineTunedFrom, LLMID["gpt-2-small"]) in lg.rdf
    assert lg.rdf.value(legacy, LLM.developedBy) == LLMID["hf-owner/fixture"]
    assert any("model_creator 'Nobody In Particular' matches no" in n for n in report.notes)


def test_adapter_card_details(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """A PEFT card is an adapter; model_name, arxiv tags and new_version map onto our terms."""
    lg, _ = handmade
    model = LLMID["hf/fixture/peft-adapter-lora"]
    assert (model, LLM.adapterOf, LLMID["zephyr-7b-beta"]) in lg.rdf
    assert (model, LLM.adapterOf, LLMID["mixtral-8x7b-v0-1"]) not in lg.rdf  # body YAML
    assert (model, SKOS.altLabel, Literal("Zephyr LoRA")) in lg.rdf
    assert (model, RDFS.seeAlso, URIRef("https://arxiv.org/abs/2106.09685")) in lg.rdf
    assert (LLMID["hf/fixture/peft-adapter-lora-v2"], LLM.successorOf, model) in lg.rdf


def test_a_card_that_would_close_a_cycle_is_skipped() -> None:
    """Of two cards naming each other as base, the second is skipped with the cycle named."""
    lg = LineageGraph.load(bundled=False)
    report = import_hf_cards(lg, [DATA / "cycle"])
    assert [(Path(s.record).parent.name, s.reason) for s in report.skipped] == [
        (
            "cycle-b",
            "would close a derivation cycle: fixture/cycle-b → fixture/cycle-a → fixture/cycle-b",
        )
    ]
    a, b = LLMID["hf/fixture/cycle-a"], LLMID["hf/fixture/cycle-b"]
    assert (a, LLM.fineTunedFrom, b) in lg.rdf
    assert (b, LLM.fineTunedFrom, a) not in lg.rdf


def test_one_card_with_its_id() -> None:
    """A single README.md is imported under the id given; without one it is a usage error."""
    lg = LineageGraph.load(bundled=False)
    card = REAL / "TheBloke" / "goliath-120b-GGUF" / "README.md"
    report = import_hf_cards(lg, [card], repo_id="someone/goliath-copy-GGUF")
    assert report.records_read == 1
    assert lg.ancestors("someone/goliath-copy-GGUF")[0].label == "alpindale/goliath-120b"
    with pytest.raises(UsageError, match="needs its Hub id: pass --id owner/name"):
        import_hf_cards(lg, [card])
    with pytest.raises(UsageError, match="--id names one card"):
        import_hf_cards(lg, [card, card], repo_id="a/b")


def test_a_missing_input_changes_nothing() -> None:
    """A missing path among the inputs raises before anything is added."""
    lg = LineageGraph.load(bundled=False)
    size = len(lg)
    with pytest.raises(DataLoadError, match="no such file or folder"):
        import_hf_cards(lg, [CARDS, DATA / "nowhere"])
    assert len(lg) == size


def test_helpers_on_small_inputs() -> None:
    """The key, id and relation helpers handle the shapes found in the wild."""
    meta, notes = canonical_metadata({"base_model": "a/b", "basemodel": "c/d"}, where="w")
    assert (meta["base_model"], notes) == ("a/b", [])
    meta, notes = canonical_metadata({"base_modle": "a/b"}, where="w")
    assert meta["base_model"] == "a/b"
    assert model_ids("  https://huggingface.co/a/b  ") == (["a/b"], [], [])
    assert model_ids({"x": 1}) == ([], [], ["{'x': 1}"])
    assert infer_relation({}, "x/Model-4.65bpw-h6-exl2", 1) == (
        "quantized",
        "inferred from the repository name (exl2)",
    )
    assert (
        infer_relation({}, "x/Model-4.65bpw", 1)[1] == "inferred from the repository name (4.65bpw)"
    )
    assert (
        infer_relation({}, "x/Model.Q4_K_M.gguf", 1)[1]
        == "inferred from the repository name (gguf)"
    )
    assert infer_relation({}, "x/llama2-qlora-merged", 1)[0] == "finetune"
    assert infer_relation({}, "x/m", 1, files=["adapter_config.json"])[0] == "adapter"
    assert front_matter("---\r\nlicense: mit\r\n---\r\n") == {"license": "mit"}


def test_cli_import_writes_turtle_that_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`llmgraph import hf-cards` writes Turtle and a JSON report; `--data` loads it back."""
    out, report = tmp_path / "cards.ttl", tmp_path / "report.json"
    assert main(["import", "hf-cards", str(REAL), "-o", str(out), "--report", str(report)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("hf-cards: read 69 records;")
    assert f"wrote {out} and {report}" in printed
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["records_read"] == 69 and len(data["skipped"]) == 2
    assert out.read_text(encoding="utf-8").startswith("# llmgraph import hf-cards: ")
    assert (
        main(["--data", str(out), "ancestors", "TheBloke/goliath-120b-GGUF", "--format", "csv"])
        == 0
    )
    assert (
        capsys.readouterr()
        .out.splitlines()[1]
        .startswith("1,quantizedFrom,alpindale/goliath-120b,")
    )


def test_cli_import_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Missing inputs and options of another source are reported as errors (exit status 1)."""
    out = str(tmp_path / "x.ttl")
    assert main(["--no-bundled", "import", "hf-cards", "-o", out]) == 1
    assert "import hf-cards needs INPUT files or folders" in capsys.readouterr().err
    assert main(["--no-bundled", "import", "epoch", "--author", "meta-llama", "-o", out]) == 1
    assert "--author and --model fetch from the Hub" in capsys.readouterr().err
    assert main(["--no-bundled", "import", "epoch", str(CARDS), "--id", "a/b", "-o", out]) == 1
    assert "--id applies to hf-cards only" in capsys.readouterr().err


def test_folders_are_read_as_the_hub_lays_them_out() -> None:
    """A collection's own README is not a card; an owner's or a repository's folder also works."""
    collection = card_files([REAL.parent])
    assert len(collection) == 69
    assert "shared/realdata" not in {hub_id for hub_id, _ in collection}
    owner = card_files([REAL / "TheBloke"])
    assert len(owner) == 14 and all(i.startswith("TheBloke/") for i, _ in owner)
    assert card_files([REAL / "TheBloke" / "phi-2-GGUF"]) == [
        ("TheBloke/phi-2-GGUF", REAL / "TheBloke" / "phi-2-GGUF" / "README.md")
    ]


_KEYS = st.sampled_from(
    [
        "base_model",
        "basemodel",
        "Base-Model",
        "base_model_relation",
        "base_model_relationship",
        "tags",
        "Tags",
        "datasets",
        "dataset",
        "license",
        "license_name",
        "library_name",
        "model_creator",
        "model_name",
        "quantized_by",
        "new_version",
    ]
) | st.text(max_size=12)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, max_size=8))
def test_any_front_matter_gives_a_record_and_never_raises(meta: dict[str, object]) -> None:
    """Whatever values a card's keys hold, parsing yields a record whose parents are Hub ids."""
    record = parse_metadata(meta, "fuzz/card", where="fuzz")
    assert record.ref.hf_id == "fuzz/card"
    for parent in record.parents:
        assert parent.ref.hf_id is None or HF_ID.match(parent.ref.hf_id)
        assert parent.relation in RELATIONS.values()


def test_merge_parents_are_all_direct_whatever_their_order(tmp_path: Path) -> None:
    """A merge of a model and its own base keeps both edges, listed in either order."""
    for order in (
        ["HuggingFaceH4/zephyr-7b-beta", "mistralai/Mistral-7B-v0.1"],
        ["mistralai/Mistral-7B-v0.1", "HuggingFaceH4/zephyr-7b-beta"],
    ):
        lg = LineageGraph.load(bundled=False)
        card = tmp_path / "README.md"
        card.write_text(f"---\nbase_model: [{order[0]}, {order[1]}]\n---\n", encoding="utf-8")
        import_hf_cards(lg, [REAL / "HuggingFaceH4" / "zephyr-7b-beta"])  # zephyr → mistral
        import_hf_cards(lg, [card], repo_id="me/merge")
        parents = set(lg.rdf.objects(LLMID["hf/me/merge"], LLM.mergedFrom))
        assert parents == {LLMID[f"hf/{order[0]}"], LLMID[f"hf/{order[1]}"]}, order


def test_a_typed_edge_refines_an_untyped_one() -> None:
    """A card's typed relation is added where only an untyped llm:derivedFrom was loaded."""
    lg = LineageGraph.load(bundled=False)
    child, parent = LLMID["hf/me/q-GGUF"], LLMID["hf/you/base"]
    lg.add([(child, LLM.derivedFrom, parent), (child, LLM.huggingFaceId, Literal("me/q-GGUF"))])
    lg.add([(child, RDF.type, LLM.Model), (parent, RDF.type, LLM.Model)])
    lg.add([(parent, LLM.huggingFaceId, Literal("you/base"))])
    import_hf_hub(lg, records=[{"id": "me/q-GGUF", "tags": ["base_model:quantized:you/base"]}])
    assert (child, LLM.quantizedFrom, parent) in lg.rdf
