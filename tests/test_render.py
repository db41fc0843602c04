"""Diagrams: selections, encodings, collapsing, links, determinism, formats and errors.

Most checks parse the SVG that Graphviz really produced (xml.etree), so they prove what a reader
sees: the nodes and edges drawn, the legend entries, the links and tooltips, the counts in the
collapsed and "…" nodes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pydot
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from llmgraph import (
    DataLoadError,
    LineageGraph,
    RenderError,
    UsageError,
    diagram,
    render,
    select_backing,
    select_family,
    select_lineage,
    select_organization,
    select_platform,
    select_sparql,
    to_dot,
)
from llmgraph.render import (
    NEUTRAL,
    ORGANIZATION_COLOURS,
    PALETTE,
    PLATFORM,
    Diagram,
    Selection,
    assign_colours,
    load_colours,
    organization_colour,
    run_graphviz,
)
from llmgraph.vocab import LLM

from .conftest import REPO, TINY
from .strategies import lineage_graphs

T = "https://example.org/tiny/"
ID = "https://w3id.org/llmgraph/id/"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
GALLERY = REPO / "examples" / "gallery"
GALLERY_FIGURES = (
    "llama-family",
    "mistral-family",
    "backing-network",
    "falcon-column",
    "falcon-page",
    "teachers",
)


# ---------------------------------------------------------------------- reading SVG


@dataclass(frozen=True)
class Drawn:
    """One node or edge group of an SVG: its title, texts, link and tooltip."""

    title: str
    texts: tuple[str, ...]
    href: str | None
    tooltip: str | None


def _groups(svg: bytes, cls: str) -> dict[str, Drawn]:
    found = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if cls not in (g.get("class") or "").split():
            continue
        title_el = g.find(f"{SVG}title")
        title = title_el.text if title_el is not None and title_el.text else ""
        link = next(g.iter(f"{SVG}a"), None)
        texts = tuple(t.text or "" for t in g.iter(f"{SVG}text"))
        href = link.get(f"{XLINK}href") if link is not None else None
        tip = link.get(f"{XLINK}title") if link is not None else None
        found[title] = Drawn(title, texts, href, tip)
    return found


def _nodes(svg: bytes) -> dict[str, Drawn]:
    return _groups(svg, "node")


def _edges(svg: bytes) -> dict[str, Drawn]:
    return _groups(svg, "edge")


def _legend(svg: bytes) -> list[str]:
    """The texts of the heading (title and legend): direct children of the graph group."""
    graph = next(g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "graph")
    return [t.text or "" for t in graph.findall(f"{SVG}text")]


def _fills(dot: pydot.Dot) -> dict[str, str]:
    return {
        n.get_name().strip('"'): str(n.get("fillcolor")).strip('"')
        for n in dot.get_nodes()
        if n.get("fillcolor") is not None
    }


def _models(svg: bytes) -> set[str]:
    return {t for t in _nodes(svg) if t.startswith(("http", "https"))}


# ---------------------------------------------------------------------- colour science


def _linear(c: int) -> float:
    x = c / 255
    return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return r, g, b


def _contrast_with_black(colour: str) -> float:
    r, g, b = _rgb(colour)
    return (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) / 0.05


def _lab(colour: str) -> tuple[float, float, float]:
    r, g, b = _rgb(colour)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(a: str, b: str) -> float:
    """CIEDE2000 colour difference (about 2 is just noticeable, 10 is clearly different)."""
    (l1, a1, b1), (l2, a2, b2) = _lab(a), _lab(b)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean2 = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean2
    s_h = 1 + 0.015 * c_mean2 * t
    r_c = 2 * math.sqrt(c_mean2**7 / (c_mean2**7 + 25**7))
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


# ---------------------------------------------------------------------- selections


def test_svg_has_every_selected_node_and_edge(tiny: LineageGraph) -> None:
    """The SVG holds one node per selected entity and one edge per selected relation."""
    sel = select_lineage(tiny, "Tuned 7B")
    assert sel.nodes == {
        T + n for n in ("tuned", "base", "teacher", "tuned-gguf", "tuned-lora", "merge")
    }
    svg = render(tiny, sel, fmt="svg")
    assert _models(svg) == sel.nodes
    edges = [e for e in _edges(svg) if not e.startswith("time:")]
    # lineage is drawn parent → child: the teacher points at its student
    assert f"{T}teacher->{T}tuned" in edges
    assert len(edges) == len(sel.edges) == 5


def test_depth_limited_descendants_end_in_counted_dots(tiny: LineageGraph) -> None:
    """A depth limit keeps what lies beyond in "… +N more descendants" nodes, never dropping it."""
    sel = select_lineage(tiny, "Base 7B", up=False, depth=1)
    assert sel.nodes == {T + n for n in ("base", "base-chat", "tuned", "base-2")}
    assert sel.truncated_descendants == {
        T + "tuned": frozenset(T + n for n in ("tuned-gguf", "tuned-lora", "merge")),
        T + "base-2": frozenset([T + "long"]),
    }
    svg = render(tiny, sel)
    nodes = _nodes(svg)
    assert nodes[f"below:{T}tuned"].texts == ("… +3 more descendants",)
    assert nodes[f"below:{T}base-2"].texts == ("… +1 more descendant",)
    assert "Tuned 7B GGUF" in (nodes[f"below:{T}tuned"].tooltip or "")
    assert f"{T}tuned->below:{T}tuned" in _edges(svg)


def test_depth_limited_ancestry_shows_earlier_ancestors(tiny: LineageGraph) -> None:
    """An ancestry cut at depth 1 says how many earlier ancestors were left out."""
    sel = select_lineage(tiny, "Tuned 7B GGUF", down=False, depth=1)
    assert sel.nodes == {T + "tuned-gguf", T + "tuned"}
    assert sel.truncated_ancestors == {T + "tuned": frozenset([T + "base", T + "teacher"])}
    nodes = _nodes(render(tiny, sel))
    assert nodes[f"above:{T}tuned"].texts == ("… +2 earlier ancestors",)


def test_family_is_everything_sharing_a_root(tiny: LineageGraph) -> None:
    """select_family climbs to the roots and takes all they grew into, teachers not followed."""
    sel = select_family(tiny, "Tuned 7B GGUF")
    assert sel.nodes == {
        T + n for n in ("base", "base-chat", "tuned", "tuned-gguf", "tuned-lora", "merge", "base-2")
    } | {T + "long"}
    assert sel.focus == {T + "tuned-gguf"}
    assert {r for _, _, r in sel.edges} == {
        "fineTunedFrom",
        "quantizedFrom",
        "adapterOf",
        "mergedFrom",
        "successorOf",
        "continuedPretrainingFrom",
    }
    assert "roots: Base 7B" in sel.description
    shallow = select_family(tiny, "Base 7B", depth=1)
    assert shallow.nodes == {T + n for n in ("base", "base-chat", "tuned", "base-2")}
    assert shallow.truncated_descendants[T + "base-2"] == frozenset([T + "long"])


def test_bundled_llama_family_spans_the_generations(bundled: LineageGraph) -> None:
    """The LLaMA family holds Llama 2, 3 and 3.1, Code Llama and community fine-tunes."""
    sel = select_family(bundled, "LLaMA")
    labels = {bundled.label(n) for n in sel.nodes}
    assert {"LLaMA 7B", "Llama 2 70B", "Llama 3.1 8B", "Code Llama 7B", "Vicuna 13B v1.5"} <= labels
    assert "Mistral 7B v0.1" not in labels
    assert sel.focus == set()  # a named family is not highlighted, a named model is


def test_organization_selection(tiny: LineageGraph) -> None:
    """An organization's models come with the bases and teachers they were built on."""
    sel = select_organization(tiny, "Tiny Lab")
    own = {T + n for n in ("tuned", "tuned-gguf", "tuned-lora", "other", "merge")}
    assert sel.nodes == own | {T + "base", T + "teacher"}
    assert select_organization(tiny, "Tiny Lab", bases=False).nodes == own
    with pytest.raises(RenderError, match=r"empty \(models developed by Big Fund\)"):
        render(tiny, select_organization(tiny, "Big Fund"))


def test_platform_selection_draws_hosting(tiny: LineageGraph) -> None:
    """A platform diagram draws operator → platform → hosted models, hexagon and ellipse."""
    sel = select_platform(tiny, "Tiny Cloud")
    assert sel.nodes == {T + "cloud", T + "base-chat", T + "acme"}
    dot = to_dot(tiny, sel)
    shapes = {n.get_name().strip('"'): n.get("shape") for n in dot.get_nodes()}
    assert shapes[T + "cloud"] == "hexagon" and shapes[T + "acme"] == "ellipse"
    assert _fills(dot)[T + "cloud"] == PLATFORM
    svg = render(tiny, sel)
    edges = _edges(svg)
    assert f"{T}cloud->{T}base-chat" in edges and f"{T}acme->{T}cloud" in edges
    assert edges[f"{T}cloud->{T}base-chat"].href == "https://example.org/cloud-base-chat"
    legend = _legend(svg)
    assert {"hosts", "operates", "hexagon: platform", "ellipse: organization"} <= set(legend)


def test_backing_diagram_labels_rounds(tiny: LineageGraph) -> None:
    """Backing edges carry the date and amount of each round and link to its source."""
    sel = select_backing(tiny, ["Acme AI"], transitive=True)
    assert {T + "fund", T + "holding", T + "lab", T + "acme"} == sel.nodes
    dot = to_dot(tiny, sel)
    shapes = {n.get("shape") for n in dot.get_nodes() if n.get_name().startswith('"http')}
    assert shapes == {"ellipse"}
    assert dot.get("layout") == "neato"  # hubs and spokes, not ranks
    svg = render(tiny, sel)
    label = f"label:investsIn:{T}fund->{T}acme"  # the edge runs fund → its label → acme
    drawn = _nodes(svg)[label]
    assert drawn.texts == ("2022-05 $100M",)
    assert drawn.href == "https://example.org/fund-acme"
    for half in (f"{T}fund->{label}", f"{label}->{T}acme"):
        edge = _edges(svg)[half]
        assert edge.href == "https://example.org/fund-acme"
        assert "2022-05-01 · $100M · Series A" in (edge.tooltip or "")
    assert {"invests in", "owns", "organization without models"} <= set(_legend(svg))
    # investors without models are neutral; developers keep their colour
    assert _fills(dot)[T + "fund"] == NEUTRAL
    assert _fills(dot)[T + "lab"] == organization_colour(T + "lab")


def test_bundled_backing_network(bundled: LineageGraph) -> None:
    """Around the four labs, Microsoft's 2019 OpenAI round shows as 2019-07 $1B."""
    sel = select_backing(bundled, ["OpenAI", "Anthropic", "Mistral AI", "Hugging Face"])
    svg = render(bundled, sel)
    label = f"label:investsIn:{ID}microsoft->{ID}openai"
    assert _nodes(svg)[label].texts[0] == "2019-07 $1B"
    assert "strategic partnership" in (_edges(svg)[f"{label}->{ID}openai"].tooltip or "")
    assert _models(svg) == sel.nodes


def test_sparql_construct_select_and_errors(tiny: LineageGraph) -> None:
    """SPARQL results become selections; derivedFrom is drawn as the specific relation."""
    construct = select_sparql(
        tiny, "CONSTRUCT { ?s llm:derivedFrom ?o } WHERE { ?s llm:derivedFrom ?o }"
    )
    assert (T + "tuned-gguf", T + "tuned", "quantizedFrom") in construct.edges
    assert all(r != "derivedFrom" for _, _, r in construct.edges)
    rows = select_sparql(
        tiny,
        "SELECT ?s ?p ?o WHERE { VALUES ?p { llm:investsIn } ?s ?p ?o }",
    )
    assert rows.edges == {
        (T + "fund", T + "acme", "investsIn"),
        (T + "acme", T + "lab", "investsIn"),
    }
    one = select_sparql(
        tiny, "SELECT ?m ?label WHERE { ?m llm:developedBy ?d ; rdfs:label ?label }"
    )
    assert (T + "tuned", T + "base", "fineTunedFrom") in one.edges  # relations among them
    with pytest.raises(UsageError, match=r"row 1, \?p: .*#license> is not a relation"):
        select_sparql(tiny, "SELECT ?s ?p ?o WHERE { VALUES ?p { llm:license } ?s ?p ?o }")
    with pytest.raises(UsageError, match=r"row 1, \?o: .*tiny/license> is not a model"):
        select_sparql(tiny, "SELECT ?s ?o WHERE { ?s llm:license ?o }")
    with pytest.raises(UsageError, match="got a ASK query"):
        select_sparql(tiny, "ASK { ?s ?p ?o }")
    empty = select_sparql(tiny, "SELECT ?m WHERE { ?m a llm:Nothing }")
    with pytest.raises(RenderError, match="the result of the SPARQL query"):
        to_dot(tiny, empty)


def test_selections_combine(tiny: LineageGraph) -> None:
    """`|` unions selections; a node one drew is no longer counted as left out by the other."""
    shallow = select_lineage(tiny, "Base 7B", up=False, depth=1)
    both = shallow | select_lineage(tiny, "Tuned 7B GGUF", down=False)
    assert T + "tuned-gguf" in both.nodes
    assert both.truncated_descendants[T + "tuned"] == frozenset([T + "tuned-lora", T + "merge"])


# ---------------------------------------------------------------------- encodings


def test_labels_show_release_month_and_size(tiny: LineageGraph) -> None:
    """Node labels carry the name, the release month and the parameter count."""
    nodes = _nodes(render(tiny, select_lineage(tiny, "Base 7B", down=False)))
    assert nodes[T + "base"].texts == ("Base 7B", "2023-01 · 7B")


def test_sizes_read_as_models_are_named(bundled: LineageGraph) -> None:
    """Parameter counts show three significant figures: Qwen2.5-14B is 14.7B, not 15B."""
    nodes = _nodes(render(bundled, select_lineage(bundled, "Qwen2.5-14B", depth=1)))
    texts = " ".join(nodes[str(bundled.resolve("Qwen2.5-14B"))].texts)
    assert "14.7B" in texts and "15B" not in texts
    texts = " ".join(nodes[str(bundled.resolve("Qwen2.5-14B-Instruct"))].texts)
    assert "14.7B" in texts


def test_legend_lists_only_what_appears(tiny: LineageGraph) -> None:
    """The legend names exactly the developers and relations that appear in the diagram."""
    legend = _legend(render(tiny, select_lineage(tiny, "Tuned 7B GGUF", down=False)))
    assert {"Developer", "Relation", "Acme AI", "Tiny Lab", "fine-tuned", "quantized"} <= set(
        legend
    )
    assert {"merged", "adapter", "Node", "hosts"}.isdisjoint(legend)
    assert "trained on outputs of" in legend  # Tuned 7B learned from the teacher
    bare = _legend(render(tiny, select_lineage(tiny, "Other 7B"), legend=False))
    assert bare == []


def test_every_relation_has_a_style_and_a_legend_text() -> None:
    """Every relation has its own (pattern, weight), so greyscale print keeps them apart."""
    from llmgraph.render import EDGE_STYLES, RELATION_STYLES, RELATION_TEXT, WEIGHTS

    assert set(RELATION_STYLES) == set(EDGE_STYLES) == set(RELATION_TEXT)
    looks = {(style.pattern, style.weight) for style in RELATION_STYLES.values()}
    assert len(looks) == len(RELATION_STYLES)
    assert len(set(RELATION_TEXT.values())) == len(RELATION_TEXT)
    widths = sorted(WEIGHTS.values())
    assert all(b >= 1.8 * a for a, b in itertools.pairwise(widths))
    # the arrowhead follows the pattern, so a pattern shows on an edge too short for dashes
    heads = {style.pattern: style.arrowhead for style in RELATION_STYLES.values()}
    assert len(set(heads.values())) == len(heads)


def test_relation_styles_are_documented_in_one_table() -> None:
    """The README's table of relation styles is the table the renderer draws with."""
    from llmgraph.render import RELATION_STYLES, RELATION_TEXT

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| `llm:") and len(cells) == 5:
            rows[cells[0].strip("`").removeprefix("llm:")] = cells[1:4]
    assert rows == {
        rel: [RELATION_TEXT[rel], style.pattern, rows.get(rel, ["", "", ""])[2]]
        for rel, style in RELATION_STYLES.items()
    }
    assert all(rows[rel][2].startswith(style.weight) for rel, style in RELATION_STYLES.items())


def _drawn_style(group: ET.Element) -> tuple[str, float]:
    """The (pattern, width) of one SVG edge, read from what Graphviz drew."""
    paths = [p for p in group.iter(f"{SVG}path")]
    if not paths:  # a tapered edge is one filled polygon
        wedge = next(group.iter(f"{SVG}polygon"))
        return "tapered", float(wedge.get("stroke-width") or 1)
    width = float(paths[0].get("stroke-width") or 1)
    if len(paths) == 3 and paths[1].get("stroke") == "transparent":
        return "double", width
    dashes = {None: "solid", "5,2": "dashed", "1,5": "dotted"}
    return dashes[paths[0].get("stroke-dasharray")], width


def test_relations_drawn_apart_without_colour(tiny: LineageGraph, bundled: LineageGraph) -> None:
    """In real renders each relation's edges share one (pattern, width) that no other has."""
    figures = [
        render(tiny, select_family(tiny, "Base 7B") | select_platform(tiny, "Tiny Cloud")),
        render(bundled, select_backing(bundled, ["Databricks", "Mistral AI"])),
        (GALLERY / "teachers.svg").read_bytes(),
        (GALLERY / "llama-family.svg").read_bytes(),
    ]
    seen: dict[str, set[tuple[str, float]]] = defaultdict(set)
    for svg in figures:
        for g in ET.fromstring(svg).iter(f"{SVG}g"):
            classes = (g.get("class") or "").split()
            rels = [c.removeprefix("relation-") for c in classes if c.startswith("relation-")]
            if "edge" in classes and rels:
                seen[rels[0]].add(_drawn_style(g))
    assert len(seen) >= 9, sorted(seen)
    for rel, looks in seen.items():
        assert len(looks) == 1, (rel, looks)
    assert len({next(iter(looks)) for looks in seen.values()}) == len(seen)


def test_colour_is_per_developer(tiny: LineageGraph) -> None:
    """Models of the same developer share a fill colour; it is the organization's colour."""
    fills = _fills(to_dot(tiny, select_lineage(tiny, "Tuned 7B")))
    assert fills[T + "tuned"] == fills[T + "tuned-gguf"] == organization_colour(T + "lab")
    assert fills[T + "base"] == fills[T + "teacher"] == organization_colour(T + "acme")
    assert fills[T + "tuned"] in PALETTE


def test_meta_and_lmsys_differ_in_the_vicuna_diagram(bundled: LineageGraph) -> None:
    """The curated table keeps Meta (blue) and LMSYS apart, as readers expect."""
    fills = _fills(to_dot(bundled, select_lineage(bundled, "Vicuna 13B v1.5")))
    meta, lmsys = fills[ID + "llama-2-13b"], fills[ID + "vicuna-13b-v1-5"]
    assert meta == ORGANIZATION_COLOURS[ID + "meta"] == "#80b1d3"
    assert _delta_e(meta, lmsys) > 15


def test_palette_keeps_black_text_readable() -> None:
    """Every fill meets the WCAG AAA contrast ratio (7:1) with black text."""
    fills = set(PALETTE) | set(ORGANIZATION_COLOURS.values()) | {NEUTRAL, PLATFORM}
    worst = min(fills, key=_contrast_with_black)
    assert _contrast_with_black(worst) >= 7, worst
    assert set(ORGANIZATION_COLOURS.values()) <= set(PALETTE)


def test_curated_colours_name_bundled_organizations_and_others_hash(
    bundled: LineageGraph,
) -> None:
    """Every curated colour belongs to an organization of the data; other IRIs hash stably."""
    organizations = {n for n, d in bundled.nx.nodes(data=True) if d.get("kind") == "organization"}
    assert set(ORGANIZATION_COLOURS) <= organizations
    assert len(ORGANIZATION_COLOURS) >= 50
    assert organization_colour("https://example.org/x") == organization_colour(
        "https://example.org/x"
    )
    assert organization_colour("https://example.org/x") in PALETTE


def _developer_fills(lg: LineageGraph, made: Diagram) -> dict[str, str]:
    """Each developer of the models drawn → the one fill its models have in the figure."""
    found: dict[str, set[str]] = {}
    for node in made.dot.get_nodes():
        name = node.get_name().strip('"')
        if name in lg.nx and lg.nx.nodes[name].get("kind") == "model":
            devs = sorted(v for _, v, k in lg.nx.out_edges(name, keys=True) if k == "developedBy")
            if devs:
                found.setdefault(devs[0], set()).add(str(node.get("fillcolor")).strip('"'))
    assert all(len(fills) == 1 for fills in found.values()), found
    return {dev: next(iter(fills)) for dev, fills in found.items()}


def _swatches(svg: bytes) -> dict[str, str]:
    """The legend's developer swatches as the SVG draws them: name → fill."""
    graph = next(g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "graph")
    children = list(graph)
    found: dict[str, str] = {}
    for index, child in enumerate(children):
        fill = child.get("fill")
        if child.tag != f"{SVG}polygon" or fill in (None, "none", "white", "#ffffff"):
            continue
        text = next((c for c in children[index + 1 :] if c.tag == f"{SVG}text"), None)
        if text is not None and text.text:
            found.setdefault(text.text, str(fill))
    return found


def test_developers_drawn_together_get_distinct_colours(bundled: LineageGraph) -> None:
    """In every bundled family diagram, no two developers share a fill (CIEDE2000 ≥ 6)."""
    families = sorted(
        str(r[0])  # type: ignore[index]
        for r in bundled.query("SELECT ?f WHERE { ?f a llm:ModelFamily }")
    )
    checked = 0
    for family in families:
        fills = _developer_fills(bundled, diagram(bundled, select_family(bundled, family)))
        for a, b in itertools.combinations(sorted(fills), 2):
            distance = _delta_e(fills[a], fills[b])
            assert distance >= 6, (family, a, b, distance)
            checked += 1
    assert checked > 1000


def test_curated_colour_is_kept_when_free(bundled: LineageGraph) -> None:
    """A developer keeps its curated colour unless a heavier one in the figure holds it."""
    fills = _developer_fills(bundled, diagram(bundled, select_family(bundled, "LLaMA")))
    assert fills[ID + "meta"] == ORGANIZATION_COLOURS[ID + "meta"]
    kept = [d for d in fills if d in ORGANIZATION_COLOURS and fills[d] == ORGANIZATION_COLOURS[d]]
    assert len(kept) >= len(fills) // 2
    # Microsoft and ModelBest both prefer #a6d854 here: the one with more models keeps it
    assert fills[ID + "microsoft"] == "#a6d854"
    assert fills[ID + "modelbest"] != "#a6d854"


def test_assign_colours_is_distinct_beyond_the_palette() -> None:
    """More organizations than palette colours still get pairwise different fills."""
    orgs = [f"https://example.org/lab{i}" for i in range(len(PALETTE) + 20)]
    picked = assign_colours(orgs)
    assert len(set(picked.values())) == len(orgs)
    assert picked == assign_colours(reversed(orgs))  # order of the input does not matter
    heavy = assign_colours(orgs[:2], weights={orgs[1]: 5})
    assert heavy[orgs[1]] == organization_colour(orgs[1])
    assert all(_contrast_with_black(c) >= 7 for c in picked.values())


def test_colour_table_is_data(tmp_path: Path) -> None:
    """The curated colours are read from data/colours.csv; a bad file names file and line."""
    assert load_colours(REPO / "data" / "colours.csv") == dict(ORGANIZATION_COLOURS)
    good = tmp_path / "ok.csv"
    good.write_text("organization,colour\n# a comment\n\nhttps://e.org/a,#ABCDEF\n")
    assert load_colours(good) == {"https://e.org/a": "#abcdef"}
    for body, message in (
        ("org,color\n", r"bad\.csv:1: expected the header 'organization,colour'"),
        ("organization,colour\nhttps://e.org/a,#abc\n", r"bad\.csv:2: colour of .* #rrggbb"),
        ("organization,colour\nlab,#aabbcc\n", r"bad\.csv:2: organization must be an http"),
        ("organization,colour\nhttps://e.org/a\n", r"bad\.csv:2: expected 2 fields"),
        (
            "organization,colour\nhttps://e.org/a,#aabbcc\nhttps://e.org/a,#aabbcd\n",
            r"bad\.csv:3: https://e.org/a is listed twice \(first on line 2\)",
        ),
        ("", r"bad\.csv: empty colour table"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(body)
        with pytest.raises(DataLoadError, match=message):
            load_colours(bad)
    with pytest.raises(DataLoadError, match=r"missing\.csv: cannot read colours"):
        load_colours(tmp_path / "missing.csv")


def test_clusters_per_developer_and_family(tiny: LineageGraph) -> None:
    """Clusters box the models of a developer (or family) with two or more drawn."""
    sel = select_lineage(tiny, "Base 7B")
    by_dev = to_dot(tiny, sel, clusters="developer")
    labels = {g.get("label").strip('"'): g for g in by_dev.get_subgraphs() if g.get("label")}
    assert {"Acme AI", "Tiny Lab"} <= set(labels)
    members = {n.get_name().strip('"') for n in labels["Tiny Lab"].get_nodes()}
    assert members == {T + "tuned", T + "tuned-gguf", T + "tuned-lora", T + "merge"}
    by_family = to_dot(tiny, sel, clusters="family")
    names = [g.get("label") for g in by_family.get_subgraphs() if g.get("label")]
    assert names == ['"Base Family"']
    assert b"Tiny Lab" in render(tiny, sel, clusters="developer")


def test_timeline_ranks_models_by_quarter_or_year(tiny: LineageGraph) -> None:
    """Release periods become an axis of time nodes, each ranked with its models."""
    sel = select_lineage(tiny, "Tuned 7B")
    quarter = to_dot(tiny, sel)  # auto: the span is short, so quarters
    ranks = {
        g.get_nodes()[0].get_name().strip('"'): {n.get_name().strip('"') for n in g.get_nodes()}
        for g in quarter.get_subgraphs()
        if g.get("rank") == "same"
    }
    assert ranks["time:2022 Q2"] == {"time:2022 Q2", T + "teacher"}
    assert ranks["time:2023 Q1"] >= {T + "base", T + "tuned", T + "merge"}
    svg = render(tiny, sel, timeline="year")
    assert {"time:2022", "time:2023"} <= set(_nodes(svg))
    assert "time:2022->time:2023" in _edges(svg)  # the axis is drawn
    assert not any(n.startswith("time:") for n in _nodes(render(tiny, sel, timeline="none")))


def _axis_stops(svg: bytes) -> list[tuple[float, str]]:
    """The time axis as drawn: (x of the label's centre, node title), left to right."""
    stops = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title_el = g.find(f"{SVG}title")
        title = title_el.text if title_el is not None else None
        if g.get("class") == "node" and title and title.startswith("time:"):
            text = next(g.iter(f"{SVG}text"))
            stops.append((float(text.get("x") or 0), title))
    return sorted(stops)


def _next_period(period: str) -> str:
    if " Q" not in period:
        return str(int(period) + 1)
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year + quarter // 4} Q{quarter % 4 + 1}"


def _check_truthful_axis(svg: bytes) -> list[str]:
    """Check the axis of ``svg`` and return its stops' titles.

    Consecutive drawn periods must be contiguous, or joined by a break marker naming the
    periods it compresses; periods between breaks must be equally spaced.
    """
    stops = _axis_stops(svg)
    titles = [t.removeprefix("time:") for _, t in stops]
    for a, b in itertools.pairwise(titles):
        if a.startswith("gap:"):
            assert _next_period(a.split("..")[1]) == b, (a, b)
        elif b.startswith("gap:"):
            assert b.removeprefix("gap:").split("..")[0] == _next_period(a), (a, b)
        else:
            assert _next_period(a) == b, f"{a} is followed by {b} with no break marker"
    steps = {
        round(x2 - x1) for (x1, t1), (x2, t2) in itertools.pairwise(stops) if "gap:" not in t1 + t2
    }
    assert len(steps) <= 1, steps  # equal steps are equal times
    return titles


def test_time_axis_draws_every_period_or_a_break(tiny: LineageGraph) -> None:
    """Empty periods are drawn; a long empty run becomes one break marker, drawn and named."""
    sel = select_lineage(tiny, "Tuned 7B")
    titles = _check_truthful_axis(render(tiny, sel, timeline="quarter"))
    assert titles[:4] == ["2022 Q2", "2022 Q3", "2022 Q4", "2023 Q1"]  # empty quarters stay
    e = "https://example.org/gap/"
    g = Graph()
    for name, day in (("old", "2018-05-01"), ("mid", "2019-02-01"), ("new", "2024-07-01")):
        g.add((URIRef(e + name), RDF.type, LLM.Model))
        g.add((URIRef(e + name), RDFS.label, Literal(name.title())))
        g.add((URIRef(e + name), LLM.releaseDate, Literal(day, datatype=XSD.date)))
    g.add((URIRef(e + "mid"), LLM.fineTunedFrom, URIRef(e + "old")))
    g.add((URIRef(e + "new"), LLM.fineTunedFrom, URIRef(e + "mid")))
    lg = LineageGraph(g)
    svg = render(lg, select_family(lg, e + "old"), timeline="year")
    assert _check_truthful_axis(svg) == ["2018", "2019", "gap:2020..2023", "2024"]
    marker = _nodes(svg)["time:gap:2020..2023"]
    assert "≈" in marker.texts and "2020 \N{EN DASH} 2023" in marker.texts
    assert "axis break" in (marker.tooltip or "")
    quarters = _check_truthful_axis(render(lg, select_family(lg, e + "old"), timeline="quarter"))
    short, long = ["2018 Q3", "2018 Q4"], ["gap:2019 Q2..2024 Q2"]  # a run under a year is drawn
    assert quarters == ["2018 Q2", *short, "2019 Q1", *long, "2024 Q3"]


def test_gallery_time_axes_are_truthful(bundled: LineageGraph) -> None:
    """Every gallery figure with a time axis has contiguous, equally spaced periods or breaks."""
    drawn = 0
    for name, _ in _gallery(bundled):
        titles = _check_truthful_axis((GALLERY / f"{name}.svg").read_bytes())
        drawn += bool(titles)
    assert drawn == 5


def _centres(svg: bytes) -> dict[str, tuple[float, float]]:
    """Node title → the start of its first text line (x, y; y grows downwards)."""
    found = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        text = next(g.iter(f"{SVG}text"), None)
        if g.get("class") == "node" and title is not None and title.text and text is not None:
            found[title.text] = (float(text.get("x") or 0), float(text.get("y") or 0))
    return found


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in SVG user units


def _text_box(text: ET.Element) -> Box:
    """The box one SVG text element covers: Arial advance widths, ascent and descent."""
    size = float(text.get("font-size") or 14)
    narrow, wide = set("iljtfrI.,:;'!|() "), set("mwMWQGOCDHNU@%€$")
    ems = sum(
        0.28 if c in narrow else 0.83 if c in wide else 0.67 if c.isupper() else 0.56
        for c in text.text or ""
    )
    width = ems * size * (1.1 if text.get("font-weight") == "bold" else 1.0)
    x, y = float(text.get("x") or 0), float(text.get("y") or 0)
    anchor = text.get("text-anchor") or "start"
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return (left, y - 0.75 * size, left + width, y + 0.22 * size)


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _shape_boxes(group: ET.Element) -> list[tuple[str, Box]]:
    """A node's drawn shapes: ("ellipse", centre and radii) or ("box", its bounds)."""
    shapes = []
    for el in group.iter():
        if el.tag == f"{SVG}ellipse":
            cx, cy = float(el.get("cx") or 0), float(el.get("cy") or 0)
            shapes.append(("ellipse", (cx, cy, float(el.get("rx") or 0), float(el.get("ry") or 0))))
        elif el.tag in (f"{SVG}polygon", f"{SVG}path"):
            if el.get("fill") in (None, "none") and el.get("stroke") in (
                None,
                "none",
                "transparent",
            ):
                continue  # an invisible outline (plaintext nodes)
            coords = [
                float(v)
                for v in re.findall(r"-?\d+(?:\.\d+)?", el.get("points") or el.get("d") or "")
            ]
            shapes.append(
                (
                    "box",
                    _union([(x, y, x, y) for x, y in zip(coords[::2], coords[1::2], strict=True)]),
                )
            )
    return shapes


def _intersects(box: Box, shape: tuple[str, Box]) -> bool:
    x0, y0, x1, y1 = box
    kind, (a, b, c, d) = shape
    if kind == "box":
        return x0 < c and a < x1 and y0 < d and b < y1
    nearest_x, nearest_y = (
        min(max(a, x0), x1),
        min(max(b, y0), y1),
    )  # the box's point nearest the centre
    return ((nearest_x - a) / c) ** 2 + ((nearest_y - b) / d) ** 2 < 1


def _label_collisions(svg: bytes) -> tuple[int, list[str]]:
    """Count the edge labels of ``svg`` and list every label that covers a node or another label.

    Edge labels are the texts of edge groups (Graphviz's own labels, in ranked layouts) and the
    text nodes of class ``edge-label`` (force layouts); a node is whatever it draws (ellipse,
    polygon, rounded path) or, for plaintext nodes such as the time axis, its texts.
    """
    labels: list[tuple[str, Box]] = []
    nodes: list[tuple[str, list[tuple[str, Box]]]] = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        classes = (g.get("class") or "").split()
        title = g.findtext(f"{SVG}title") or ""
        texts = [_text_box(t) for t in g.iter(f"{SVG}text")]
        if "edge" in classes or "edge-label" in classes:
            if texts:
                labels.append((title, _union(texts)))
        elif "node" in classes:
            nodes.append((title, _shape_boxes(g) or [("box", b) for b in texts]))
    found = []
    for index, (name, box) in enumerate(labels):
        found += [
            f"the label of {name} covers node {node}"
            for node, shapes in nodes
            if any(_intersects(box, shape) for shape in shapes)
        ]
        found += [
            f"the label of {name} covers the label of {other}"
            for other, other_box in labels[index + 1 :]
            if _intersects(box, ("box", other_box))
        ]
    return len(labels), found


def test_collision_check_sees_a_label_on_a_node() -> None:
    """The label check itself reports a label drawn over a node and over another label."""
    svg = f"""<svg xmlns="{SVG[1:-1]}"><g class="graph">
      <g class="node"><title>a</title><ellipse cx="50" cy="-20" rx="30" ry="18"/></g>
      <g class="edge"><title>a->b</title>
        <text text-anchor="middle" x="60" y="-18" font-size="8">2024-01 $1B</text></g>
      <g class="node edge-label"><title>label:x</title>
        <text text-anchor="middle" x="65" y="-16" font-size="8">2023-05</text></g>
      <g class="edge"><title>c->d</title>
        <text text-anchor="middle" x="300" y="-18" font-size="8">far away</text></g>
    </g></svg>""".encode()
    count, found = _label_collisions(svg)
    assert count == 3
    assert found == [
        "the label of a->b covers node a",
        "the label of a->b covers the label of label:x",
        "the label of label:x covers node a",
    ]


@pytest.mark.parametrize(
    "figure",
    [
        *(f"gallery:{name}" for name in GALLERY_FIGURES),
        "backing Microsoft",
        "backing Microsoft dot",
    ],
)
def test_no_edge_label_covers_a_node_or_a_label(bundled: LineageGraph, figure: str) -> None:
    """In each gallery figure and Microsoft's transitive backing, edge labels cover nothing."""
    if figure.startswith("gallery:"):
        svg = (GALLERY / f"{figure.removeprefix('gallery:')}.svg").read_bytes()
    else:
        sel = select_backing(bundled, ["Microsoft"], transitive=True)
        svg = render(bundled, sel, layout="dot" if figure.endswith("dot") else "auto")
    count, found = _label_collisions(svg)
    assert found == []
    if figure.startswith("backing"):  # the rounds are labelled, none dropped
        assert count == 6  # eight edges; G42 → Inception and Microsoft → Databricks have no date
    elif figure == "gallery:backing-network":
        assert count >= 50


def test_children_stay_below_parents_in_clusters(bundled: LineageGraph) -> None:
    """With clusters, a child released in its parent's period is drawn below it in the cluster."""
    made = diagram(
        bundled, select_organization(bundled, "Allen Institute for AI"), clusters="family"
    )
    where = _centres(made.pipe("svg"))
    stacked = 0
    for edge in made.dot.get_edges():
        tail, head = str(edge.get_source()).strip('"'), str(edge.get_destination()).strip('"')
        parent, child = (head, tail) if edge.get("dir") == "back" else (tail, head)
        if parent.startswith("time:") or parent not in where or child not in where:
            continue
        if abs(where[parent][0] - where[child][0]) < 60:  # one column: one release period
            stacked += 1
            assert where[child][1] > where[parent][1], (parent, child)
    assert stacked >= 8
    # the same flat edges once made Graphviz fail an assertion (class2.c merge_chain)
    assert render(bundled, select_family(bundled, "LLaMA"), clusters="family").startswith(b"<?xml")


def test_rankdir_and_title(tiny: LineageGraph) -> None:
    """Rankdir reaches Graphviz and the title heads the legend."""
    sel = select_lineage(tiny, "Merge 7B")
    assert to_dot(tiny, sel, rankdir="TB").get("rankdir") == "TB"
    assert _legend(render(tiny, sel, title="Merges"))[0] == "Merges"


# ---------------------------------------------------------------------- links and tooltips


def test_tooltips_say_how_exact_the_release_date_is(bundled: LineageGraph) -> None:
    """Month-only and public-by dates are told apart from exact days in the tooltip."""

    def released(name: str) -> str:
        nodes = _nodes(render(bundled, select_lineage(bundled, name, depth=1)))
        tip = (nodes[str(bundled.resolve(name))].tooltip or "").split("\n")
        return next(line for line in tip if line.startswith("released: "))

    assert released("OpenHermes 2.5 Mistral 7B") == (
        "released: public by 2023-11-02 (first dated mention)"
    )
    assert released("Zephyr 7B Alpha") == "released: 2023-10 (day not published)"
    assert released("Mistral 7B v0.1") == "released: 2023-09-27"


def test_nodes_link_to_hugging_face_or_source_with_tooltips(tiny: LineageGraph) -> None:
    """Each model links to its Hub page (or its source) and says date, size and licence."""
    nodes = _nodes(render(tiny, select_lineage(tiny, "Tuned 7B")))
    base = nodes[T + "base"]
    assert base.href == "https://huggingface.co/acme/base-7b"
    tip = (base.tooltip or "").split("\n")
    assert tip[0] == "Base 7B"
    assert {
        "developer: Acme AI",
        "released: 2023-01-10",
        "parameters: 7B (7,000,000,000)",
        "licence: Tiny License",
    } <= set(tip)
    teacher = nodes[T + "teacher"]
    assert teacher.href == "https://example.org/teacher"
    assert "parameters: unknown" in (teacher.tooltip or "")
    for node in nodes.values():
        if node.title.startswith("http"):
            assert node.href and node.tooltip, node.title


# ---------------------------------------------------------------------- scale


def test_collapse_quantized_and_adapter_leaves(tiny: LineageGraph) -> None:
    """Quantized and adapter leaves of one parent become counted nodes from `collapse` on."""
    sel = select_lineage(tiny, "Tuned 7B")
    made = diagram(tiny, sel, collapse=1)
    assert made.placeholders == {
        f"group:quantizedFrom:{T}tuned": frozenset([T + "tuned-gguf"]),
        f"group:adapterOf:{T}tuned": frozenset([T + "tuned-lora"]),
    }
    nodes = _nodes(made.pipe("svg"))
    assert nodes[f"group:quantizedFrom:{T}tuned"].texts == ("+1 quantized build", "by Tiny Lab")
    assert nodes[f"group:adapterOf:{T}tuned"].texts == ("+1 adapter", "by Tiny Lab")
    assert diagram(tiny, sel, collapse=0).placeholders == {}
    assert diagram(tiny, sel).placeholders == {}  # default: from three on


def test_bundled_llama_3_2_quantized_builds_collapse(bundled: LineageGraph) -> None:
    """With collapse=2, Meta's two quantized builds of Llama 3.2 1B Instruct are one node."""
    made = diagram(bundled, select_family(bundled, "Llama 3.2"), collapse=2)
    key = f"group:quantizedFrom:{ID}llama-3-2-1b-instruct"
    assert {bundled.label(m) for m in made.placeholders[key]} == {
        "Llama 3.2 1B Instruct SpinQuant INT4 EO8",
        "Llama 3.2 1B Instruct QLoRA INT4 EO8",
    }
    node = _nodes(made.pipe("svg"))[key]
    assert node.texts == ("+2 quantized builds", "by Meta")
    assert node.href == (
        "https://huggingface.co/models?other=base_model:quantized:meta-llama/Llama-3.2-1B-Instruct"
    )
    assert key not in diagram(bundled, select_family(bundled, "Llama 3.2")).placeholders


def test_breadth_cap_hides_behind_a_counted_node(tiny: LineageGraph) -> None:
    """With max_children=1 the other children (and what hangs on them) sit behind "… +N"."""
    sel = select_lineage(tiny, "Base 7B")
    made = diagram(tiny, sel, max_children=1)
    assert made.drawn == {T + "base", T + "tuned", T + "tuned-gguf"}
    assert made.placeholders[f"more:{T}base"] == {T + "base-chat", T + "base-2", T + "long"}
    assert made.placeholders[f"more:{T}tuned"] == {T + "tuned-lora", T + "merge"}
    nodes = _nodes(made.pipe("svg"))
    assert nodes[f"more:{T}base"].texts == ("… +3 more",)
    assert "Base 2 7B Long" in (nodes[f"more:{T}base"].tooltip or "")


def _hub(quantized: int = 1500) -> LineageGraph:
    """A synthetic family of thousands: a base with 20 fine-tunes and 1500 quantized builds."""
    hub = Namespace("https://example.org/hub/")
    g = Graph()

    def model(name: str, label: str, dev: str, day: dt.date | None = None) -> URIRef:
        iri = hub[name]
        g.add((iri, RDF.type, LLM.Model))
        g.add((iri, RDFS.label, Literal(label)))
        g.add((iri, LLM.developedBy, hub[dev]))
        if day is not None:
            g.add((iri, LLM.releaseDate, Literal(day.isoformat(), datatype=XSD.date)))
        return iri

    for org in ("lab", "quant", "a", "b"):
        g.add((hub[org], RDF.type, LLM.Organization))
        g.add((hub[org], RDFS.label, Literal(org.title())))
    base = model("base", "Hub Base", "lab", dt.date(2024, 1, 1))
    g.add((base, LLM.huggingFaceId, Literal("hub/base")))
    tunes = [
        model(f"ft{i}", f"Tune {i:02}", "ab"[i % 2], dt.date(2024, 2, i + 1)) for i in range(20)
    ]
    for tune in tunes:
        g.add((tune, LLM.fineTunedFrom, base))
    for i in range(quantized):
        g.add((model(f"q{i}", f"Base Q{i}", "quant"), LLM.quantizedFrom, base))
    for i in range(40):
        g.add((model(f"lora{i}", f"Tune 00 LoRA {i}", "a"), LLM.adapterOf, tunes[0]))
    for i in range(5):
        kid = model(f"kid{i}", f"Tune 01 Kid {i}", "b", dt.date(2024, 3, i + 1))
        g.add((kid, LLM.fineTunedFrom, tunes[1]))
        for j in range(3):
            g.add((model(f"kid{i}q{j}", f"Kid {i} Q{j}", "quant"), LLM.quantizedFrom, kid))
    return LineageGraph(g)


@pytest.fixture(scope="module")
def hub() -> LineageGraph:
    """The synthetic 1,581-model family, built once for this module."""
    return _hub()


def test_thousands_of_members_stay_readable(hub: LineageGraph) -> None:
    """A 1,581-model family draws 18 models and 8 counted nodes, and loses none of them."""
    sel = select_family(hub, "Hub Base")
    assert len(sel.nodes) == 1 + 20 + 1500 + 40 + 5 + 15
    made = diagram(hub, sel)
    base = "https://example.org/hub/base"
    assert len(made.drawn) == 1 + 12 + 5
    assert len(made.placeholders[f"group:quantizedFrom:{base}"]) == 1500
    assert len(made.placeholders["group:adapterOf:https://example.org/hub/ft0"]) == 40
    assert {hub.label(m) for m in made.placeholders[f"more:{base}"]} == {
        f"Tune {i:02}" for i in range(12, 20)
    }  # the two with descendants are kept first, then the earliest
    everything = set(made.drawn).union(*made.placeholders.values())
    assert everything == sel.nodes  # never silently dropped
    svg = made.pipe("svg")
    texts = {t for node in _nodes(svg).values() for t in node.texts}
    assert {"+1500 quantized builds", "+40 adapters", "… +8 more", "+3 quantized builds"} <= texts
    assert len(_nodes(svg)) < 40


def test_hiding_a_parent_hides_its_groups_into_the_dots(hub: LineageGraph) -> None:
    """When a capped child had its own subtree and groups, the "…" node counts all of them."""
    made = diagram(hub, select_family(hub, "Hub Base"), max_children=1)
    hidden = made.placeholders["more:https://example.org/hub/base"]
    assert len(hidden) == 19 + 5 + 15
    assert not any(
        k.startswith("group:quantizedFrom:https://example.org/hub/kid") for k in made.placeholders
    )


def test_dots_hang_on_drawn_models_only() -> None:
    """A child cut from a parent that is itself hidden is counted at the nearest drawn one."""
    e = "https://example.org/cut/"
    g = Graph()
    edges = [("p-big", "q"), ("p-bigger", "q"), ("a1", "p-big"), ("a2", "p-big")]
    edges += [(f"z{n}", "p-bigger") for n in range(3)]
    for child, parent in edges:
        g.add((URIRef(e + child), LLM.fineTunedFrom, URIRef(e + parent)))
        g.add((URIRef(e + child), RDF.type, LLM.Model))
    g.add((URIRef(e + "q"), RDF.type, LLM.Model))
    lg = LineageGraph(g)
    made = diagram(lg, select_family(lg, e + "q"), max_children=1, timeline="none")
    assert made.drawn == {e + "q", e + "p-bigger", e + "z0"}
    assert made.placeholders == {
        f"more:{e}q": frozenset([e + "p-big", e + "a1", e + "a2"]),
        f"more:{e}p-bigger": frozenset([e + "z1", e + "z2"]),
    }


@settings(max_examples=80, deadline=None)
@given(lineage_graphs(max_models=14), st.integers(0, 3), st.one_of(st.none(), st.integers(1, 3)))
def test_nothing_is_ever_silently_dropped(
    triples: list[tuple[URIRef, URIRef, URIRef]], collapse: int, cap: int | None
) -> None:
    """For any lineage and any caps, drawn entities plus placeholder members are the selection."""
    g = Graph()
    for triple in triples:
        g.add(triple)
    lg = LineageGraph(g)
    sel = select_family(lg, str(triples[0][0]))
    made = diagram(lg, sel, collapse=collapse, max_children=cap)
    assert set(made.drawn).union(*made.placeholders.values()) == sel.nodes
    for placeholder, members in made.placeholders.items():
        assert members and not (members & made.drawn), placeholder
        anchor = placeholder.split(":", 2 if placeholder.startswith("group:") else 1)[-1]
        assert anchor in made.drawn, placeholder  # hangs on something drawn
    assert made.source == diagram(lg, sel, collapse=collapse, max_children=cap).source


# ---------------------------------------------------------------------- determinism and formats


def test_dot_is_deterministic(tiny: LineageGraph) -> None:
    """The same graph and options give byte-identical DOT, whatever the build order."""
    first = to_dot(tiny, select_lineage(tiny, "Base 7B")).to_string()
    again = LineageGraph.load(TINY, bundled=False)
    assert to_dot(again, select_lineage(again, "Base 7B")).to_string() == first


def test_png_pdf_and_dot_are_real(tiny: LineageGraph, tmp_path: Path) -> None:
    """PNG and PDF come out of Graphviz with their magic numbers; DOT is the text itself."""
    sel = select_lineage(tiny, "Merge 7B")
    render(tiny, sel, fmt="png", out=tmp_path / "a.png")
    render(tiny, sel, fmt="pdf", out=tmp_path / "a.pdf")
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert render(tiny, sel, fmt="dot") == to_dot(tiny, sel).to_string().encode()


def _svg_scale_and_smallest_text(svg: bytes) -> tuple[float, float, float]:
    """Width in points, the scale Graphviz applied, and the smallest font size before scaling."""
    root = ET.fromstring(svg)
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    transform = graph.get("transform") or ""
    scale = float(transform.split("scale(")[1].split()[0]) if "scale(" in transform else 1.0
    fonts = [float(t.get("font-size") or 14) for t in root.iter(f"{SVG}text")]
    return float((root.get("width") or "0").removesuffix("pt")), scale, min(fonts)


def test_width_scales_the_figure_and_keeps_text_readable(bundled: LineageGraph) -> None:
    """A --width 3.5in render is 3.5 in wide and its smallest text is at least 6 pt."""
    sel = select_lineage(bundled, "Vicuna 13B v1.5", down=False)
    svg = render(bundled, sel, rankdir="TB", width="3.5in")
    width, scale, smallest = _svg_scale_and_smallest_text(svg)
    assert width == pytest.approx(252, abs=1)
    assert scale * smallest >= 6
    wide = render(bundled, sel, width="17.8cm", height="20cm")  # a full page
    width, scale, smallest = _svg_scale_and_smallest_text(wide)
    assert width == pytest.approx(17.8 / 2.54 * 72, abs=1) and scale * smallest >= 6
    message = r"does not fit 3.5in \(8.89cm\) wide .*\(under 6 pt\); it needs .* --rankdir TB"
    with pytest.raises(RenderError, match=message):
        render(bundled, select_family(bundled, "Llama 2"), width="3.5in")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"width": "wide"}, r"width must be a length such as 3.5in, 8.9cm, 89mm or 252pt"),
        ({"height": "-2cm"}, r"height must be a length .* got '-2cm'"),
        ({"width": 0}, r"width must be a length"),
        ({"dpi": 5}, r"dpi must be between 10 and 2400, got 5"),
        ({"font": ""}, r"font must be a font name"),
        ({"legend_columns": 0}, r"legend_columns must be 1 or more"),
        ({"label_width": 4}, r"label_width must be 8 characters or more, got 4"),
    ],
)
def test_bad_size_options_are_named(
    tiny: LineageGraph, options: dict[str, object], message: str
) -> None:
    """Sizes, resolutions and fonts out of range are refused, naming the option and value."""
    with pytest.raises(UsageError, match=message):
        diagram(tiny, select_lineage(tiny, "Merge 7B"), **options)  # type: ignore[arg-type]


def test_the_drawing_options_are_declared_once() -> None:
    """DrawOptions and to_dot's keywords name the options of one declaration, same defaults."""
    import dataclasses
    import inspect

    from llmgraph.render import DrawOptions
    from llmgraph.render.options import Options

    fields = {f.name: f.default for f in dataclasses.fields(Options)}
    assert set(DrawOptions.__annotations__) == set(fields)
    keywords = {
        name: p.default
        for name, p in inspect.signature(to_dot).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keywords == {k: v for k, v in fields.items() if k in keywords}  # same defaults
    assert set(fields) - set(keywords) == {
        "legend_columns",
        "label_width",
        "width",
        "height",
        "dpi",
    }


def test_dpi_and_font_reach_graphviz(tiny: LineageGraph) -> None:
    """The dpi option sets the PNG's pixel size; the font option every text's family."""
    sel = select_lineage(tiny, "Merge 7B")

    def png_width(data: bytes) -> int:
        return int.from_bytes(data[16:20], "big")

    low = png_width(render(tiny, sel, fmt="png"))
    high = png_width(render(tiny, sel, fmt="png", dpi=288))
    assert high == pytest.approx(3 * low, rel=0.02)
    svg = render(tiny, sel, font="DejaVu Serif")
    families = {t.get("font-family") for t in ET.fromstring(svg).iter(f"{SVG}text")}
    assert families == {"DejaVu Serif"}


def test_diagram_for_jupyter_and_save(tiny: LineageGraph, tmp_path: Path) -> None:
    """A Diagram shows inline as SVG and saves in the format its file suffix names."""
    made = diagram(tiny, select_lineage(tiny, "Merge 7B"))
    assert made._repr_svg_().startswith("<?xml") and "Merge 7B" in made._repr_svg_()
    assert made.save(tmp_path / "m.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "m.dot").exists() is False
    made.save(tmp_path / "m.dot")
    assert (tmp_path / "m.dot").read_text() == made.source
    with pytest.raises(UsageError, match=r"cannot tell the image format from .*m\.gif"):
        made.save(tmp_path / "m.gif")
    assert "entities drawn" in repr(made)


# ---------------------------------------------------------------------- errors


def test_empty_selection_is_an_error(tiny: LineageGraph, tmp_path: Path) -> None:
    """An empty selection raises instead of writing an empty file."""
    with pytest.raises(RenderError, match="nothing to draw"):
        render(tiny, Selection(), out=tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"collapse": -1}, "collapse must be 0"),
        ({"max_children": 0}, "max_children must be 1 or more"),
        ({"rankdir": "XY"}, "rankdir must be one of LR, TB, RL, BT; got 'XY'"),
        ({"timeline": "month"}, "timeline must be one of"),
        ({"clusters": "country"}, "clusters must be one of"),
    ],
)
def test_bad_options_are_named(
    tiny: LineageGraph, options: dict[str, object], message: str
) -> None:
    """Out-of-range drawing options raise UsageError naming the option and the value."""
    with pytest.raises(UsageError, match=message):
        diagram(tiny, select_lineage(tiny, "Merge 7B"), **options)  # type: ignore[arg-type]


def test_missing_graphviz_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without Graphviz on PATH, the error names the program and how to install it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"Graphviz program 'dot' not found.*apt-get install"):
        run_graphviz("digraph { a }", "svg")


def test_graphviz_failure_carries_stderr() -> None:
    """When dot fails, its exit code, stderr and the install hint are in the error."""
    with pytest.raises(RenderError, match=r"dot -Tsvg failed \(exit 1\): .*syntax error") as info:
        run_graphviz("digraph { a -> }", "svg")
    assert "apt-get install graphviz" in str(info.value)


# ---------------------------------------------------------------------- the gallery


def _gallery_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gallery", REPO / "examples" / "gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gallery(bundled: LineageGraph) -> Iterator[tuple[str, Diagram]]:
    built: dict[str, Diagram] = _gallery_module().build(bundled)
    yield from sorted(built.items())


def test_gallery_is_up_to_date(bundled: LineageGraph) -> None:
    """The committed gallery equals what the current code draws from the current data."""
    names = []
    for name, made in _gallery(bundled):
        names.append(name)
        committed = (GALLERY / f"{name}.dot").read_text(encoding="utf-8")
        assert made.source == committed, f"{name}.dot is stale: run python examples/gallery.py"
        svg = (GALLERY / f"{name}.svg").read_bytes()
        assert set(_nodes(svg)) == set(_nodes(made.pipe("svg"))), f"{name}.svg is stale"
    assert names == [
        "backing-network",
        "falcon-column",
        "falcon-page",
        "llama-family",
        "mistral-family",
        "teachers",
    ]
    readme = (GALLERY / "README.md").read_text(encoding="utf-8")
    assert "python examples/gallery.py" in readme
    assert all(f"({name}.svg)" in readme for name in names)
    shown = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("llama-family", "mistral-family", "backing-network"):
        assert f"(examples/gallery/{name}.svg)" in shown


def test_gallery_diagrams_are_legible(bundled: LineageGraph) -> None:
    """Gallery diagrams: a heading with a legend, links on every entity, distinct colours."""
    for name, made in _gallery(bundled):
        svg = (GALLERY / f"{name}.svg").read_bytes()
        legend = _legend(svg)
        assert legend[0].startswith(("The ", "Who ")) and "Relation" in legend, name
        for node in _nodes(svg).values():
            if node.title.startswith("https://w3id.org/"):
                assert node.href and node.tooltip, (name, node.title)
        fills = _developer_fills(bundled, made)
        for a, b in itertools.combinations(sorted(fills), 2):
            assert _delta_e(fills[a], fills[b]) >= 7, (name, a, b)
        swatches = _swatches(svg)  # the legend shows each developer in its nodes' fill
        for dev, fill in fills.items():
            assert swatches[bundled.label(dev)] == fill, (name, dev)


# ------------------------------------------------------------- gallery as images (Chromium)

CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PX_PER_PT = 96 / 72  # a browser draws an SVG's pt at 96 dpi


def _chromium() -> str:
    """The headless browser's path, or a failure that says how to install it."""
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "checking the gallery as images needs headless Chromium, and none of "
        f"{', '.join(CHROMIUM)} is on PATH: run `make chromium` (apt-get install chromium)"
    )


def _screenshot(svg: Path, tmp_path: Path, size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """Open ``svg`` in headless Chromium (offline) and return its screenshot as RGBA pixels.

    The page background is transparent, so the screenshot shows exactly what the SVG covers.
    Chromium runs with a dead loopback proxy and no background services (nothing leaves the
    machine), in its own profile directory, and is killed with its children after 120 s.
    """
    out = tmp_path / f"{svg.stem}.png"
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--default-background-color=00000000",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={out}",
        svg.resolve().as_uri(),
    ]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"headless Chromium did not screenshot {svg.name} within 120 s")
    tail = stderr.decode("utf-8", "replace")[-600:]
    assert proc.returncode == 0 and out.is_file(), f"Chromium failed on {svg.name}: {tail}"
    return _read_png(out.read_bytes())


def _read_png(data: bytes) -> npt.NDArray[np.uint8]:
    """Decode an 8-bit, non-interlaced PNG (what Chromium writes) into an (h, w, channels) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0, (depth, interlace)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    stride = width * channels
    rows = np.frombuffer(zlib.decompress(b"".join(chunks)), np.uint8).reshape(height, stride + 1)
    pixels = np.zeros((height, stride), np.uint8)
    previous = np.zeros(stride, np.uint8)
    for y in range(height):
        method, line = int(rows[y, 0]), rows[y, 1:]
        if method == 0:
            current = line.copy()
        elif method == 1:  # Sub: a running sum along each channel
            summed = np.cumsum(line.reshape(width, channels).astype(np.int64), axis=0) % 256
            current = summed.astype(np.uint8).reshape(stride)
        elif method == 2:
            current = line + previous
        else:  # Average and Paeth depend on the byte just decoded: one byte at a time
            out, up = bytearray(line.tobytes()), previous.tobytes()
            for i in range(stride):
                left = out[i - channels] if i >= channels else 0
                if method == 3:
                    out[i] = (out[i] + ((left + up[i]) >> 1)) & 255
                    continue
                corner = up[i - channels] if i >= channels else 0
                pa, pb = abs(up[i] - corner), abs(left - corner)
                pc = abs(left + up[i] - 2 * corner)
                guess = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
                out[i] = (out[i] + guess) & 255
            current = np.frombuffer(bytes(out), np.uint8)
        pixels[y] = current
        previous = current
    return pixels.reshape(height, width, channels)


def _declared_px(svg: bytes) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return tuple(  # type: ignore[return-value]
        float((root.get(side) or "0").removesuffix("pt")) * PX_PER_PT
        for side in ("width", "height")
    )


def _title_box_px(svg: bytes, title: str) -> tuple[int, int, int, int]:
    """Where the title is drawn, in screenshot pixels: (left, top, right, bottom)."""
    root = ET.fromstring(svg)
    graph = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "graph")
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", graph.get("transform") or "")]
    scale, tx, ty = numbers[0], numbers[3], numbers[4]  # scale(s s) rotate(0) translate(x y)
    text = next(t for t in graph.iter(f"{SVG}text") if t.text == title)
    x0, y0, x1, y1 = _text_box(text)
    return (
        round((x0 + tx) * scale * PX_PER_PT),
        round((y0 + ty) * scale * PX_PER_PT),
        round((x1 + tx) * scale * PX_PER_PT),
        round((y1 + ty) * scale * PX_PER_PT),
    )


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("falcon-column", "The Falcon family (column)"),
        ("falcon-page", "The Falcon family (full page)"),
    ],
)
def test_print_sized_gallery_figures_render_as_images(
    tmp_path: Path, name: str, title: str
) -> None:
    """Chromium draws the column and page figures at their declared size, inked, title legible."""
    path = GALLERY / f"{name}.svg"
    svg = path.read_bytes()
    width, height = _declared_px(svg)
    window = (math.ceil(width) + 40, math.ceil(height) + 40)  # a transparent margin around it
    pixels = _screenshot(path, tmp_path, window)
    assert pixels.shape == (window[1], window[0], 4)
    ys, xs = np.nonzero(pixels[:, :, 3])  # what the SVG covers (its white background included)
    assert xs.min() == 0 and ys.min() == 0
    assert xs.max() + 1 == pytest.approx(width, abs=2)
    assert ys.max() + 1 == pytest.approx(height, abs=2)
    figure = pixels[: round(height), : round(width), :3].astype(np.int64)
    inked = (figure.min(axis=2) < 200).mean()  # lines, text and fills
    coloured = ((figure.max(axis=2) - figure.min(axis=2)) > 40).mean()  # developer fills
    assert inked > 0.05, f"{name}: only {inked:.1%} of the figure is drawn"
    assert coloured > 0.02, f"{name}: only {coloured:.1%} of the figure is coloured"
    left, top, right, bottom = _title_box_px(svg, title)
    region = figure[top:bottom, left:right]
    dark = region.max(axis=2) < 110  # black title text, anti-aliased edges left out
    assert dark.mean() > 0.08, f"{name}: the title region is blank ({dark.mean():.1%} ink)"
    rows = np.nonzero(dark.any(axis=1))[0]
    ink_pt = (rows.max() - rows.min() + 1) / PX_PER_PT
    assert ink_pt >= 6, f"{name}: the title's letters are {ink_pt:.1f} pt tall"
