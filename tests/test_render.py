"""Diagrams: deterministic DOT, real SVG/PNG/PDF through Graphviz, typed errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from llmgraph import LineageGraph, RenderError, render, select_backing, select_lineage, to_dot
from llmgraph.render import PALETTE, Selection, run_graphviz

T = "https://example.org/tiny/"
SVG = "{http://www.w3.org/2000/svg}"


def _svg_groups(svg: bytes, cls: str) -> list[str]:
    root = ET.fromstring(svg)
    titles = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == cls:
            title = g.find(f"{SVG}title")
            titles.append(title.text if title is not None and title.text else "")
    return titles


def _svg_texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_svg_has_every_selected_node_and_edge(tiny: LineageGraph) -> None:
    """The SVG holds one node per selected entity and one edge per selected relation."""
    sel = select_lineage(tiny, "Tuned 7B")
    assert sel.nodes == {
        T + n for n in ("tuned", "base", "teacher", "tuned-gguf", "tuned-lora", "merge")
    }
    svg = render(tiny, sel, fmt="svg")
    nodes = [n for n in _svg_groups(svg, "node") if not n.startswith("legend_")]
    assert sorted(nodes) == sorted(sel.nodes)
    edges = [e for e in _svg_groups(svg, "edge") if "legend_" not in e]
    # lineage is drawn parent → child: the teacher points at its student
    assert f"{T}teacher&#45;&gt;{T}tuned" in edges or f"{T}teacher->{T}tuned" in edges
    assert len(edges) == len(sel.edges) == 5


def test_labels_show_release_year_and_size(tiny: LineageGraph) -> None:
    """Node labels carry the name, the release year and the parameter count."""
    svg = render(tiny, select_lineage(tiny, "Base 7B", down=False), fmt="svg")
    texts = _svg_texts(svg)
    assert "Base 7B" in texts
    assert "2023 · 7B" in texts


def test_legend_lists_only_drawn_relations(tiny: LineageGraph) -> None:
    """The legend names exactly the relations that appear in the diagram."""
    svg = render(tiny, select_lineage(tiny, "Tuned 7B GGUF", down=False), fmt="svg")
    texts = set(_svg_texts(svg))
    assert {"Legend", "fine-tuned", "quantized"} <= texts
    assert "merged" not in texts and "adapter" not in texts


def test_dot_is_deterministic(tiny: LineageGraph) -> None:
    """The same graph and options give byte-identical DOT, whatever the build order."""
    first = to_dot(tiny, select_lineage(tiny, "Base 7B")).to_string()
    again = LineageGraph.load(Path(__file__).parent / "data" / "tiny.ttl", bundled=False)
    assert to_dot(again, select_lineage(again, "Base 7B")).to_string() == first


def test_colour_is_per_developer(tiny: LineageGraph) -> None:
    """Models of the same developer share a fill colour taken from the palette."""
    dot = to_dot(tiny, select_lineage(tiny, "Tuned 7B"))
    fills = {
        n.get_name().strip('"'): n.get("fillcolor").strip('"')
        for n in dot.get_nodes()
        if n.get("fillcolor") is not None
    }
    assert fills[T + "tuned"] == fills[T + "tuned-gguf"]  # both Tiny Lab
    assert fills[T + "base"] == fills[T + "teacher"]  # both Acme AI
    assert fills[T + "tuned"] in PALETTE


def test_backing_diagram(tiny: LineageGraph) -> None:
    """A backing selection draws organizations as ellipses with invest/own edges."""
    sel = select_backing(tiny, ["Acme AI"], transitive=True)
    assert {T + "fund", T + "holding", T + "lab", T + "acme"} == sel.nodes
    dot = to_dot(tiny, sel)
    shapes = {n.get("shape") for n in dot.get_nodes() if n.get_name().startswith('"http')}
    assert shapes == {"ellipse"}
    svg = render(tiny, sel, fmt="svg")
    assert {"invests in", "owns"} <= set(_svg_texts(svg))


def test_png_and_pdf_are_real(tiny: LineageGraph, tmp_path: Path) -> None:
    """PNG and PDF come out of Graphviz with their magic numbers, written where asked."""
    sel = select_lineage(tiny, "Merge 7B")
    render(tiny, sel, fmt="png", out=tmp_path / "a.png")
    render(tiny, sel, fmt="pdf", out=tmp_path / "a.pdf")
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")


def test_empty_selection_is_an_error(tiny: LineageGraph, tmp_path: Path) -> None:
    """An empty selection raises instead of writing an empty file."""
    with pytest.raises(RenderError, match="nothing to draw"):
        render(tiny, Selection(), out=tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


def test_missing_graphviz_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without Graphviz on PATH, the error names the program and how to install it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"Graphviz program 'dot' not found.*apt-get install"):
        run_graphviz("digraph { a }", "svg")


def test_graphviz_failure_carries_stderr() -> None:
    """When dot fails, its exit code and stderr are in the error."""
    with pytest.raises(RenderError, match=r"dot -Tsvg failed \(exit 1\): .*syntax error"):
        run_graphviz("digraph { a -> }", "svg")
