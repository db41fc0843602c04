"""Shared fixtures: the bundled graph (loaded once) and the tiny hand-made graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgraph import LineageGraph

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.ttl"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def bundled() -> LineageGraph:
    """The ontology and the bundled data, loaded once; tests must not modify it."""
    return LineageGraph.load()


@pytest.fixture
def tiny() -> LineageGraph:
    """A fresh copy of the tiny fixture graph (ontology + tests/data/tiny.ttl), free to modify."""
    return LineageGraph.load(TINY, bundled=False)


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
