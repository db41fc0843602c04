"""Lineage answers as columns: arrays, pandas, JSON and CSV equal the answer built row by row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from rdflib import URIRef

from llmgraph import ALL_LINEAGE, LineageGraph, Link, Links, UsageError
from llmgraph.engine import LineageIndex, Walk
from llmgraph.results import COLUMNS
from llmgraph.store import Triple
from llmgraph.terms import BACKING_RELATIONS, IRI, RELATIONS, WEIGHT_RELATIONS

from .strategies import NS, awkwardly_named_graphs

_DIRECTIONS: tuple[Literal["in", "out"], ...] = ("in", "out")


def _per_row(walk: Walk) -> list[Link]:
    """The answer built one row at a time from the engine's scalar accessors."""
    idx = walk.index
    out = []
    for row in range(len(walk)):
        node = int(walk.nodes[row])
        via = int(walk.via[row])
        dev, lic = idx.developer(node), idx.licence(node)
        rels = walk.relations_of(row)
        out.append(
            Link(
                id=idx.iri(node),
                label=idx.label(node),
                relation=rels[0],
                relations=rels,
                depth=int(walk.depth[row]),
                via=idx.iri(via),
                path=tuple(idx.iri(n) for n in walk.path_of(row)),
                kind=idx.kind(node),
                developer=idx.label(dev) if dev >= 0 else None,
                developer_id=idx.iri(dev) if dev >= 0 else None,
                release_date=idx.released(node),
                release_date_precision=idx.precision(node),
                licence=idx.label(lic) if lic >= 0 else None,
                licence_id=idx.iri(lic) if lic >= 0 else None,
                via_label=idx.label(via),
            )
        )
    return out


def _csv(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _frame(links: Sequence[Link]) -> Any:
    """The DataFrame built from row lists, dates as date objects (as to_pandas always did)."""
    rows = [{**link.row(), "release_date": link.release_date} for link in links]
    frame = pd.DataFrame({c: [r[c] for r in rows] for c in COLUMNS})
    frame["release_date"] = pd.to_datetime(frame["release_date"])
    return frame


def _assert_same(walk: Walk) -> None:
    """Every form of ``Links(walk)`` equals the per-row answer (each form on a fresh object)."""
    expected = _per_row(walk)
    rows = [link.row() for link in expected]
    assert list(Links(walk)) == expected
    assert Links(walk) == expected and len(Links(walk)) == len(expected)
    for i in (0, len(expected) // 2, -1) if expected else ():
        assert Links(walk)[i] == expected[i]
    assert Links(walk)[1:3] == expected[1:3] and Links(walk)[::2] == expected[::2]
    assert Links(walk).rows() == rows
    assert Links(walk).to_json() == json.dumps(rows, indent=2, ensure_ascii=False)
    assert Links(walk).to_csv() == _csv(rows)
    frame = Links(walk).to_pandas()
    # an empty answer keeps typed columns (int depth, datetime dates) where a frame built
    # from empty lists guesses; the rows are what must agree
    pd.testing.assert_frame_equal(frame, _frame(expected), check_dtype=bool(rows))
    links = Links(walk)
    assert links.ids == [link.id for link in expected]
    assert links.labels == [link.label for link in expected]
    cols = links.arrays()
    assert [RELATIONS[c] for c in cols["relation"].tolist()] == [x.relation for x in expected]
    assert cols["via"].tolist() == [walk.index.node(x.via) for x in expected]
    dates = [None if np.isnat(d) else d.item() for d in cols["release_date"]]
    assert dates == [x.release_date for x in expected]
    assert list(links) == expected and links == Links(walk)  # once built, the same again


def _starts(idx: LineageIndex, triples: list[Triple]) -> list[list[int]]:
    """Each model alone, and all the models of the generated family together."""
    models = sorted({str(s) for s, _, _ in triples if str(s).startswith(f"{NS}m")})
    family = sorted({str(s) for s, p, o in triples if str(o) == f"{NS}family"})
    return [[idx.node(m)] for m in models] + [[idx.node(m) for m in family]]


@settings(max_examples=40, deadline=None)
@given(awkwardly_named_graphs())
def test_columns_equal_the_per_row_answer(triples: list[Triple]) -> None:
    """On random graphs, Links' lazy rows, JSON, CSV, pandas and arrays equal row-by-row Links."""
    lg = LineageGraph.load(bundled=False)
    lg.add(triples)
    idx = lg.engine
    for starts in _starts(idx, triples):
        for direction in _DIRECTIONS:
            for relations in (WEIGHT_RELATIONS, ALL_LINEAGE):
                _assert_same(idx.walk(starts, direction=direction, relations=relations))
    for org in sorted({str(s) for s, _, _ in triples if "/gen/org" in str(s)}):
        for direction in _DIRECTIONS:
            walk = idx.walk([idx.node(org)], direction=direction, relations=BACKING_RELATIONS)
            _assert_same(walk)


def test_the_verbs_answer_with_the_same_rows_as_the_engine_walk(bundled: LineageGraph) -> None:
    """lg.descendants gives the rows of the engine's walk, in all forms, on the bundled data."""
    links = bundled.descendants("Llama 2")
    assert len(links) > 20
    idx = bundled.engine
    starts = [idx.node(m) for m in bundled.members("Llama 2")]
    walk = idx.walk(starts, direction="in", relations=WEIGHT_RELATIONS)
    assert links == _per_row(walk)
    _assert_same(walk)
    first = links.to_pandas().iloc[0]
    assert first["label"] == links[0].label and first["depth"] == links[0].depth


def test_an_empty_answer_in_every_form(bundled: LineageGraph) -> None:
    """A root's ancestors: no rows, '[]' in JSON, the header in CSV, no rows in pandas."""
    links = bundled.ancestors("LLaMA 7B")
    assert len(links) == 0 and list(links) == [] and links == []
    assert links.to_json() == "[]" and links.rows() == []
    assert links.to_csv() == ",".join(COLUMNS) + "\n"
    frame = links.to_pandas()
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 0
    assert links.arrays()["node"].tolist() == []
    with pytest.raises(IndexError, match="row 0 out of range for 0 rows"):
        links[0]


def test_to_csv_and_to_json_write_files_and_text_handles(
    bundled: LineageGraph, tmp_path: Any
) -> None:
    """to_csv / to_json write the same text to a path, an open file, or return it."""
    links = bundled.descendants("Llama 2 7B")
    for method in ("to_csv", "to_json"):
        text = getattr(links, method)()
        assert getattr(links, method)(tmp_path / "out") is None
        assert (tmp_path / "out").read_text(encoding="utf-8") == text
        handle = io.StringIO()
        getattr(links, method)(handle)
        assert handle.getvalue() == text


def test_to_pandas_without_pandas_says_what_to_install(
    bundled: LineageGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pandas, to_pandas raises ModuleNotFoundError naming pandas and the other forms."""
    import sys

    links = bundled.descendants("Llama 2 7B")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ModuleNotFoundError, match=r"needs pandas.*pip install pandas") as info:
        links.to_pandas()
    assert info.value.name == "pandas"


def test_a_large_answer_keeps_its_rows_in_order_across_blocks() -> None:
    """An answer longer than one write block streams the same JSON and CSV as row by row."""
    n = 40_000
    iris = [f"{NS}m{i:05d}" for i in range(n)]
    idx = LineageIndex.build(
        classes=dict.fromkeys(iris, 1),
        labels={iri: f'M {i % 977}, "{i}"' for i, iri in enumerate(iris)},
        edges=[(iris[i], "fineTunedFrom", iris[(i - 1) // 3]) for i in range(1, n)],
    )
    walk = idx.walk([0], direction="in")
    assert len(walk) == n - 1
    rows = [link.row() for link in _per_row(walk)]
    links = Links(walk)
    assert links.to_json() == json.dumps(rows, indent=2, ensure_ascii=False)
    assert links.to_csv() == _csv(rows)
    assert links[-1].path[0] == IRI(iris[0]) and len(links[-1].path) == links[-1].depth + 1
    assert URIRef(links[0].id) == URIRef(iris[1])


def test_a_step_with_two_relations_reports_both() -> None:
    """Where two relations join a step, relation is the first by name and relations has both."""
    idx = LineageIndex.build(
        classes={f"{NS}a": 1, f"{NS}b": 1},
        edges=[(f"{NS}b", "quantizedFrom", f"{NS}a"), (f"{NS}b", "fineTunedFrom", f"{NS}a")],
    )
    links = Links(idx.walk([idx.node(f"{NS}a")], direction="in"))
    assert (links[0].relation, links[0].relations) == (
        "fineTunedFrom",
        ("fineTunedFrom", "quantizedFrom"),
    )
    assert links.rows()[0]["relation"] == "fineTunedFrom"
    assert RELATIONS[int(links.arrays()["relation"][0])] == "fineTunedFrom"
    _assert_same(idx.walk([idx.node(f"{NS}a")], direction="in"))


def test_column_decodes_one_column_and_refuses_unknown_names(bundled: LineageGraph) -> None:
    """column(name) equals that attribute of every Link; an unknown name lists the known ones."""
    links = bundled.descendants("Llama 2")
    expected = list(links)
    assert links.column("developer") == [x.developer for x in expected]
    assert links.column("release_date") == [x.release_date for x in expected]
    assert links.column("via") == [x.via_label for x in expected]
    assert links.column("via_id") == [x.via for x in expected]
    assert links.column("licence_id") == [x.licence_id for x in expected]
    assert links.column("depth") == [x.depth for x in expected]
    with pytest.raises(UsageError, match=r"unknown column 'developers'; expected one of depth"):
        links.column("developers")
