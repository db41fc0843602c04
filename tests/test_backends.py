"""One graph, every backend: memory, an on-disk store and real SPARQL servers answer alike.

The servers are real processes on 127.0.0.1: Oxigraph's server and OpenLink Virtuoso 7 (the
data in a named graph, as a shared Virtuoso holds it), each stopped by its PID.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from rdflib import RDF, URIRef

from llmgraph import ALL_LINEAGE, LineageGraph, Links, LLMGraphError
from llmgraph.cli import main
from llmgraph.store import Triple
from llmgraph.vocab import LLM
from tests.servers import ENGINES, Endpoint, sparql_server
from tests.strategies import networked_graphs


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store seeded with the bundled data by the documented command, `load --bundled`."""
    path = tmp_path_factory.mktemp("store") / "db"
    assert main(["--store", str(path), "load", "--bundled"]) == 0
    yield path


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, bundled: LineageGraph
) -> Iterator[Endpoint]:
    """A real SPARQL server (Oxigraph, Virtuoso) on 127.0.0.1 holding the bundled data."""
    folder = tmp_path_factory.mktemp(request.param)
    data = folder / "bundled.nt"
    bundled.rdf.serialize(data, format="nt", encoding="utf-8")
    with sparql_server(request.param, folder, data) as endpoint:
        yield endpoint


def _entities(lg: LineageGraph, cls: URIRef) -> list[str]:
    return sorted(str(s) for s in lg.rdf.subjects(RDF.type, cls) if isinstance(s, URIRef))


def _answers(lg: LineageGraph, models: list[str], orgs: list[str]) -> dict[str, object]:
    """Every verb's answer for the given entities, as plain data (errors as their message)."""
    out: dict[str, object] = {}

    def attempt(key: str, verb: Callable[..., object], *args: object, **options: object) -> None:
        try:
            answer = verb(*args, **options)
            out[key] = list(answer) if isinstance(answer, Links) else answer
        except LLMGraphError as exc:
            out[key] = f"{type(exc).__name__}: {exc}"

    for m in models:
        for rels, depth in ((None, None), (ALL_LINEAGE, None), (None, 1)):
            key = f"{m} {rels is None} {depth}"
            attempt("A " + key, lg.ancestors, m, relations=rels, depth=depth)
            attempt("D " + key, lg.descendants, m, relations=rels, depth=depth)
        attempt("S " + m, lg.describe, m)
    for o in orgs:
        for t in (False, True):
            attempt(f"B {o} {t}", lg.backers, o, transitive=t)
            attempt(f"P {o} {t}", lg.portfolio, o, transitive=t)
    for a in models[:6]:
        for b in models[-6:]:
            attempt(f"path {a} {b}", lg.path, a, b)
            attempt(f"dpath {a} {b}", lg.path, a, b, directed=True)
    return out


def test_a_store_answers_every_verb_as_memory(bundled: LineageGraph, store: Path) -> None:
    """For every model, family and organization of the bundled data, the store answers alike."""
    models = _entities(bundled, LLM.Model) + _entities(bundled, LLM.ModelFamily)
    orgs = _entities(bundled, LLM.Organization)
    with LineageGraph.open(store, read_only=True) as stored:
        assert stored.engine.digest == bundled.engine.digest
        assert _answers(stored, models, orgs) == _answers(bundled, models, orgs)


def test_an_endpoint_answers_every_verb_as_memory(bundled: LineageGraph, server: Endpoint) -> None:
    """Through a real server of each engine, every verb answers as in memory (sampled names)."""
    models = _entities(bundled, LLM.Model)[::9] + _entities(bundled, LLM.ModelFamily)[::7]
    orgs = _entities(bundled, LLM.Organization)[::3]
    remote = server.connect()
    assert _answers(remote, models, orgs) == _answers(bundled, models, orgs)


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples=networked_graphs())
def test_random_graphs_answer_alike_on_every_backend(triples: list[Triple], tmp_path: Path) -> None:
    """On random graphs, memory, a disk store, Oxigraph's server and Virtuoso answer alike."""
    memory = LineageGraph.load(bundled=False)
    memory.add(triples)
    models = _entities(memory, LLM.Model) + _entities(memory, LLM.ModelFamily)
    orgs = _entities(memory, LLM.Organization)
    want = _answers(memory, models, orgs)
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        data = Path(folder) / "graph.nt"
        memory.rdf.serialize(data, format="nt", encoding="utf-8")
        with LineageGraph.open(Path(folder) / "store") as stored:
            stored.import_files([data])
            assert _answers(stored, models, orgs) == want
        for engine in ENGINES:
            endpoint = _random_server(engine)
            endpoint.replace(data)
            assert _answers(endpoint.connect(), models, orgs) == want, engine


_SERVERS: dict[str, tuple[Endpoint, object]] = {}


def _random_server(engine: str) -> Endpoint:
    """The empty server of ``engine`` that the property test reuses between examples."""
    if engine not in _SERVERS:
        folder = Path(tempfile.mkdtemp(prefix=f"llmgraph-{engine}-"))
        manager = sparql_server(engine, folder)
        _SERVERS[engine] = (manager.__enter__(), manager)
    return _SERVERS[engine][0]


@pytest.fixture(scope="module", autouse=True)
def _stop_random_servers() -> Iterator[None]:
    """Stop the servers the property test started (by their PIDs), after the module."""
    yield
    for _, manager in _SERVERS.values():
        manager.__exit__(None, None, None)  # type: ignore[attr-defined]
    _SERVERS.clear()


COMMANDS = [
    ["ancestors", "Vicuna 13B v1.5", "--all"],
    ["descendants", "Llama 2", "--format", "csv"],
    ["descendants", "Mistral 7B v0.1", "--depth", "1", "--format", "json"],
    ["path", "Tulu 2 DPO 7B", "Vicuna 7B v1.5"],
    ["backers", "Anthropic", "--transitive"],
    ["portfolio", "Microsoft", "--format", "csv"],
    ["show", "Zephyr 7B Alpha"],
    ["show", "Mistral AI", "--format", "json"],
    ["stats"],
    ["table"],
]
FILES = {
    "render": (["render", "--family", "LLaMA", "-o"], ".dot"),
    "backing": (["render", "--backing", "Anthropic", "Mistral AI", "-o"], ".dot"),
    "export": (["export", "--format", "nt", "-o"], ".nt"),
}
"""The commands that write a file (DOT bytes, N-Triples) and the suffix of that file."""

WRONG_KIND = [
    (
        ["descendants", "Meta"],
        "'Meta' is an organization, not a model or family: try `portfolio 'Meta'`",
    ),
    (
        ["ancestors", "Amazon Bedrock"],
        "'Amazon Bedrock' is a platform, not a model or family: try `render --platform",
    ),
    (
        ["backers", "Llama 2 7B"],
        "'Llama 2 7B' is a model, not an organization: ask about its lineage with `ancestors`",
    ),
]
"""A name of the wrong kind for the command, and how the error starts."""


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


class MemoryCli:
    """What the command line prints and writes on the in-memory graph, each run once.

    Every backend is compared with these answers; the bundled data does not change within a
    run, so running the in-memory side again for each backend would only repeat it.
    """

    def __init__(self, folder: Path):
        self._folder = folder
        self._prints: dict[tuple[str, ...], tuple[int, str, str]] = {}
        self._files: dict[str, bytes] = {}

    def prints(self, capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
        """The exit status, stdout and stderr of ``llmgraph ARGV`` in memory."""
        key = tuple(argv)
        if key not in self._prints:
            self._prints[key] = _run(capsys, argv)
        return self._prints[key]

    def writes(self, name: str) -> bytes:
        """The bytes the in-memory command ``FILES[name]`` writes."""
        if name not in self._files:
            argv, suffix = FILES[name]
            ours = self._folder / f"{name}-mem{suffix}"
            assert main([*argv, str(ours)]) == 0
            self._files[name] = ours.read_bytes()
        return self._files[name]


@pytest.fixture(scope="module")
def memory_cli(tmp_path_factory: pytest.TempPathFactory) -> MemoryCli:
    """The in-memory command line's answers, shared by the tests of every backend."""
    return MemoryCli(tmp_path_factory.mktemp("memory-cli"))


def _prints_as_memory(
    where: list[str],
    memory: MemoryCli,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in COMMANDS:
        assert _run(capsys, [*where, *command]) == memory.prints(capsys, command), command
    for name, (argv, suffix) in FILES.items():
        theirs = tmp_path / f"{name}{suffix}"
        assert main([*where, *argv, str(theirs)]) == 0
        assert theirs.read_bytes() == memory.writes(name), name
    capsys.readouterr()


def test_the_cli_prints_the_same_on_a_store(
    store: Path, memory_cli: MemoryCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ancestors … table, render (DOT bytes) and export (N-Triples) print as in memory."""
    _prints_as_memory(["--store", str(store)], memory_cli, tmp_path, capsys)


def test_the_cli_prints_the_same_on_an_endpoint(
    server: Endpoint, memory_cli: MemoryCli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through a real server of each engine, the same commands print as in memory."""
    _prints_as_memory(server.argv, memory_cli, tmp_path, capsys)


def _refuses_the_wrong_kind(where: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    for argv, message in WRONG_KIND:
        code, out, err = _run(capsys, [*where, *argv])
        assert code == 1 and out == ""
        assert err.startswith("llmgraph: error: " + message), err


@pytest.mark.parametrize("backend", ["memory", "store"])
def test_a_name_of_the_wrong_kind_is_an_error_that_says_what_to_ask(
    backend: str, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`descendants Meta`, `ancestors "Amazon Bedrock"`, `backers "Llama 2 7B"` exit 1, say why."""
    _refuses_the_wrong_kind([] if backend == "memory" else ["--store", str(store)], capsys)


def test_a_name_of_the_wrong_kind_is_an_error_on_an_endpoint(
    server: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through a real server of each engine, the same names of the wrong kind exit 1, say why."""
    _refuses_the_wrong_kind(server.argv, capsys)


def _suggests_the_right_name(where: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, [*where, "ancestors", "Vicunna 13B v1.5"])
    assert (code, err) == _run(capsys, ["ancestors", "Vicunna 13B v1.5"])[::2]
    assert "did you mean 'Vicuna 13B v1.5'" in err


def test_unknown_names_get_did_you_mean_on_a_store(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt name is refused with close matches on a store, as in memory."""
    _suggests_the_right_name(["--store", str(store)], capsys)


def test_unknown_names_get_did_you_mean_on_an_endpoint(
    server: Endpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt name is refused with close matches through a server of each engine."""
    _suggests_the_right_name(server.argv, capsys)


def test_every_model_by_label_equals_the_sparql_property_path(
    bundled: LineageGraph, store: Path
) -> None:
    """For every bundled model, lineage by label equals `llm:derivedFrom+` (in both engines)."""
    with LineageGraph.open(store, read_only=True) as stored:
        for lg in (bundled, stored):
            for iri in _entities(bundled, LLM.Model):
                label = bundled.label(iri)
                up = lg.query(
                    "SELECT DISTINCT ?a WHERE { ?m llm:derivedFrom+ ?a }",
                    bindings={"m": URIRef(iri)},
                )
                down = lg.query(
                    "SELECT DISTINCT ?d WHERE { ?d llm:derivedFrom+ ?m }",
                    bindings={"m": URIRef(iri)},
                )
                found = lg.resolution(label, expect="model or family")
                assert found.iri == iri, label
                assert set(lg.ancestors(label).ids) == {str(r[0]) for r in up}, label  # type: ignore[index]
                assert set(lg.descendants(label).ids) == {str(r[0]) for r in down}, label  # type: ignore[index]
