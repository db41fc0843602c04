"""The Epoch AI cross-check (examples/epoch_crosscheck.py) on the real Epoch table.

The last tests are the guard of issue 3: every disagreement between the bundled data and
Epoch's table is explained in data/epoch-explained.csv, and no explanation there is stale.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rdflib import URIRef

from llmgraph import LLM, DataLoadError, LineageGraph

from .conftest import REALDATA, REPO

SCRIPT = REPO / "examples" / "epoch_crosscheck.py"
EPOCH_CSV = REALDATA / "epoch_notable_ai_models_2024-07-16.csv"
EXPLAINED = REPO / "data" / "epoch-explained.csv"
HEADER = "epoch_system,field,ours,epoch,verdict,explanation,source_url\n"


@pytest.fixture(scope="module")
def ec() -> ModuleType:
    """The script, imported as a module (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location("epoch_crosscheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows(ec: ModuleType) -> list[Any]:
    """Epoch's table, read once."""
    return list(ec.read_epoch(EPOCH_CSV))


def _row(ec: ModuleType, rows: list[Any], system: str) -> Any:
    return next(r for r in rows if r.system == system)


def _match(ec: ModuleType, lg: LineageGraph, system: str, **changes: Any) -> Any:
    """A match of a made-up Epoch row to our model ``system``."""
    found = ec.resolve_model(lg, system)
    assert found is not None, system
    row = ec.EpochRow(
        system=system,
        line=2,
        domains=("Language",),
        organizations=(),
        organization_cell="",
        published=None,
        base_models=(),
        base_model_cell="",
        accessibility="Open source",
    )
    if "organization_cell" in changes:
        changes["organizations"] = ec.split_multi(changes["organization_cell"])
    if "base_model_cell" in changes:
        changes["base_models"] = ec.split_multi(changes["base_model_cell"])
    return ec.Match(replace(row, **changes), found[0], lg.label(found[0]), system)


# ---------------------------------------------------------------------------- reading


def test_docstring_examples_run(ec: ModuleType) -> None:
    """The script's docstring examples pass (examples/ is outside pytest's doctest paths)."""
    result = doctest.testmod(ec, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5
    assert result.failed == 0


def test_reads_every_record_of_the_real_table(ec: ModuleType, rows: list[Any]) -> None:
    """All 825 records are read, multi-line quoted fields included, 350 of them language models."""
    assert len(rows) == 825
    assert sum(1 for r in rows if r.is_language) == 350
    first = rows[0]
    assert first.system == "ESM3 (98B)"
    assert first.organizations == ("EvolutionaryScale", "UC Berkeley")
    assert first.published == date(2024, 6, 25)
    second = rows[1]
    assert second.system == "DeepSeek-Coder-V2-236B"
    assert second.line == 19  # the first record spans lines 2-18 (line breaks in its abstract)


def test_multi_values_and_base_model_are_split(ec: ModuleType, rows: list[Any]) -> None:
    """Comma-joined organizations and the Base model cell are split into tuples."""
    bloom = _row(ec, rows, "BLOOM-176B")
    assert bloom.organizations == ("Hugging Face", "BigScience")
    assert bloom.organization_cell == "Hugging Face,BigScience"
    assert _row(ec, rows, "BLOOMZ-176B").base_models == ("BLOOM-176B",)
    assert _row(ec, rows, "LLaMA-65B").base_models == ()


def test_model_column_and_no_base_model_column(ec: ModuleType, tmp_path: Path) -> None:
    """Later Epoch releases call the name column Model, and the Base model column may be absent."""
    path = tmp_path / "epoch.csv"
    path.write_text(
        'Model,Domain,Organization,Publication date\n"Llama 3-70B",Language,"Meta AI",2024-04-18\n',
        encoding="utf-8",
    )
    (row,) = ec.read_epoch(path)
    assert (row.system, row.organizations, row.published) == (
        "Llama 3-70B",
        ("Meta AI",),
        date(2024, 4, 18),
    )
    assert row.base_models == () and row.line == 2


def test_missing_columns_are_named(ec: ModuleType, tmp_path: Path) -> None:
    """A file that is not Epoch's table fails with the file, line 1 and the missing columns."""
    path = tmp_path / "other.csv"
    path.write_text("name,org\nx,y\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as err:
        ec.read_epoch(path)
    message = str(err.value)
    assert message.startswith(f"{path}:1: not an Epoch notable-models table")
    assert "Domain, Organization, Publication date, System (or Model)" in message


def test_bad_date_names_the_record_line(ec: ModuleType, tmp_path: Path) -> None:
    """A malformed Publication date fails with the line where its record starts."""
    path = tmp_path / "epoch.csv"
    path.write_text(
        "System,Domain,Organization,Publication date\n"
        'A,Language,"X\nY",2024-01-01\n'
        "B,Language,Z,July 2023\n",
        encoding="utf-8",
    )
    with pytest.raises(DataLoadError, match=r":4: bad Publication date 'July 2023'"):
        ec.read_epoch(path)


def test_missing_file_is_a_data_load_error(ec: ModuleType, tmp_path: Path) -> None:
    """A missing table raises DataLoadError naming the path."""
    with pytest.raises(DataLoadError, match="cannot read Epoch table"):
        ec.read_epoch(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("system", "slug"),
    [
        ("LLaMA-65B", "llama-65b"),
        ("Llama 3-70B", "llama-3-70b"),
        ("Llama 2-7B", "llama-2-7b"),
        ("GPT-3.5 (text-davinci-003)", "text-davinci-003"),
        ("GPT-3 175B (davinci)", "gpt-3"),
        ("Nemotron-4 340B", "nemotron-4-340b-base"),
        ("BLOOM-176B", "bloom"),
        ("OPT-1.3B", "opt-1-3b"),
        ("OPT-13B", "opt-13b"),
    ],
)
def test_names_resolve_to_our_models(
    ec: ModuleType, bundled: LineageGraph, system: str, slug: str
) -> None:
    """Epoch's spellings resolve to the right model; "OPT-1.3B" and "OPT-13B" stay apart."""
    found = ec.resolve_model(bundled, system)
    assert found is not None
    assert str(found[0]) == f"https://w3id.org/llmgraph/id/{slug}"


def test_matching_on_the_real_table(ec: ModuleType, bundled: LineageGraph, rows: list[Any]) -> None:
    """Known rows match, a row named after its base does not, and the rest are reported."""
    matches, unmatched = ec.match_rows(bundled, rows)
    by_system = {m.row.system: m.label for m in matches}
    assert by_system["LLaMA-65B"] == "LLaMA 65B"
    assert by_system["Mixtral 8x7B"] == "Mixtral 8x7B v0.1"
    assert by_system["GPT-3.5 Turbo"] == "ChatGPT"
    assert by_system["WizardLM-7B"] == "WizardLM 7B"
    assert by_system["Llama Guard"] == "Llama Guard 7B"
    assert by_system["Grok-1"] == "Grok-1"
    assert len(matches) >= 20
    missing = {r.system for r in unmatched}
    assert {"SPHINX (Llama 2 13B)", "Mistral Large", "FinGPT-13B", "Nemotron-3-8B"} <= missing
    assert len(matches) + len(unmatched) == 350


def test_rows_built_on_our_models_are_listed(
    ec: ModuleType, bundled: LineageGraph, rows: list[Any]
) -> None:
    """Unmatched Epoch rows whose base model we hold are named as coverage candidates."""
    _, unmatched = ec.match_rows(bundled, rows)
    built_on = ec.built_on_ours(bundled, unmatched)
    assert built_on[_row(ec, rows, "FinGPT-13B").line] == ["Llama 2 13B"]
    assert built_on[_row(ec, rows, "BlenderBot 3").line] == ["OPT-175B"]
    assert _row(ec, rows, "Nemotron-3-8B").line not in built_on


# ---------------------------------------------------------------------------- comparing


def test_dates_within_the_tolerance_agree(ec: ModuleType, bundled: LineageGraph) -> None:
    """LLaMA 65B (2023-02-24) agrees with a date 7 days later, not with one 8 days later."""
    near = _match(ec, bundled, "LLaMA 65B", published=date(2023, 3, 3))
    assert ec.compare_date(bundled, near) is None
    far = _match(ec, bundled, "LLaMA 65B", published=date(2023, 3, 4))
    found = ec.compare_date(bundled, far)
    assert (found.field, found.ours, found.epoch) == ("date", "2023-02-24", "2023-03-04")
    assert found.detail == "Epoch is 8 days later"
    assert ec.compare_date(bundled, far, tolerance_days=8) is None


def test_date_precision_widens_agreement(ec: ModuleType, bundled: LineageGraph) -> None:
    """A month date agrees within its month; a public-by date with any earlier day, not later."""
    zephyr = URIRef(bundled.resolve("Zephyr 7B Alpha"))
    assert str(bundled.rdf.value(zephyr, LLM.releaseDatePrecision)) == "month"
    inside = _match(ec, bundled, "Zephyr 7B Alpha", published=date(2023, 10, 25))
    assert ec.compare_date(bundled, inside) is None
    after = _match(ec, bundled, "Zephyr 7B Alpha", published=date(2023, 11, 9))
    assert ec.compare_date(bundled, after).detail == "Epoch is 39 days later"
    neo = "GPT-Neo 125M"  # public by 2021-05-20
    neo_iri = URIRef(bundled.resolve(neo))
    assert str(bundled.rdf.value(neo_iri, LLM.releaseDatePrecision)) == "public-by"
    assert ec.compare_date(bundled, _match(ec, bundled, neo, published=date(2021, 3, 21))) is None
    later = ec.compare_date(bundled, _match(ec, bundled, neo, published=date(2021, 6, 1)))
    assert later.detail == "Epoch is 12 days later"


def test_organizations_compare_through_aliases(ec: ModuleType, bundled: LineageGraph) -> None:
    """Meta's alias "Meta AI" agrees; an extra or unknown organization disagrees."""
    same = _match(ec, bundled, "LLaMA 65B", organization_cell="Meta AI")
    assert ec.compare_organization(bundled, same) is None
    more = _match(ec, bundled, "LLaMA 65B", organization_cell="Meta AI,Stanford University,Acme")
    found = ec.compare_organization(bundled, more)
    assert (found.ours, found.epoch) == ("Meta", "Meta AI,Stanford University,Acme")
    assert found.detail == "'Acme' is not in llmgraph; Epoch adds Stanford University"


def test_base_models_compare_with_weight_lineage(ec: ModuleType, bundled: LineageGraph) -> None:
    """A parent or an older ancestor agrees; another model, or a teacher, disagrees."""
    parent = _match(ec, bundled, "WizardLM 7B", base_model_cell="LLaMA-7B")
    assert ec.compare_base(bundled, parent) is None
    ancestor = _match(ec, bundled, "Code Llama 7B Instruct", base_model_cell="Llama 2-7B")
    assert ec.compare_base(bundled, ancestor) is None
    other = _match(ec, bundled, "WizardLM 7B", base_model_cell="Llama 2-7B")
    found = ec.compare_base(bundled, other)
    assert (found.ours, found.epoch) == ("LLaMA 7B", "Llama 2-7B")
    assert found.detail == "Epoch's base 'Llama 2-7B' is our 'Llama 2 7B', not an ancestor"
    teacher = _match(ec, bundled, "Alpaca 7B", base_model_cell="GPT-3.5 (text-davinci-003)")
    found = ec.compare_base(bundled, teacher)
    assert "is our trainedOnOutputsOf target" in found.detail
    silent = _match(ec, bundled, "WizardLM 7B")
    assert ec.compare_base(bundled, silent).detail == "Epoch names no base model"


# ---------------------------------------------------------------------------- reconciling


def _explanations(ec: ModuleType, tmp_path: Path, *lines: str) -> list[Any]:
    path = tmp_path / "explained.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return list(ec.read_explanations(path))


def test_reconcile_marks_explained_stale_and_fixed(ec: ModuleType, tmp_path: Path) -> None:
    """A matching line explains; a line for a gone disagreement is stale unless it records a fix."""
    found = [
        ec.Disagreement("A", "a", "date", "2023-01-01", "2023-02-01", ""),
        ec.Disagreement("B", "b", "organization", "X", "Y", ""),
        ec.Disagreement("D", "d", "date", "2023-01-01", "2023-05-01", ""),
    ]
    lines = _explanations(
        ec,
        tmp_path,
        "A,date,2023-01-01,2023-02-01,convention,paper vs weights,https://example.org/a",
        "C,date,2022-01-01,2022-06-01,epoch differs,old,https://example.org/c",
        "E,date,,2022-06-01,fixed in llmgraph data,date added,https://example.org/e",
        "D,date,2023-01-01,2023-05-01,fixed in llmgraph data,not really,https://example.org/d",
    )
    marked, stale, fixed = ec.reconcile(found, lines)
    assert [(d.epoch_system, d.status) for d in marked] == [
        ("A", "explained"),
        ("B", "UNEXPLAINED"),
        ("D", "UNEXPLAINED"),
    ]
    assert marked[0].source_url == "https://example.org/a"
    assert [e.epoch_system for e in stale] == ["C", "D"]
    assert [e.epoch_system for e in fixed] == ["E"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("A,colour,x,y,convention,e,https://e.org", "field 'colour' is not one of"),
        ("A,date,x,y,maybe,e,https://e.org", "verdict 'maybe' is not one of"),
        ("A,date,x,y,convention,,https://e.org", "empty explanation"),
        ("A,date,x,y,convention,e,see paper", "source_url 'see paper' is not an http(s) URL"),
    ],
)
def test_bad_explanation_lines_are_refused(
    ec: ModuleType, tmp_path: Path, line: str, problem: str
) -> None:
    """Each malformed explanation line fails with its line number and what is wrong."""
    with pytest.raises(DataLoadError, match=r"explained\.csv:2: " + re.escape(problem)):
        _explanations(ec, tmp_path, line)


def test_duplicate_explanations_are_refused(ec: ModuleType, tmp_path: Path) -> None:
    """The same disagreement explained twice is an error naming both lines."""
    line = "A,date,x,y,convention,e,https://e.org"
    with pytest.raises(DataLoadError, match=r":3: duplicate of line 2"):
        _explanations(ec, tmp_path, line, line)


# ---------------------------------------------------------------------------- the guard


def test_every_disagreement_with_epoch_is_explained(ec: ModuleType, bundled: LineageGraph) -> None:
    """The bundled data and Epoch's table are reconciled: no unexplained or stale explanation."""
    report = ec.crosscheck(bundled, EPOCH_CSV, EXPLAINED)
    assert report.rows_read == 825
    unexplained = [(d.epoch_system, d.field, d.ours, d.epoch) for d in report.unexplained]
    assert unexplained == [], "explain these in data/epoch-explained.csv, or fix the data"
    assert [(e.line, e.epoch_system, e.field) for e in report.stale] == []
    assert report.disagreements, "the known convention differences (BLOOM's date) are gone?"
    fields = {d.field for d in report.disagreements}
    assert fields <= {"base model", "organization", "date"}
    assert all(d.source_url.startswith("https://") for d in report.disagreements)


def test_explained_file_is_well_formed(ec: ModuleType) -> None:
    """The explanations file has the documented columns, and every line has a verdict and URL."""
    text = EXPLAINED.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    lines = ec.read_explanations(EXPLAINED)
    assert lines
    assert {e.verdict for e in lines} <= set(ec.VERDICTS)


def test_main_prints_json_csv_and_table(ec: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """main() prints the report in each format and exits 0 when the data is reconciled."""
    assert ec.main(["--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["rows_read"] == 825
    assert data["summary"]["unexplained"] == 0
    assert {"epoch_system": "LLaMA-65B", "model": "LLaMA 65B"}.items() <= next(
        m for m in data["matched"] if m["epoch_system"] == "LLaMA-65B"
    ).items()
    assert ec.main(["--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("epoch_system,model,field,ours,epoch,status,verdict,detail,")
    assert "BLOOM-176B,BLOOM,date,2022-07-12,2022-11-08,explained,convention," in out
    assert ec.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Epoch rows read: 825; language-model rows: 350;")
    assert "Epoch language models not in llmgraph, 2018 on:" in out


def test_main_reports_unexplained_and_bad_input(
    ec: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no explanations main() exits 1 and says UNEXPLAINED; a missing table exits 2."""
    empty = tmp_path / "explained.csv"
    empty.write_text(HEADER, encoding="utf-8")
    assert ec.main(["--explained", str(empty)]) == 1
    assert "UNEXPLAINED" in capsys.readouterr().out
    assert ec.main([str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("epoch_crosscheck: error: ") and "missing.csv" in err
