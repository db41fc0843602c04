"""Importing Hugging Face Hub API records: the three real model trees and hand-made records."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from huggingface_hub.hf_api import ModelInfo
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, SKOS, Literal, URIRef
from rdflib.namespace import XSD

from llmgraph import LLM, LLMID, DataLoadError, LineageGraph, UsageError
from llmgraph.cli import main
from llmgraph.importers import ImportReport, fetch_hub_records, import_hf_hub
from llmgraph.importers.hf_hub import parse_hub_record, read_hub_records, record_from_model_info
from llmgraph.importers.report import Skip
from llmgraph.store import new_graph

from .conftest import REALDATA

REAL = REALDATA / "hf_hub_api"
TREES = sorted(REAL.glob("*.csv"))
DATA = Path(__file__).parent / "data" / "import"


def copy_of(lg: LineageGraph) -> LineageGraph:
    """A modifiable copy of ``lg`` (faster than loading the bundled files again)."""
    graph = new_graph()
    graph += lg.rdf
    return LineageGraph(graph)


def _hf(hf_id: str) -> URIRef:
    return LLMID[f"hf/{hf_id}"]


@pytest.fixture(scope="module")
def alone() -> tuple[LineageGraph, ImportReport]:
    """The three real trees imported into a graph with no bundled data."""
    lg = LineageGraph.load(bundled=False)
    return lg, import_hf_hub(lg, TREES)


@pytest.fixture(scope="module")
def merged(bundled: LineageGraph) -> tuple[LineageGraph, ImportReport]:
    """The three real trees imported into the bundled graph."""
    lg = copy_of(bundled)
    return lg, import_hf_hub(lg, TREES)


def test_real_trees_are_read_row_by_row() -> None:
    """Every CSV row is one record; rows carry their model id and metadata JSON."""
    counts = {path.name.split("_")[0]: len(list(read_hub_records(path))) for path in TREES}
    assert counts == {
        "DeepHermes-3-Mistral-24B-Preview": 5,
        "Mistral-Small-24B-Base-2501": 67,
        "gpt-neox-20b": 9,
    }
    where, record = next(iter(read_hub_records(TREES[0])))
    assert where == f"{TREES[0]}:2"
    assert (
        isinstance(record, dict) and record["id"] == "NousResearch/DeepHermes-3-Mistral-24B-Preview"
    )


def test_every_real_record_is_imported_once(alone: tuple[LineageGraph, ImportReport]) -> None:
    """81 rows, 76 distinct models (DeepHermes' tree is also inside Mistral Small's), no skip."""
    lg, report = alone
    assert report.records_read == 81
    assert report.skipped == []
    ids: set[str] = set()
    for path in TREES:
        with path.open(encoding="utf-8", newline="") as handle:
            csv.field_size_limit(2**31 - 1)
            ids |= {row["model_id"] for row in csv.DictReader(handle)}
    assert len(ids) == 76
    for hf_id in ids:
        assert (_hf(hf_id), RDF.type, LLM.Model) in lg.rdf


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("NousResearch/DeepHermes-3-Mistral-24B-Preview", "mistralai/Mistral-Small-24B-Base-2501"),
        (
            "AlSamCur123/DeepHermes-3-Mistral-24ContinuedFine",
            "AlSamCur123/DeepHermes-3-Mistral-24BContinuedFine",
        ),
        ("vineetsharma/qlora-gpt-neox-20b-english_quotes", "EleutherAI/gpt-neox-20b"),
        ("growwithdaisy/mistral_test", "unsloth/Mistral-Small-24B-Instruct-2501"),
        ("ConicCat/MistralSmallV3R", "arcee-ai/Arcee-Blitz"),
    ],
)
def test_base_model_tags_give_the_parents(
    alone: tuple[LineageGraph, ImportReport], child: str, parent: str
) -> None:
    """The base_model:finetune:<parent> tag becomes llm:fineTunedFrom the parent."""
    lg, _ = alone
    assert (_hf(child), LLM.fineTunedFrom, _hf(parent)) in lg.rdf


def test_a_depth_three_chain_reaches_the_root(alone: tuple[LineageGraph, ImportReport]) -> None:
    """A model three generations below the root has the whole chain as ancestors."""
    lg, _ = alone
    chain = [(a.label, a.depth) for a in lg.ancestors("growwithdaisy/mistral_test")]
    assert chain == [
        ("unsloth/Mistral-Small-24B-Instruct-2501", 1),
        ("mistralai/Mistral-Small-24B-Instruct-2501", 2),
        ("mistralai/Mistral-Small-24B-Base-2501", 3),
    ]


def test_the_hubs_inferred_kind_is_marked_unless_the_card_states_it(
    alone: tuple[LineageGraph, ImportReport],
) -> None:
    """A tag the Hub inferred gets an llm:inferred statement; a card's stated relation does not."""
    lg, _ = alone

    def inferred(child: str) -> list[str]:
        return [
            str(lg.rdf.value(st, SKOS.note))
            for st in lg.rdf.subjects(RDF.subject, _hf(child))
            if (st, LLM.inferred, Literal(True)) in lg.rdf
        ]

    assert inferred("lemonilia/Mistral-Small-3-Reasoner-s1") == []  # base_model_relation: finetune
    assert inferred("bartowski/Arcee-Blitz-exl2") == [
        "the Hub's tag base_model:finetune:mistralai/Mistral-Small-24B-Instruct-2501; the card "
        "states no base_model_relation, so the Hub inferred the kind"
    ]


def test_record_attributes(alone: tuple[LineageGraph, ImportReport]) -> None:
    """created_at, author, the licence tag and safetensors' total map onto our terms."""
    lg, _ = alone
    model = _hf("AlSamCur123/DeepHermes-3-Mistral-24ContinuedFine")
    assert lg.rdf.value(model, LLM.releaseDate) == Literal("2025-03-30", datatype=XSD.date)
    assert lg.rdf.value(model, LLM.parameterCount) == Literal(23572464640)
    assert lg.rdf.value(model, LLM.license) == URIRef("http://spdx.org/licenses/Apache-2.0")
    assert lg.rdf.value(model, LLM.developedBy) == LLMID["hf-owner/AlSamCur123"]
    assert lg.sources(model) == [
        "https://huggingface.co/AlSamCur123/DeepHermes-3-Mistral-24ContinuedFine"
    ]


def test_the_trees_merge_with_the_curated_models(merged: tuple[LineageGraph, ImportReport]) -> None:
    """Curated roots are matched by Hub id, their facts kept, the Hub's other values noted."""
    lg, report = merged
    matched = {m.name: m.entity for m in report.matched if m.by == "huggingFaceId"}
    assert matched["EleutherAI/gpt-neox-20b"] == str(LLMID["gpt-neox-20b"])
    neox = LLMID["gpt-neox-20b"]
    assert lg.rdf.value(neox, LLM.releaseDate) == Literal("2022-02-09", datatype=XSD.date)
    note = (
        "https://huggingface.co/EleutherAI/gpt-neox-20b gives llm:releaseDate 2022-04-07 for "
        "GPT-NeoX-20B; kept 2022-02-09"
    )
    assert note in report.notes
    assert (neox, SKOS.note, Literal(note)) in lg.rdf
    child = _hf("shivarama23/outputs")
    assert (child, LLM.fineTunedFrom, neox) in lg.rdf
    ids = [str(v).casefold() for v in lg.rdf.objects(None, LLM.huggingFaceId)]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------- hand-made records


@pytest.fixture(scope="module")
def handmade(bundled: LineageGraph) -> tuple[LineageGraph, ImportReport]:
    """The hand-made JSON-lines and JSON records imported into the bundled graph."""
    lg = copy_of(bundled)
    return lg, import_hf_hub(lg, [DATA / "hub_records.jsonl", DATA / "hub_records.json"])


def test_every_record_skip_reason(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """Records without a usable id, or that are not JSON objects, are skipped with the reason."""
    _, report = handmade
    jsonl, js = DATA / "hub_records.jsonl", DATA / "hub_records.json"
    assert [(s.record, s.reason) for s in report.skipped] == [
        (f"{jsonl}:5", "'not-a-hub-id' is not a Hub repository id (owner/name)"),
        (f"{jsonl}:6", "no model id (id, modelId or model_id)"),
        (f"{jsonl}:7", "metadata is not valid JSON: Expecting value (column 35)"),
        (f"{jsonl}:8", 'metadata is not a JSON object: \'["not", "an", "object"]\''),
        (f"{js}[1]", "not a JSON object: 'a string where a record should be'"),
    ]
    assert report.records_read == 10


def test_relations_from_tags_card_data_and_files(
    handmade: tuple[LineageGraph, ImportReport],
) -> None:
    """Typed tags, stated card relations, adapter files and GGUF data each give the right kind."""
    lg, _ = handmade
    assert (_hf("fixture/zephyr-lora"), LLM.adapterOf, LLMID["zephyr-7b-beta"]) in lg.rdf
    assert (_hf("fixture/untyped-adapter"), LLM.adapterOf, LLMID["mistral-7b-v0-1"]) in lg.rdf
    assert (_hf("fixture/phi-2-gguf"), LLM.quantizedFrom, LLMID["phi-2"]) in lg.rdf
    assert (_hf("fixture/tagged-finetune"), LLM.fineTunedFrom, _hf("fixture/zephyr-lora")) in lg.rdf
    merge = _hf("fixture/merge-of-two")
    assert set(lg.rdf.objects(merge, LLM.mergedFrom)) == {
        LLMID["mistral-7b-v0-1"],
        LLMID["zephyr-7b-beta"],
    }
    # an adapter's tensor count is not the model's size
    assert lg.rdf.value(_hf("fixture/zephyr-lora"), LLM.parameterCount) is None
    assert lg.rdf.value(_hf("fixture/tagged-finetune"), LLM.parameterCount) == Literal(7241732096)


def test_truncated_card_data_is_noted(handmade: tuple[LineageGraph, ImportReport]) -> None:
    """A card_data string cut short by the saver is ignored with a note; the tags still count."""
    _, report = handmade
    assert any(
        n.startswith(f"{DATA / 'hub_records.jsonl'}:4: card data ignored (front matter is not")
        for n in report.notes
    )


def test_parse_hub_record_in_memory() -> None:
    """A record's author is the fallback developer; a plain tag without relation is inferred."""
    record = parse_hub_record(
        {"id": "a/b-AWQ", "author": "a", "tags": ["base_model:c/d"]}, where="memory"
    )
    assert not isinstance(record, Skip)
    assert [(p.ref.hf_id, p.relation.fragment, p.inferred) for p in record.parents] == [
        ("c/d", "quantizedFrom", "inferred from the repository name (awq)")
    ]
    assert record.fallback_developer is not None and record.fallback_developer.hf_owner == "a"
    disagreeing = parse_hub_record(
        {
            "id": "a/b",
            "tags": ["base_model:finetune:c/d"],
            "card_data": {"base_model": "c/d", "base_model_relation": "adapter"},
        },
        where="memory",
    )
    assert not isinstance(disagreeing, Skip)
    assert [(p.relation.fragment, p.inferred) for p in disagreeing.parents] == [
        (
            "fineTunedFrom",
            "the Hub's tag base_model:finetune:c/d, though the card states "
            "base_model_relation: adapter",
        )
    ]


def test_unknown_file_format_is_an_error(tmp_path: Path) -> None:
    """A file that is neither CSV, JSON nor JSON lines is refused, naming the file."""
    bad = tmp_path / "records.txt"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(DataLoadError, match=r"records\.txt: cannot tell the format from '\.txt'"):
        import_hf_hub(LineageGraph.load(bundled=False), [bad])
    broken = tmp_path / "records.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(DataLoadError, match=r"records\.json:1: invalid JSON"):
        import_hf_hub(LineageGraph.load(bundled=False), [broken])


class FakeHub:
    """Answers list_models / model_info from ModelInfo objects, as HfApi would, offline."""

    def __init__(self, infos: list[ModelInfo]):
        self.infos = infos
        self.calls: list[dict[str, Any]] = []

    def list_models(self, **kwargs: Any) -> list[ModelInfo]:
        """Return the author's models, or those whose tags hold the filter."""
        self.calls.append(kwargs)
        if "author" in kwargs:
            return [i for i in self.infos if i.author == kwargs["author"]]
        tag = kwargs["filter"]
        return [i for i in self.infos if tag in (i.tags or [])]

    def model_info(self, repo_id: str, **kwargs: Any) -> ModelInfo:
        """Return the model called ``repo_id``."""
        return next(i for i in self.infos if i.id == repo_id)


def _info(model_id: str, *tags: str) -> ModelInfo:
    return ModelInfo(  # type: ignore[no-untyped-call]
        id=model_id,
        author=model_id.split("/")[0],
        tags=list(tags),
        createdAt="2024-05-06T07:08:09.000Z",
        cardData={"license": "mit"},
        safetensors={"parameters": {"BF16": 1000}, "total": 1000},
    )


def test_fetch_children_breadth_first_with_a_fake_hub() -> None:
    """--model --with-children follows base_model: tags down the tree, each model once."""
    hub = FakeHub(
        [
            _info("root/base"),
            _info("kid/one", "base_model:root/base", "base_model:finetune:root/base"),
            _info("kid/two", "base_model:root/base", "base_model:quantized:root/base"),
            _info("grand/kid", "base_model:kid/one", "base_model:adapter:kid/one"),
        ]
    )
    records = fetch_hub_records(model="root/base", with_children=True, api=hub)
    assert [r["id"] for r in records] == ["root/base", "kid/one", "kid/two", "grand/kid"]
    assert records[0]["created_at"] == "2024-05-06T07:08:09+00:00"
    assert records[0]["safetensors"] == {"total": 1000}
    assert records[0]["card_data"] == {"license": "mit"}
    shallow = fetch_hub_records(model="root/base", with_children=True, max_depth=1, api=hub)
    assert [r["id"] for r in shallow] == ["root/base", "kid/one", "kid/two"]
    lg = LineageGraph.load(bundled=False)
    report = import_hf_hub(lg, records=records)
    assert report.records_read == 4
    assert [(a.label, a.relation) for a in lg.ancestors("grand/kid")] == [
        ("kid/one", "adapterOf"),
        ("root/base", "fineTunedFrom"),
    ]


def test_fetch_by_author_and_errors() -> None:
    """--author lists the author's models; no author or model, or a failing Hub, is an error."""
    hub = FakeHub([_info("me/a"), _info("me/b"), _info("you/c")])
    assert [r["id"] for r in fetch_hub_records(author="me", api=hub)] == ["me/a", "me/b"]
    assert hub.calls[0] == {"author": "me", "full": True, "cardData": True}
    with pytest.raises(UsageError, match="needs --author NAME or --model ID"):
        fetch_hub_records(api=hub)

    class Offline(FakeHub):
        def model_info(self, repo_id: str, **kwargs: Any) -> ModelInfo:
            raise ConnectionError("no network")

    with pytest.raises(DataLoadError, match="cannot fetch from the Hugging Face Hub: no network"):
        fetch_hub_records(model="me/a", api=Offline([]))


def test_record_from_model_info_round_trips_through_json() -> None:
    """A ModelInfo becomes a JSON-safe record that the importer reads back to the same lineage."""
    info = _info("kid/one", "base_model:finetune:root/base")
    record = json.loads(json.dumps(record_from_model_info(info)))
    parsed = parse_hub_record(record, where="kid/one")
    assert not isinstance(parsed, Skip)
    assert [(p.ref.hf_id, p.relation.fragment) for p in parsed.parents] == [
        ("root/base", "fineTunedFrom")
    ]


def test_cli_import_hub_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`llmgraph import hf-hub FILE.csv` writes Turtle that loads back with --data."""
    out = tmp_path / "hub.ttl"
    tree = REAL / "gpt-neox-20b_finetunes_20250407_212140.csv"
    assert main(["--no-bundled", "import", "hf-hub", str(tree), "-o", str(out)]) == 0
    assert capsys.readouterr().out.startswith("hf-hub: read 9 records; added ")
    assert (
        main(
            [
                "--no-bundled",
                "--data",
                str(out),
                "descendants",
                "EleutherAI/gpt-neox-20b",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 1 + 8


_TAGS = st.lists(
    st.sampled_from(
        [
            "base_model:a/b",
            "base_model:finetune:a/b",
            "base_model:quantized:c/d",
            "base_model:adapter:",
            "base_model:merge:not an id",
            "license:mit",
            "dataset:x/y",
            "arxiv:2401.00001",
            "gguf",
        ]
    )
    | st.text(max_size=20),
    max_size=6,
)
_ANY = st.none() | st.integers() | st.text(max_size=20) | st.lists(st.text(max_size=5), max_size=3)


@settings(max_examples=100, deadline=None)
@given(
    st.fixed_dictionaries(
        {"id": st.sampled_from(["me/model", "me/model-GGUF"]), "tags": _TAGS | _ANY},
        optional={
            "card_data": st.dictionaries(st.text(max_size=12), _ANY, max_size=4)
            | st.text(max_size=40),
            "created_at": _ANY,
            "safetensors": _ANY | st.fixed_dictionaries({"total": _ANY}),
            "siblings": st.lists(_ANY, max_size=3),
            "gguf": _ANY,
            "author": _ANY,
        },
    )
)
def test_any_hub_record_gives_a_record_and_never_raises(record: dict[str, Any]) -> None:
    """Whatever shape a saved record's fields have, parsing yields a record with valid parents."""
    parsed = parse_hub_record(record, where="fuzz")
    assert not isinstance(parsed, Skip)
    assert {p.ref.hf_id for p in parsed.parents} <= {"a/b", "c/d"}


def test_odd_siblings_and_tags_are_ignored_not_fatal() -> None:
    """Siblings that are not a list, and dataset or arxiv tags that are not ids, are ignored."""
    record = parse_hub_record(
        {
            "id": "me/m",
            "siblings": 5,
            "tags": ["dataset:a b/c", "dataset:me/data", "arxiv:../x", "arxiv:2401.00001"],
        },
        where="w",
    )
    assert not isinstance(record, Skip)
    assert record.datasets == ["https://huggingface.co/datasets/me/data"]
    assert record.see_also == ["https://arxiv.org/abs/2401.00001"]
    files = parse_hub_record(
        {
            "id": "me/m",
            "siblings": [{"rfilename": "adapter_config.json"}, "x.gguf", {"rfilename": 3}],
        },
        where="w",
    )
    assert not isinstance(files, Skip)
    assert files.parents == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=12))
def test_any_author_is_imported_or_noted_never_fatal(author: str) -> None:
    """An author that is not a Hub name neither aborts the import nor becomes an IRI."""
    lg = LineageGraph.load(bundled=False)
    report = import_hf_hub(lg, records=[{"id": "me/model", "author": author}])
    model = LLMID["hf/me/model"]
    developers = set(lg.rdf.objects(model, LLM.developedBy))
    name = author.strip()
    if not name:
        assert developers == {LLMID["hf-owner/me"]}
    elif all(c.isascii() and (c.isalnum() or c in "._-") for c in name) and name[0].isalnum():
        assert developers == {LLMID[f"hf-owner/{name}"]}
    else:
        assert developers == {LLMID["hf-owner/me"]}
        assert any("is not a Hub user or organization name" in n for n in report.notes)
    assert report.skipped == []


def test_an_author_with_spaces_is_noted_and_the_owner_kept(tmp_path: Path) -> None:
    """The Hub id's owner develops a model whose record names an impossible author."""
    lines = [{"id": "good/model-d", "author": "x y<>"}, {"id": "ok/model-e", "author": "ok"}]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    lg = LineageGraph.load(bundled=False)
    report = import_hf_hub(lg, [path])
    assert report.notes == [
        f"{path}:1: author 'x y<>' is not a Hub user or organization name; "
        "the owner in the id (good) is used"
    ]
    assert set(lg.rdf.objects(LLMID["hf/good/model-d"], LLM.developedBy)) == {
        LLMID["hf-owner/good"]
    }


def test_a_known_hub_licence_missing_from_the_graph_is_noted_once() -> None:
    """A graph without the bundled licences says that license-check cannot read `llama3`."""
    records = [{"id": f"me/tune-{i}", "tags": ["license:llama3"]} for i in range(3)]
    bare = import_hf_hub(LineageGraph.load(bundled=False), records=records)
    assert [n for n in bare.notes if "Hub licence id" in n] == [
        "the Hub licence id 'llama3' names "
        "https://w3id.org/llmgraph/id/license-llama-3-community, which this graph does not "
        "hold; a licence of its own was made (its terms unknown to license-check): load the "
        "bundled data first (llmgraph --store PATH load --bundled)"
    ]
    lg = LineageGraph.load()
    seeded = import_hf_hub(lg, records=records)
    assert not [n for n in seeded.notes if "Hub licence id" in n]
    assert lg.rdf.value(LLMID["hf/me/tune-0"], LLM.license) == LLMID["license-llama-3-community"]
