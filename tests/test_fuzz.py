"""Every parser entry point on hostile input: only llmgraph's own errors, and the limits hold.

The first half fuzzes each reader with :mod:`tests.strategies` (small examples: the property is
which exceptions escape). The second half feeds the inputs that used to run out of memory, take
minutes or end in a traceback — a YAML "billion laughs" card, JSON nested 100,000 deep, a line
over 16 MB, a lone surrogate, binary files, ``"yesterday"^^xsd:date``, a card with 5,000 base
models — and checks that each ends in one llmgraph error naming what was refused. The work is
bounded structurally (the error names the limit, which is checked before the expensive part),
never by timing the test.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmgraph import DataLoadError, LineageGraph, LLMGraphError, QueryError
from llmgraph.cli import main
from llmgraph.importers import ImportReport, import_epoch, import_hf_cards, import_hf_hub
from llmgraph.importers import import_wikidata as import_wikidata_files
from llmgraph.importers.epoch import read_epoch
from llmgraph.importers.hf_cards import front_matter, load_front_matter, parse_card
from llmgraph.importers.hf_hub import parse_hub_record, read_hub_records
from llmgraph.importers.records import ModelRecord
from llmgraph.importers.report import Skip
from llmgraph.importers.wikidata import read_wikidata
from llmgraph.limits import (
    MAX_DEPTH,
    MAX_FRONT_MATTER_CHARS,
    MAX_LINE_CHARS,
    MAX_LINKS,
    MAX_YAML_NODES,
    load_yaml,
)
from llmgraph.sparql import query
from llmgraph.store import parse_file, parse_text

from .strategies import (
    card_texts,
    csv_texts,
    entity_names,
    hub_records,
    json_texts,
    json_values,
    jsonld_values,
    sparql_texts,
    turtle_texts,
    wikidata_values,
)

EPOCH_COLUMNS = ["Model", "System", "Domain", "Organization", "Base model", "Parameters"]
EPOCH_COLUMNS += ["Publication date", "Link", "Organization categorization"]
HUB_COLUMNS = ["model_id", "metadata", "depth", "children"]


@contextlib.contextmanager
def folder() -> Iterator[Path]:
    """A fresh temporary folder (hypothesis examples cannot share pytest's tmp_path)."""
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def only_llmgraph_errors(call: Callable[[], Any]) -> Any:
    """Run ``call``; an llmgraph error is an answer, anything else fails the test."""
    try:
        return call()
    except LLMGraphError as exc:
        return exc


def write(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (text as UTF-8, surrogates as their invalid bytes) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8", errors="surrogatepass")
    path.write_bytes(content)
    return path


contents = st.one_of(st.binary(max_size=60), st.just(b"\xff\xfe\x00binary\x80"))
"""Bytes that are rarely UTF-8: what a reader gets when pointed at the wrong file."""


# ---------------------------------------------------------------------- RDF


@settings(max_examples=150)
@given(turtle_texts(), st.sampled_from(["turtle", "nt"]))
def test_turtle_and_ntriples_text_raise_only_data_load_errors(text: str, fmt: Any) -> None:
    """parse_text on any Turtle or N-Triples text returns a graph or raises DataLoadError."""
    result = only_llmgraph_errors(lambda: parse_text(text, path="fuzz.ttl", format=fmt))
    assert not isinstance(result, LLMGraphError) or isinstance(result, DataLoadError)


@settings(max_examples=100)
@given(json_texts(jsonld_values))
def test_jsonld_text_raises_only_data_load_errors(text: str) -> None:
    """parse_text on any JSON(-LD) text returns a graph or raises DataLoadError, never fetching."""
    result = only_llmgraph_errors(lambda: parse_text(text, path="f.jsonld", format="json-ld"))
    assert not isinstance(result, LLMGraphError) or isinstance(result, DataLoadError)


@settings(max_examples=60)
@given(
    turtle_texts() | json_texts(jsonld_values) | contents,
    st.sampled_from([".ttl", ".nt", ".jsonld", ".json", ".txt"]),
)
def test_rdf_files_load_or_raise_llmgraph_errors(content: str | bytes, suffix: str) -> None:
    """parse_file, LineageGraph.load and add_file on any file raise only llmgraph errors."""
    with folder() as tmp:
        path = write(tmp / f"data{suffix}", content)
        only_llmgraph_errors(lambda: parse_file(path))
        only_llmgraph_errors(lambda: LineageGraph.load(path, bundled=False))
        lg = LineageGraph()
        before = set(lg.rdf)
        if isinstance(only_llmgraph_errors(lambda: lg.add_file(path)), LLMGraphError):
            assert set(lg.rdf) == before


# ---------------------------------------------------------------------- model cards


@settings(max_examples=150)
@given(card_texts())
def test_card_readers_never_raise_but_llmgraph_errors(text: str) -> None:
    """front_matter and parse_card never raise; load_front_matter raises only DataLoadError."""
    meta = front_matter(text)
    assert isinstance(meta, (dict, str))
    try:
        loaded = load_front_matter(text, path="README.md")
    except DataLoadError as exc:
        assert isinstance(meta, str) and str(exc).startswith("README.md")
    else:
        assert loaded == meta
    assert isinstance(parse_card(text, "fuzz/card"), (ModelRecord, Skip))


@settings(max_examples=40)
@given(st.lists(card_texts() | contents, min_size=1, max_size=3))
def test_card_import_from_a_folder_raises_only_llmgraph_errors(cards: list[str | bytes]) -> None:
    """import_hf_cards on a folder of any cards reads each one, or raises an llmgraph error."""
    with folder() as tmp:
        for number, card in enumerate(cards):
            write(tmp / "fuzz" / f"card-{number}" / "README.md", card)
        report = only_llmgraph_errors(lambda: import_hf_cards(LineageGraph(), [tmp]))
    if isinstance(report, ImportReport):
        assert report.records_read == len(cards)


# ---------------------------------------------------------------------- Hub records


@settings(max_examples=150)
@given(hub_records)
def test_any_json_object_gives_a_hub_record_or_a_skip(record: dict[str, Any]) -> None:
    """parse_hub_record on any JSON object returns a record or a Skip and never raises."""
    assert isinstance(parse_hub_record(record, where="fuzz"), (ModelRecord, Skip))


@settings(max_examples=40)
@given(st.lists(hub_records, max_size=3))
def test_hub_import_of_records_raises_only_llmgraph_errors(records: list[dict[str, Any]]) -> None:
    """import_hf_hub on any records in memory raises only llmgraph errors."""
    only_llmgraph_errors(lambda: import_hf_hub(LineageGraph(), records=records))


@settings(max_examples=100)
@given(
    st.one_of(
        st.tuples(st.just(".jsonl"), st.lists(json_texts(hub_records), max_size=4).map("\n".join)),
        st.tuples(st.just(".json"), json_texts(st.lists(hub_records, max_size=3) | json_values)),
        st.tuples(st.just(".csv"), csv_texts(HUB_COLUMNS)),
        st.tuples(st.sampled_from([".jsonl", ".json", ".csv"]), contents),
    )
)
def test_saved_hub_records_read_or_raise_data_load_errors(case: tuple[str, str | bytes]) -> None:
    """read_hub_records yields (where, record or reason) for any file, or raises DataLoadError."""
    suffix, content = case
    with folder() as tmp:
        path = write(tmp / f"records{suffix}", content)
        limit = csv.field_size_limit()
        try:
            items = list(read_hub_records(path))
        except DataLoadError:
            items = []
        assert csv.field_size_limit() == limit  # the process-wide csv limit is restored
        for where, item in items:
            assert where.startswith(str(path)) and isinstance(item, (dict, str))
        only_llmgraph_errors(lambda: import_hf_hub(LineageGraph(), [path]))


# ---------------------------------------------------------------------- Epoch AI and Wikidata


@settings(max_examples=80)
@given(csv_texts(EPOCH_COLUMNS) | contents)
def test_epoch_tables_read_or_raise_llmgraph_errors(content: str | bytes) -> None:
    """read_epoch and import_epoch on any file raise only llmgraph errors."""
    with folder() as tmp:
        path = write(tmp / "models.csv", content)
        only_llmgraph_errors(lambda: read_epoch(path))
        only_llmgraph_errors(lambda: import_epoch(LineageGraph(), [path], domain=None))


@settings(max_examples=80)
@given(json_texts(wikidata_values) | contents)
def test_wikidata_files_read_or_raise_llmgraph_errors(content: str | bytes) -> None:
    """read_wikidata and import_wikidata on any file raise only llmgraph errors."""
    with folder() as tmp:
        path = write(tmp / "wikidata.json", content)
        only_llmgraph_errors(lambda: read_wikidata(path))
        only_llmgraph_errors(lambda: import_wikidata_files(LineageGraph(), [path]))


# ---------------------------------------------------------------------- SPARQL and the CLI


@pytest.fixture(scope="module")
def small() -> LineageGraph:
    """A few models with dates, counts and labels: queries on it finish at once."""
    return LineageGraph.load(Path(__file__).parent / "data" / "tiny.ttl", bundled=False)


@settings(max_examples=150)
@given(sparql_texts())
def test_any_sparql_text_raises_only_query_errors(small: LineageGraph, text: str) -> None:
    """llmgraph.sparql.query on any text returns a result or raises QueryError."""
    with contextlib.suppress(QueryError):  # an answer; any other exception fails the test
        query(small, text)


@contextlib.contextmanager
def terminal() -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """Stand in for a UTF-8 terminal: stdout strict, stderr backslash-escaped, as Python's."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


@settings(max_examples=60)
@given(
    st.sampled_from(["ancestors", "descendants", "show", "backers", "portfolio", "path", "bind"]),
    entity_names,
    entity_names,
)
def test_cli_with_any_name_exits_0_or_1_and_never_raises(
    bundled: LineageGraph, command: str, name: str, other: str
) -> None:
    """`llmgraph ancestors|descendants|show|backers|portfolio|path NAME` returns 0 or 1."""
    argv = {
        "path": ["path", "--", name, other],
        "bind": ["query", "--bind", f"m={name}", "SELECT ?p WHERE { ?m llm:fineTunedFrom ?p }"],
    }.get(command, [command, "--", name])
    with pytest.MonkeyPatch.context() as patch, terminal():
        patch.setattr(LineageGraph, "load", staticmethod(lambda *paths, **options: bundled))
        status = main(argv)
    assert status in (0, 1)


# ---------------------------------------------------------------------- the hostile inputs

LAUGHS = (
    "---\nlol: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "base_model: *a9\n---\n# nine aliases of nine aliases: 3.4 billion strings\n"
)


def test_billion_laughs_card_is_refused_naming_the_limit(tmp_path: Path) -> None:
    """A billion-laughs card ends in one DataLoadError naming MAX_YAML_NODES, file and line."""
    card = write(tmp_path / "evil" / "laughs" / "README.md", LAUGHS)
    with pytest.raises(DataLoadError) as info:
        load_front_matter(LAUGHS, path=card)
    assert info.value.path == card and info.value.line == 7  # the first alias over the limit
    assert str(info.value) == (
        f"{card}:7: front matter refused: YAML aliases expand to more than "
        f"{MAX_YAML_NODES:,} nodes (limit llmgraph.limits.MAX_YAML_NODES)"
    )
    report = import_hf_cards(LineageGraph(), [tmp_path])
    assert [(s.record, s.reason) for s in report.skipped] == [
        (
            str(card),
            "front matter refused at line 7: YAML aliases expand to more than 100,000 nodes "
            "(limit llmgraph.limits.MAX_YAML_NODES)",
        )
    ]


def test_yaml_anchors_within_the_limit_still_work() -> None:
    """Aliases that expand to fewer than MAX_YAML_NODES nodes are read as YAML defines them."""
    card = "---\nbases: &b [a/x, b/y]\nbase_model: *b\n<<: {license: mit}\n---\n"
    assert load_front_matter(card) == {
        "bases": ["a/x", "b/y"],
        "base_model": ["a/x", "b/y"],
        "license": "mit",
    }


def test_a_yaml_cycle_is_refused() -> None:
    """An alias inside the node it names (a recursive structure) is refused, not built."""
    assert front_matter("---\nbase_model: &a [a/b, *a]\n---\n") == (
        "front matter refused at line 2: a YAML alias refers to a node that contains it (a cycle)"
    )


def test_long_sexagesimal_numbers_stay_strings() -> None:
    """1:1:1:… (quadratic to compute as YAML 1.1 base 60) is kept as the string it is."""
    text = "x: 1" + ":1" * 300_000
    assert load_yaml(text) == {"x": text[3:]}
    assert load_yaml("t: 1:30") == {"t": 90}


def test_a_flat_yaml_of_too_many_nodes_is_refused_before_it_is_built() -> None:
    """A front matter of more than MAX_YAML_NODES scalars is refused while it is parsed."""
    text = "[" + ",".join(["a"] * (MAX_YAML_NODES + 1)) + "]"
    with pytest.raises(DataLoadError, match=r"YAML with more than 100,000 nodes \(limit "):
        load_yaml(text)


DEEP = "[" * 100_000 + "]" * 100_000


def test_json_nested_100k_deep_is_refused_naming_the_limit(tmp_path: Path) -> None:
    """100,000-deep JSON ends in one error naming MAX_DEPTH, in every JSON reader."""
    depth = f"JSON nested deeper than {MAX_DEPTH} levels (limit llmgraph.limits.MAX_DEPTH)"
    lines = write(tmp_path / "deep.jsonl", '{"id": "a/b"}\n' + DEEP + "\n")
    assert list(read_hub_records(lines))[1] == (f"{lines}:2", f"metadata refused: {depth}")
    whole = write(tmp_path / "deep.json", '{"id": "a/b", "card_data": ' + DEEP + "}")
    with pytest.raises(DataLoadError, match="^" + re.escape(f"{whole}: {depth}")):
        list(read_hub_records(whole))
    cell = write(tmp_path / "tree.csv", f'model_id,metadata\na/b,"{DEEP}"\n')
    assert list(read_hub_records(cell)) == [(f"{cell}:2", f"metadata refused: {depth}")]
    items = write(tmp_path / "wikidata.json", '{"entities": ' + DEEP + "}")
    with pytest.raises(DataLoadError, match="^" + re.escape(f"{items}: {depth}")):
        read_wikidata(items)
    with pytest.raises(DataLoadError, match=r"^x\.jsonld: JSON-LD nested deeper than 64 levels"):
        parse_text(DEEP, path="x.jsonld", format="json-ld")


def test_deep_yaml_and_turtle_are_refused() -> None:
    """YAML and Turtle nested 100,000 deep end in one DataLoadError each."""
    assert front_matter("---\nbase_model: " + DEEP + "\n---\n") == (
        "front matter refused at line 2: YAML nested deeper than 64 levels "
        "(limit llmgraph.limits.MAX_DEPTH)"
    )
    turtle = "<http://e/a> <http://e/p> " + "[ <http://e/p> " * 100_000 + "]" * 100_000 + " ."
    with pytest.raises(DataLoadError, match=r"^deep\.ttl: invalid Turtle: nested too deeply"):
        parse_text(turtle, path="deep.ttl")


HUGE = "x" * (MAX_LINE_CHARS + 1)


def test_a_line_over_16_mb_is_refused_naming_the_limit(tmp_path: Path) -> None:
    """A JSON line or CSV field over MAX_LINE_CHARS ends in one error naming the limit."""
    assert MAX_LINE_CHARS == 16 * 1024 * 1024
    line = '{"id": "a/b", "x": "' + HUGE + '"}'
    lines = write(tmp_path / "huge.jsonl", line + '\n{"id": "c/d"}\n')
    [(where, reason), second] = read_hub_records(lines)
    assert (where, second) == (f"{lines}:1", (f"{lines}:2", {"id": "c/d"}))
    assert reason == (
        f"metadata refused: {len(line):,} characters, more than 16,777,216 "
        "(limit llmgraph.limits.MAX_LINE_CHARS)"
    )
    field = "invalid CSV: a field is longer than 16,777,216 characters (limit "
    tree = write(tmp_path / "tree.csv", f"model_id,metadata\na/b,{HUGE}\n")
    with pytest.raises(DataLoadError, match="^" + re.escape(f"{tree}:2: {field}")):
        list(read_hub_records(tree))
    table = write(tmp_path / "epoch.csv", f"Model,Domain\nA,Language\nB,{HUGE}\n")
    limit = csv.field_size_limit()
    with pytest.raises(DataLoadError, match="^" + re.escape(f"{table}:3: {field}")):
        read_epoch(table)
    assert csv.field_size_limit() == limit


def test_a_card_over_the_front_matter_limit_is_refused(tmp_path: Path) -> None:
    """Front matter longer than MAX_FRONT_MATTER_CHARS is refused, and only its head is read."""
    block = "base_model: a/b\nx: " + "y" * MAX_FRONT_MATTER_CHARS
    assert front_matter(f"---\n{block}\n---\n") == (
        f"front matter refused at line 2: {len(block):,} characters, more than 1,048,576 "
        "(limit llmgraph.limits.MAX_FRONT_MATTER_CHARS)"
    )
    big = f"---\n{block}{'y' * 2000}\n---\n"
    assert front_matter(big) == (
        "front matter refused: not closed within the first 1,048,576 characters "
        "(limit llmgraph.limits.MAX_FRONT_MATTER_CHARS)"
    )
    card = write(tmp_path / "me" / "big" / "README.md", big + HUGE)
    [skip] = import_hf_cards(LineageGraph(), [tmp_path]).skipped
    assert skip.reason.startswith("front matter refused: not closed within the first")
    body = write(tmp_path / "me" / "long-body" / "README.md", "---\nbase_model: a/b\n---\n" + HUGE)
    lg = LineageGraph()
    assert len(import_hf_cards(lg, [body], repo_id="me/long-body").skipped) == 0
    assert [a.label for a in lg.ancestors("me/long-body")] == ["a/b"]
    assert card.exists()


def test_a_lone_surrogate_is_refused_in_every_text_format(tmp_path: Path) -> None:
    """A lone surrogate, raw or escaped, ends in one DataLoadError naming it and the line."""
    ttl = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<http://e/a> rdfs:label "
    with pytest.raises(DataLoadError) as info:
        parse_text(ttl + '"\\ud800" .', path="x.ttl")
    assert str(info.value) == "x.ttl:2: invalid Turtle: an escape decodes to a lone surrogate " + (
        "(not Unicode text)"
    )
    with pytest.raises(DataLoadError, match=r"^x\.ttl:2: invalid Turtle: lone surrogate '\\ud800'"):
        parse_text(ttl + '"\ud800" .', path="x.ttl")
    assert len(parse_text(ttl + '"\\U0001F600" .')) == 1  # a code point beyond the BMP: fine
    escaped = "lone surrogate '\\\\udc00' in a string \\(not Unicode text\\)"
    with pytest.raises(DataLoadError, match=rf"^x\.jsonld: invalid JSON-LD: {escaped}"):
        parse_text(
            '{"@id": "http://e/a", "http://e/p": "\\udc00"}', path="x.jsonld", format="json-ld"
        )
    lines = write(tmp_path / "r.jsonl", '{"id": "a/b", "tags": ["\\ud800"]}\n')
    assert list(read_hub_records(lines)) == [
        (
            f"{lines}:1",
            "metadata is not valid JSON: lone surrogate '\\ud800' in a string (not Unicode text)",
        )
    ]
    items = write(tmp_path / "w.json", '{"entities": {"Q1": {"id": "Q1\\udfff"}}}')
    with pytest.raises(
        DataLoadError, match="^" + re.escape(f"{items}: invalid JSON: lone surrogate")
    ):
        read_wikidata(items)
    assert isinstance(parse_card('---\nlicense: "\ud800"\n---\n', "a/b"), Skip)
    assert isinstance(parse_card('---\nlicense: "\\ud800"\n---\n', "a/b"), Skip)
    with pytest.raises(DataLoadError, match="lone surrogate"):  # Turtle escapes code points
        parse_text(ttl + '"\\ud83d\\ude00" .', path="y.ttl")


@pytest.mark.parametrize(
    ("suffix", "read"),
    [
        (".ttl", parse_file),
        (".jsonld", parse_file),
        (".jsonl", lambda p: list(read_hub_records(p))),
        (".csv", read_epoch),
        (".json", read_wikidata),
    ],
)
def test_binary_input_is_one_data_load_error(
    tmp_path: Path, suffix: str, read: Callable[[Path], Any]
) -> None:
    """A binary file given to a reader ends in one DataLoadError naming the file."""
    path = write(tmp_path / f"binary{suffix}", b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    with pytest.raises(
        DataLoadError, match="^" + re.escape(f"{path}: cannot read: ") + ".*(UTF-8|utf-8)"
    ):
        read(path)


def test_a_binary_card_is_skipped_and_binary_data_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A binary README.md is skipped as unreadable; `--data binary.ttl` exits 1 with a message."""
    card = write(tmp_path / "me" / "bin" / "README.md", b"---\n\xff\xfe\x00\n---\n")
    [skip] = import_hf_cards(LineageGraph(), [tmp_path]).skipped
    assert (skip.record, skip.reason.split(":")[0]) == (str(card), "cannot read the card")
    data = write(tmp_path / "binary.ttl", b"\x00\xff\xfe binary")
    assert main(["--data", str(data), "--no-bundled", "ancestors", "x"]) == 1
    assert f"llmgraph: error: {data}: cannot read: not UTF-8 text (byte 0xff on line 1" in (
        capsys.readouterr().err
    )


def test_query_from_a_binary_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`llmgraph query -f binary.rq` exits 1 with a message instead of a traceback."""
    binary = write(tmp_path / "binary.rq", b"\xea\x00\xff\xfe")
    assert main(["--no-bundled", "query", "-f", str(binary)]) == 1
    assert f"query file {binary} is not UTF-8 text" in capsys.readouterr().err


def test_yesterday_as_a_date_is_one_error_and_logs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The date "yesterday"^^xsd:date is refused with file and line; rdflib logs no traceback."""
    path = write(
        tmp_path / "dates.ttl",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://e/a> <http://e/said> "yesterday"^^xsd:date .\n',
    )
    message = (
        f"{path}:2: invalid Turtle: 'yesterday' is not a valid xsd:date (an ill-typed literal)"
    )
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(DataLoadError) as info:
            LineageGraph.load(path, bundled=False)
        assert str(info.value) == message
        with pytest.raises(DataLoadError, match="'seven' is not a valid xsd:integer"):
            parse_text(
                '<http://e/a> <http://e/n> "seven"^^<http://www.w3.org/2001/XMLSchema#integer> .'
            )
    assert not [r for r in caplog.records if "Failed to convert" in r.getMessage()]


def test_jsonld_never_fetches_a_remote_context() -> None:
    """A JSON-LD @context that names a URL is refused rather than fetched."""
    doc = {"@context": ["https://schema.org/", {"p": "http://e/p"}], "@id": "http://e/a", "p": 1}
    with pytest.raises(DataLoadError, match=r"@context 'https://schema\.org/' names a document"):
        parse_text(json.dumps(doc), path="x.jsonld", format="json-ld")
    inline = {"@context": {"p": "http://e/p"}, "@id": "http://e/a", "p": "x"}
    assert len(parse_text(json.dumps(inline), format="json-ld")) == 1


def test_jsonld_files_load_as_graphs(tmp_path: Path) -> None:
    """LineageGraph.load reads .jsonld files (as the exporters write them) like Turtle."""
    path = write(
        tmp_path / "x.jsonld",
        json.dumps(
            {
                "@context": {"llm": "https://w3id.org/llmgraph#"},
                "@id": "http://e/b",
                "llm:fineTunedFrom": {"@id": "http://e/a"},
            }
        ),
    )
    lg = LineageGraph.load(path, bundled=False)
    assert lg.nx.has_edge("http://e/b", "http://e/a")


def test_thousands_of_parents_are_refused_naming_the_limit(tmp_path: Path) -> None:
    """Records naming more than MAX_LINKS models through one field are skipped with the limit."""
    parents = [f"p{i}/m{i}" for i in range(5000)]
    reason = "5000 models in base_model, more than 256 (limit llmgraph.limits.MAX_LINKS)"
    card = "---\nbase_model:\n" + "".join(f"- {p}\n" for p in parents) + "---\n"
    assert parse_card(card, "evil/many") == Skip("evil/many", reason)
    tags = [f"base_model:merge:{p}" for p in parents]
    assert parse_hub_record({"id": "evil/many", "tags": tags}, where="r") == Skip(
        "r", "5000 models in base_model: tags, more than 256 (limit llmgraph.limits.MAX_LINKS)"
    )
    bases = ", ".join(f"Base {i}" for i in range(MAX_LINKS + 1))
    table = write(tmp_path / "epoch.csv", f'Model,Domain,Base model\nMerge,Language,"{bases}"\n')
    [skip] = import_epoch(LineageGraph(), [table]).skipped
    assert skip.reason == "257 names in Base model, more than 256 (limit llmgraph.limits.MAX_LINKS)"
    claims = [
        {"mainsnak": {"datavalue": {"value": {"id": f"Q{i + 10}"}}}} for i in range(MAX_LINKS + 1)
    ]
    entities = {"Q1": {"id": "Q1", "claims": {"P144": claims}}}
    items = write(tmp_path / "w.json", json.dumps({"entities": entities}))
    report = import_wikidata_files(LineageGraph(), [items])
    assert [s.reason for s in report.skipped] == [
        "257 values of P144 (based on), more than 256 (limit llmgraph.limits.MAX_LINKS)"
    ]


def test_a_merge_at_the_limit_is_imported() -> None:
    """A card naming exactly MAX_LINKS base models is a merge of all of them."""
    lg = LineageGraph()
    card = "---\nbase_model:\n" + "".join(f"- p{i}/m{i}\n" for i in range(MAX_LINKS)) + "---\n"
    with folder() as tmp:
        write(tmp / "me" / "merge" / "README.md", card)
        report = import_hf_cards(lg, [tmp])
    assert report.skipped == []
    assert len(lg.ancestors("me/merge")) == MAX_LINKS
