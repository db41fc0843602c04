"""The whole-graph table: roots, depth and licence chain of every model."""

from __future__ import annotations

from pathlib import Path

from llmgraph import LineageGraph
from llmgraph.engine import LICENSE, MODEL, LineageIndex
from llmgraph.table import COLUMNS, lineage_table

E = "http://e/"


def _index() -> LineageIndex:
    models = ["base", "other", "chat", "quant", "merge"]
    classes = {E + m: MODEL for m in models} | {E + "apache": LICENSE, E + "mit": LICENSE}
    labels = {E + m: m.title() for m in models} | {E + "apache": "Apache", E + "mit": "MIT"}
    edges = [
        (E + "chat", "fineTunedFrom", E + "base"),
        (E + "quant", "quantizedFrom", E + "chat"),
        (E + "merge", "mergedFrom", E + "quant"),
        (E + "merge", "mergedFrom", E + "other"),
        (E + "chat", "successorOf", E + "other"),  # not weight lineage: ignored
    ]
    licences = [
        (E + "base", E + "apache"),
        (E + "chat", E + "apache"),
        (E + "quant", E + "mit"),
        (E + "other", E + "mit"),
    ]
    return LineageIndex.build(classes=classes, labels=labels, edges=edges, licences=licences)


def test_roots_depth_and_licence_chain() -> None:
    """Each model gets its roots, its generation and the licences down its first-parent line."""
    rows = {row["label"]: row for row in lineage_table(_index()).rows()}
    assert list(rows) == ["Base", "Chat", "Merge", "Other", "Quant"]
    got = {
        k: (r["depth"], r["roots"], r["licence_chain"], r["licence_changed"])
        for k, r in rows.items()
    }
    assert got == {
        "Base": (0, "Base", "Apache", False),
        "Chat": (1, "Base", "Apache", False),
        "Quant": (2, "Base", "Apache > MIT", True),
        "Merge": (3, "Base|Other", "MIT", False),  # its first parent by label is Other
        "Other": (0, "Other", "MIT", False),
    }


def test_csv_and_pandas_hold_the_same_rows(tmp_path: Path) -> None:
    """to_csv (file and text) and to_pandas give the same rows and columns."""
    table = lineage_table(_index())
    text = table.to_csv()
    assert text is not None and text.splitlines()[0] == ",".join(COLUMNS)
    table.to_csv(tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == text
    frame = table.to_pandas()
    assert list(frame.columns) == list(COLUMNS)
    assert frame.set_index("label").loc["Merge", "roots"] == "Base|Other"
    assert len(frame) == len(table) == 5


def test_table_of_the_bundled_graph(bundled: LineageGraph) -> None:
    """The bundled graph's table has every model, and a Llama 2 fine-tune starts at Llama 2."""
    table = bundled.table()
    rows = {row["label"]: row for row in table.rows()}
    assert len(rows) == sum(1 for _, d in bundled.nx.nodes(data=True) if d.get("kind") == "model")
    assert rows["Vicuna 13B v1.5"]["roots"] == "Llama 2 13B"
    assert rows["Vicuna 13B v1.5"]["depth"] == 1
