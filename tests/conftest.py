"""Shared fixtures: the bundled graph (loaded once) and the tiny hand-made graph."""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from llmgraph import LineageGraph

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.ttl"
REPO = Path(__file__).resolve().parent.parent
settings.register_profile(
    "llmgraph",
    deadline=None,  # CI machines are shared: timing is not what the properties check
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI") == "true",  # CI replays the same examples every run
)
settings.load_profile("llmgraph")

# The load cache (llmgraph.cache) of this run: a fresh folder, so that the suite neither reads
# nor fills the user's own cache; CLI tests in subprocesses inherit it.
_CACHE = tempfile.TemporaryDirectory(prefix="llmgraph-test-cache-")
os.environ["LLMGRAPH_CACHE"] = _CACHE.name

REALDATA = Path(os.environ.get("LLMGRAPH_REALDATA", REPO.parent / "shared" / "realdata"))
"""Real third-party inputs (Hugging Face cards, Hub API trees, Epoch AI's table) for the importer
tests. They are not copied into the repository: the suite reads them from ``shared/realdata``
beside the checkout, or from ``$LLMGRAPH_REALDATA``."""


_BUNDLED: list[LineageGraph] = []  # loaded before the first test (pytest_collection_finish)


@pytest.fixture(scope="session")
def bundled() -> LineageGraph:
    """The ontology and the bundled data, loaded once; tests must not modify it."""
    if not _BUNDLED:
        _BUNDLED.append(LineageGraph.load())
    return _BUNDLED[0]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before the first test: load the bundled graph if a test uses it, then freeze the heap.

    Everything alive now (the modules, the collected tests, the bundled graph and its triples)
    lives for the whole run. ``gc.freeze()`` moves it out of the collector's sight, so that
    each collection, and each ``gc.collect()`` of a store write (``llmgraph.backends.store``
    collects to let RocksDB close), looks only at what the tests made since: without this a
    pytest worker spent a third of a store test's CPU time in the collector. The garbage of
    now is collected first; no store is open yet, so none can be frozen open.
    """
    if session.config.option.collectonly:
        return
    if any("bundled" in getattr(item, "fixturenames", ()) for item in session.items):
        graph = LineageGraph.load() if not _BUNDLED else _BUNDLED[0]
        len(graph.rdf)  # the triples too, which most tests of the bundled graph read
        _BUNDLED[:] = [graph]
    gc.collect()
    gc.freeze()


@pytest.fixture
def tiny() -> LineageGraph:
    """A fresh copy of the tiny fixture graph (ontology + tests/data/tiny.ttl), free to modify."""
    return LineageGraph.load(TINY, bundled=False)


def pytest_configure(config: pytest.Config) -> None:
    """Stop at once, with the reason, when the real third-party inputs are not where expected."""
    if not (REALDATA / "MANIFEST.csv").is_file():
        raise pytest.UsageError(
            f"real third-party test inputs not found at {REALDATA}: check out llmgraph beside "
            "shared/ (shared/realdata/MANIFEST.csv) or set LLMGRAPH_REALDATA to that folder"
        )


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember skipped tests: llmgraph's suite has none, so a skip is a failure."""
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any test was skipped (CI must prove everything, Graphviz included)."""
    if _skipped and exitstatus == 0:
        session.exitstatus = 1
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"FAILED: {len(_skipped)} test(s) skipped: {', '.join(_skipped)}")
