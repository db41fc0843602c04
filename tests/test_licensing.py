"""Licence compliance along lineage: each clause kind, unknown licences, as-of, the CLI."""

from __future__ import annotations

import json

import pytest

from llmgraph import LineageGraph, UnknownEntityError, UsageError
from llmgraph.cli import main
from llmgraph.licensing import Findings, licence_terms, license_check, license_conflicts
from llmgraph.terms import IRI

from .conftest import DATA

LIC = DATA / "licences.ttl"
LIC_ARGS = ["--no-bundled", "--data", str(LIC)]


@pytest.fixture(scope="module")
def lic() -> LineageGraph:
    """The hand-made licence fixture graph."""
    return LineageGraph.load(LIC, bundled=False)


def _problems(found: Findings) -> set[tuple[str, str, str, str]]:
    return {(f.status, f.model_label, f.ancestor_label, f.kind) for f in found}


def test_terms_are_read_from_the_data(lic: LineageGraph) -> None:
    """The clauses, kinds, prefixes, thresholds and sources come from the Turtle."""
    terms = licence_terms(lic)
    community = {c.kind: c for c in terms[IRI("https://example.org/lic/community")]}
    assert sorted(community) == ["attribution", "namePrefix", "useRestrictions", "userThreshold"]
    assert community["namePrefix"].prefix == "Llama"
    assert community["namePrefix"].outputs is True
    assert community["userThreshold"].threshold == 700_000_000
    assert community["useRestrictions"].sources == ("https://example.org/community#use",)


def test_every_problem_of_the_fixture(lic: LineageGraph) -> None:
    """license_conflicts finds exactly the fixture's conflicts, restrictions and unknowns."""
    assert _problems(license_conflicts(lic)) == {
        ("conflict", "Hermes Good 8B", "Llama Base 8B", "namePrefix"),
        ("conflict", "Llama Apache 8B", "Llama Base 8B", "userThreshold"),
        ("conflict", "Llama Apache 8B", "Llama Base 8B", "useRestrictions"),
        ("conflict", "Llama Deep 8B", "Llama Good 8B", "userThreshold"),
        ("conflict", "Llama Deep 8B", "Llama Good 8B", "useRestrictions"),
        ("conflict", "NC Child MIT", "NC Base", "nonCommercial"),
        ("conflict", "SA Child", "SA Base", "shareAlike"),
        ("conflict", "Distilled 1B", "Llama Good 8B", "namePrefix"),
        ("restricted", "Student 7B", "Chatty", "outputRestriction"),
        ("unknown", "Llama Nolic 8B", "Llama Base 8B", "userThreshold"),
        ("unknown", "Llama Nolic 8B", "Llama Base 8B", "useRestrictions"),
        ("unknown", "Mystery Child", "Mystery Base", ""),
        ("unknown", "Undated Model", "NC Base", "nonCommercial"),
    }


def test_compatible_pairs_are_not_flagged(lic: LineageGraph) -> None:
    """Same licence, a licensor's own relicensing, NC → NC and NC → research-only pass."""
    flagged = {f.model_label for f in license_conflicts(lic)}
    for fine in (
        "Llama Good 8B",
        "Base Instruct",
        "NC Child NC",
        "NC Child Research",
        "Good Model",
    ):
        assert fine not in flagged


def test_name_prefix_checks_the_hub_repository_name(lic: LineageGraph) -> None:
    """A label without the prefix passes when the Hugging Face repository name has it."""
    found = license_check(lic, "Good Model")
    (name,) = [f for f in found if f.kind == "namePrefix"]
    assert (name.status, name.reason) == ("kept", "the name begins with 'Llama'")


def test_missing_licence_is_unknown_never_compatible(lic: LineageGraph) -> None:
    """A child without a licence gets 'unknown' for every carried clause, never 'kept'."""
    found = license_check(lic, "Llama Nolic 8B")
    statuses = {f.kind: (f.status, f.reason) for f in found}
    assert statuses["useRestrictions"] == ("unknown", "no licence recorded for Llama Nolic 8B")
    assert statuses["userThreshold"][0] == "unknown"
    assert statuses["attribution"][0] == "notice"
    assert [k for k, (s, _) in statuses.items() if s == "kept"] == ["namePrefix"]


def test_the_licensors_own_child_without_a_licence_is_unknown() -> None:
    """The licensor may relicense its own model, but a child with no licence shows no terms."""
    lic = LineageGraph.load(LIC, DATA / "licences-own.ttl", bundled=False)
    found = license_check(lic, "Base Nolic Instruct")
    statuses = {f.kind: (f.status, f.reason) for f in found}
    assert statuses.pop("namePrefix")[0] == "kept"  # naming: the licensor's own name
    assert set(statuses.values()) == {("unknown", "no licence recorded for Base Nolic Instruct")}
    (mystery,) = license_check(lic, "Mystery Own Chat")
    assert (mystery.status, mystery.clause) == ("unknown", None)
    assert mystery.reason == "no licence recorded for Mystery Own Chat"
    relicensed = license_check(lic, "Base Instruct")  # its licence recorded: exempt
    assert {f.status for f in relicensed} == {"kept"}
    assert {f.model_label for f in license_conflicts(lic)} >= {
        "Base Nolic Instruct",
        "Mystery Own Chat",
    }


def test_unrecorded_terms_are_unknown(lic: LineageGraph) -> None:
    """A parent licence whose clauses are not in the data makes the edge 'unknown'."""
    (finding,) = license_check(lic, "Mystery Child")
    assert finding.status == "unknown"
    assert finding.clause is None
    assert finding.reason == "the terms of Mystery Licence are not in the data"


def test_ancestry_carries_the_path(lic: LineageGraph) -> None:
    """license_check reports each inherited clause with the path from the model to its owner."""
    found = license_check(lic, "Llama Deep 8B")
    rows = {(f.status, f.path, f.kind) for f in found}
    deep = ("Llama Deep 8B", "Llama Good 8B", "Llama Base 8B")
    assert ("conflict", deep, "useRestrictions") in rows
    assert ("notice", deep, "attribution") in rows
    assert ("kept", deep, "namePrefix") in rows
    assert found[0].status == "conflict"
    assert found.rows()[0]["path"].startswith("Llama Deep 8B > Llama Good 8B")
    assert found.rows()[0]["sources"].startswith("https://example.org/community#")


def test_teacher_terms_restrict_students(lic: LineageGraph) -> None:
    """A student of a service whose terms restrict outputs is 'restricted', with the terms."""
    (finding,) = [f for f in license_check(lic, "Student 7B") if f.edge == "outputs"]
    assert finding.status == "restricted"
    assert finding.ancestor_licence == "Chat Service Terms"
    assert finding.path == ("Student 7B", "Chatty")
    assert finding.sources == ("https://example.org/terms",)


def test_as_of_leaves_later_models_out(lic: LineageGraph) -> None:
    """as_of keeps only models released by the date and says how many it left out."""
    found = license_conflicts(lic, as_of="2024-03-31")
    assert _problems(found) == {
        ("conflict", "SA Child", "SA Base", "shareAlike"),
        ("unknown", "Mystery Child", "Mystery Base", ""),
    }
    assert found.notes == ("as of 2024-03-31: 12 later models left out; 1 undated models left out",)


def test_as_of_refuses_a_later_model(lic: LineageGraph) -> None:
    """license_check of a model released after as_of says so, with its release date."""
    with pytest.raises(
        UsageError, match=r"'Llama Deep 8B' was not released by 2024-01-01 \(released 2024-09-01\)"
    ):
        license_check(lic, "Llama Deep 8B", as_of="2024-01-01")


def test_bad_date_and_unknown_model(lic: LineageGraph) -> None:
    """A malformed date and an unknown model fail with clear messages."""
    with pytest.raises(UsageError, match="as_of must be a date YYYY-MM-DD, got '2024-13-01'"):
        license_conflicts(lic, as_of="2024-13-01")
    with pytest.raises(UnknownEntityError, match="did you mean 'Llama Deep 8B'"):
        license_check(lic, "Llama Dep 8B")


def test_bundled_flags_known_conflicts(bundled: LineageGraph) -> None:
    """On the bundled data: Guanaco's Apache licence drops LLaMA's non-commercial clause."""
    found = bundled.license_conflicts()
    got = _problems(found)
    assert ("conflict", "Guanaco 7B", "LLaMA 7B", "nonCommercial") in got
    assert ("conflict", "Hermes 3 Llama 3.1 8B", "Llama 3.1 8B", "namePrefix") in got
    assert ("restricted", "Alpaca 7B", "text-davinci-003", "outputRestriction") in got
    assert not any(f.model_label == "Vicuna 13B v1.5" and f.edge == "weights" for f in found)
    assert set(found.counts()) <= {"conflict", "restricted", "unknown"}


def test_cli_license_check_model(capsys: pytest.CaptureFixture[str]) -> None:
    """`license-check MODEL` prints the inherited clauses and a count line."""
    assert main([*LIC_ARGS, "license-check", "Llama Apache 8B"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["status", "ancestor", "ancestor_licence"]
    assert out[2].startswith("conflict  Llama Base 8B")
    assert out[-1] == "2 conflict, 1 notice, 1 kept"


def test_cli_license_check_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    """`--format json` lists every column; `--format csv` writes the header."""
    assert main([*LIC_ARGS, "license-check", "--format", "json", "--as-of", "2024-01-31"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [(r["status"], r["model"], r["kind"]) for r in rows] == [
        ("conflict", "SA Child", "shareAlike"),
        ("unknown", "Mystery Child", ""),
    ]
    assert "as of 2024-01-31" in captured.err
    assert main([*LIC_ARGS, "license-check", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("status,edge,model,model_licence,ancestor,")


def test_cli_license_check_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown models, bad dates and --problems without a model exit 1 with a message."""
    assert main([*LIC_ARGS, "license-check", "Llama Dep 8B"]) == 1
    assert "did you mean 'Llama Deep 8B'" in capsys.readouterr().err
    assert main([*LIC_ARGS, "license-check", "--as-of", "yesterday"]) == 1
    assert "as_of must be a date YYYY-MM-DD, got 'yesterday'" in capsys.readouterr().err
    assert main([*LIC_ARGS, "license-check", "--problems"]) == 1
    assert "--problems goes with a model name" in capsys.readouterr().err


def test_shapes_check_clauses() -> None:
    """SHACL refuses a clause of an unknown kind, a naming clause without prefix, no source."""
    from rdflib import RDF, RDFS, Literal

    from llmgraph.vocab import LLM, LLMID

    lg = LineageGraph.load(LIC, bundled=False)
    lg.add(
        [
            (LLMID["c-odd"], RDF.type, LLM.LicenseClause),
            (LLMID["c-odd"], RDFS.label, Literal("odd")),
            (LLMID["c-odd"], LLM.clauseKind, Literal("copyleftish")),
            (LLMID["c-name"], RDF.type, LLM.LicenseClause),
            (LLMID["c-name"], RDFS.label, Literal("name")),
            (LLMID["c-name"], LLM.clauseKind, Literal("namePrefix")),
        ]
    )
    found = {
        (v.focus.rsplit("/", 1)[1], v.message.split(":")[0].split(" (")[0])
        for v in lg.validate().violations
        if v.focus.startswith(str(LLMID))
    }
    assert ("c-odd", "a licence clause has one llm") in found
    assert ("c-name", "a namePrefix clause names its prefix") in found
    assert ("c-name", "every entity cites at least one source") in found
