"""Hub records imported into a store: the exact triples and report, pinned, and equal to memory.

The expected files under ``tests/data/import/pinned/`` were written by the import as it was
before its store path was made fast; regenerate them only for an intended change of the
mapping (``python -m tests.test_import_hub_store``), and read the diff.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from llmgraph import LineageCycleError, LineageGraph
from llmgraph.cli import main
from llmgraph.importers import ImportReport, import_source

from .conftest import REALDATA, REPO

DATA = Path(__file__).parent / "data" / "import"
PINNED = DATA / "pinned"
INPUTS = [
    *sorted((REALDATA / "hf_hub_api").glob("*.csv")),
    DATA / "hub_records.jsonl",
    DATA / "hub_records.json",
]
# a cycle inside one import (skipped, with the cycle named), a parent named twice, a record
# that names its own model as base, a contradicting date for a model seen before, a merge
CASES: list[dict[str, Any]] = [
    {"id": "cyc/a", "tags": ["base_model:finetune:cyc/b"]},
    {"id": "cyc/b", "tags": ["base_model:finetune:cyc/c"]},
    {"id": "cyc/c", "tags": ["base_model:finetune:cyc/a"]},
    {"id": "cyc/self", "tags": ["base_model:finetune:cyc/self", "license:mit"]},
    {"id": "cyc/twice", "tags": ["base_model:cyc/b", "base_model:quantized:cyc/b"]},
    {"id": "cyc/b", "created_at": "2024-01-01T00:00:00Z", "tags": ["license:llama2"]},
    {"id": "cyc/b", "created_at": "2024-02-01T00:00:00Z", "tags": ["license:other"]},
    {"id": "cyc/m", "tags": ["base_model:merge:cyc/b", "base_model:merge:cyc/twice"]},
    {"id": "cyc/d", "tags": ["base_model:finetune:cyc/m", "base_model:adapter:cyc/c"]},
]


def _lines(lg: LineageGraph) -> set[str]:
    """Every triple of the store's default graph, as N-Triples lines."""
    data = lg.backend.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())  # type: ignore[attr-defined]
    return set(data.decode("utf-8").splitlines())


def _shown(text: str) -> str:
    """``text`` with the input folders named as in the expected files."""
    return text.replace(str(REALDATA), "REALDATA").replace(str(DATA), "DATA")


def _summary(report: ImportReport) -> dict[str, Any]:
    """What a report says, as JSON (the facts themselves are compared as triples)."""
    return {
        "records_read": report.records_read,
        "entities_added": report.entities_added,
        "edges_added": report.edges_added,
        "triples_added": report.triples_added,
        "matched": sorted([m.name, m.entity, m.label, m.by] for m in report.matched),
        "ambiguous": sorted([a.name, list(a.candidates), a.entity] for a in report.ambiguous),
        "skipped": [[_shown(s.record), s.reason] for s in report.skipped],
        "notes": [_shown(n) for n in report.notes],
    }


def _import(store: Path, *, seeded: bool) -> tuple[list[str], list[dict[str, Any]]]:
    """Import the pinned inputs (files, then the hand-made cases, then the files again)."""
    if seeded:
        assert main(["--store", str(store), "load", "--bundled"]) == 0
    with LineageGraph.open(store) as lg:
        before = _lines(lg)
        reports = [import_source(lg, "hf-hub", [str(p) for p in INPUTS])]
        _check_engine(lg)
        reports.append(import_source(lg, "hf-hub", [], records=CASES))
        reports.append(import_source(lg, "hf-hub", [str(p) for p in INPUTS]))
        _check_engine(lg)
        added = sorted(_lines(lg) - before)
    return added, [_summary(r) for r in reports]


def _check_engine(lg: LineageGraph) -> None:
    """The engine an import saved equals the one built by reading the store afterwards."""
    from llmgraph.engine import LineageIndex

    assert lg.engine.digest == LineageIndex.from_reader(lg.backend.read).digest


def _expected(name: str) -> tuple[list[str], list[dict[str, Any]]]:
    triples = (PINNED / f"{name}.nt").read_text(encoding="utf-8").splitlines()
    reports = json.loads((PINNED / f"{name}.json").read_text(encoding="utf-8"))
    return triples, reports


@pytest.mark.parametrize("seeded", [False, True], ids=["empty", "seeded"])
def test_hub_import_into_a_store_adds_the_pinned_triples(tmp_path: Path, seeded: bool) -> None:
    """Hub records into a store add exactly the pinned triples and report the pinned counts."""
    name = "hub_seeded_store" if seeded else "hub_empty_store"
    added, reports = _import(tmp_path / "db", seeded=seeded)
    want_triples, want_reports = _expected(name)
    assert sorted(set(added) - set(want_triples)) == []
    assert sorted(set(want_triples) - set(added)) == []
    assert reports == want_reports
    assert reports[2]["triples_added"] == 0  # the same files again add nothing
    assert reports[2]["edges_added"] == reports[2]["entities_added"] == 0  # and say so


def test_hub_import_into_a_store_equals_the_import_in_memory(tmp_path: Path) -> None:
    """The pinned inputs give the same facts and report in a store as in memory."""
    added, reports = _expected("hub_empty_store")
    lg = LineageGraph.load(bundled=False)
    memory = [import_source(lg, "hf-hub", [str(p) for p in INPUTS])]
    memory.append(import_source(lg, "hf-hub", [], records=CASES))
    facts = {
        line
        for report in memory
        for line in report.graph().serialize(format="nt").splitlines()
        if line.strip()
    }
    assert facts - set(added) == set()
    # the store also holds the materialized llm:derivedFrom of every sub-relation
    extra = {line for line in set(added) - facts if "#derivedFrom>" not in line}
    assert extra == set()
    summaries = [_summary(r) for r in memory]
    for got, want in zip(summaries, reports, strict=False):
        assert {k: v for k, v in got.items() if k != "triples_added"} == {
            k: v for k, v in want.items() if k != "triples_added"
        }


def test_synthetic_hub_records_give_the_same_facts_in_a_store_as_in_memory(
    tmp_path: Path,
) -> None:
    """Hub-like records (merges, quantized builds, adapters, licences) give the same facts."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        records = importlib.import_module("generate").records
    finally:
        sys.path.remove(str(REPO / "bench"))
    saved = tmp_path / "hub.jsonl"
    saved.write_text("".join(json.dumps(r) + "\n" for r in records(600, seed=5)), "utf-8")
    lg = LineageGraph.load(bundled=False)
    memory = import_source(lg, "hf-hub", [saved])
    facts = {line for line in memory.graph().serialize(format="nt").splitlines() if line.strip()}
    with LineageGraph.open(tmp_path / "db") as stored:
        before = _lines(stored)
        report = import_source(stored, "hf-hub", [saved])
        added = _lines(stored) - before
        assert stored.engine.digest == lg.engine.digest
        _check_engine(stored)
    assert facts - added == set()
    assert {line for line in added - facts if "#derivedFrom>" not in line} == set()
    assert _summary(report) == _summary(memory) | {"triples_added": len(added)}


def test_a_cycle_through_the_store_leaves_it_unchanged(tmp_path: Path) -> None:
    """A Hub record that closes a cycle with the store's lineage is skipped, naming the cycle."""
    with LineageGraph.open(tmp_path / "db") as lg:
        import_source(lg, "hf-hub", [], records=CASES[:2])
        size = len(lg)
        report = import_source(lg, "hf-hub", [], records=[CASES[2]])
        assert [s.reason for s in report.skipped] == [
            "would close a derivation cycle: cyc/c → cyc/a → cyc/b → cyc/c"
        ]
        assert report.triples_added == 0
        assert len(lg) == size
        with pytest.raises(LineageCycleError):
            from llmgraph import LLM, LLMID

            lg.add([(LLMID["hf/cyc/c"], LLM.fineTunedFrom, LLMID["hf/cyc/a"])])
        assert len(lg) == size


def _write_expected() -> None:  # pragma: no cover - run by hand, see the module docstring
    import tempfile

    PINNED.mkdir(parents=True, exist_ok=True)
    for seeded, name in ((False, "hub_empty_store"), (True, "hub_seeded_store")):
        with tempfile.TemporaryDirectory() as tmp:
            added, reports = _import(Path(tmp) / "db", seeded=seeded)
        (PINNED / f"{name}.nt").write_text("\n".join(added) + "\n", encoding="utf-8")
        text = json.dumps(reports, indent=1, ensure_ascii=False) + "\n"
        (PINNED / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"{name}: {len(added)} triples", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    _write_expected()
