"""Stage 3, DOT: the plan as a :class:`pydot.Dot`, pure and deterministic."""

from __future__ import annotations

import html
import itertools
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal, cast

import pydot

from llmgraph.errors import RenderError, UsageError
from llmgraph.lineage import (
    BACKING_RELATIONS,
)
from llmgraph.render.options import (
    Clusters,
    Layout,
    Options,
    RankDir,
    Timeline,
)
from llmgraph.render.plan import (
    Facts,
    Plan,
    Round,
    axis_stops,
    facts_of,
    make_plan,
    money,
    period_of,
    periods_between,
    released_text,
    rounds_of,
    size_text,
)
from llmgraph.render.selection import (
    Selection,
    names_text,
)
from llmgraph.render.styles import (
    COLLAPSIBLE,
    DEFAULT_FONT,
    DRAWN_REVERSED,
    EDGE_STYLES,
    KIND_TEXT,
    NEUTRAL,
    NO_DEVELOPER,
    PLATFORM,
    RELATION_STYLES,
    RELATION_TEXT,
    SHAPES,
    WEIGHTS,
    RelationStyle,
    assign_colours,
    darken,
    organization_colour,
    tint,
)
from llmgraph.vocab import RELATION_PHRASES

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph


_TOOLTIP_NAMES = 40


def _label_size(facts: Facts, across: bool, width: int) -> float:
    """Estimate a node's width (``across``) or height in points, as Graphviz will draw it."""
    lines = _wrap(facts.label, width)
    if across:
        detail = _text_width("2024-01 · 13.0B", 9)
        return max([_text_width(x, 11) for x in lines] + [detail]) + 2 * 7.2 + 4
    return (len(lines) + 1) * 13.2 + 2 * 2.9 + 4


def to_dot(
    lg: LineageGraph,
    selection: Selection,
    *,
    rankdir: RankDir = "LR",
    title: str | None = None,
    legend: bool = True,
    timeline: Timeline = "auto",
    clusters: Clusters = "none",
    collapse: int = 3,
    max_children: int | None = 12,
    edge_labels: bool = True,
    layout: Layout = "auto",
    font: str = DEFAULT_FONT,
) -> pydot.Dot:
    """Build the DOT graph for ``selection``; pure and deterministic.

    Args:
        lg: the graph.
        selection: what to draw (see the ``select_*`` functions).
        rankdir: direction of the time axis: ``LR`` (left to right), ``TB``, ``RL``, ``BT``.
        title: a title over the diagram.
        legend: draw the legend (developers, kinds and relations that appear).
        timeline: one rank per release ``year`` or ``quarter`` with the periods drawn as an
            axis, ``none``, or ``auto`` (quarters for spans up to four years, years beyond,
            none when fewer than two models have a release date).
        clusters: box the models of each ``developer`` or model ``family`` (two or more drawn).
        collapse: collapse a parent's quantized or adapter leaves into one counted node when
            there are at least this many (0: never).
        max_children: draw at most this many children of one parent, the rest behind a
            "… +N more" node (``None``: no cap).
        edge_labels: label backing edges with the dates and amounts of their rounds.
        layout: the Graphviz engine (see :data:`Layout`); ``rankdir`` and ``timeline`` apply
            to ``dot`` only.
        font: the font family of every text (a Graphviz/fontconfig name, such as
            ``"Times New Roman"`` to match a paper's body text).

    Returns:
        A :class:`pydot.Dot`; ``to_string()`` gives the DOT text.

    Raises:
        RenderError: the selection is empty.
        UsageError: an option is out of range.

    >>> from llmgraph import LineageGraph, select_family, select_lineage
    >>> lg = LineageGraph.load()
    >>> dot = to_dot(lg, select_lineage(lg, "Alpaca 7B", down=False))
    >>> dot.to_string() == to_dot(lg, select_lineage(lg, "Alpaca 7B", down=False)).to_string()
    True
    """
    options = Options(
        rankdir,
        title,
        legend,
        timeline,
        clusters,
        collapse,
        max_children,
        edge_labels,
        layout,
        font,
    )
    return Builder(lg, selection, options).build()[0]


class Builder:
    """Turns one selection and its options into DOT: plan, facts, colours, then each part."""

    def __init__(self, lg: LineageGraph, selection: Selection, options: Options):
        options.check()
        if not selection.nodes:
            what = f" ({selection.description})" if selection.description else ""
            raise RenderError(f"nothing to draw: the selection is empty{what}")
        missing = sorted(n for n in selection.nodes if n not in lg.nx)
        if missing:
            raise UsageError(f"the selection names entities not in the graph: {missing[:5]}")
        self.lg = lg
        self.sel = selection
        self.opt = options
        self.plan = make_plan(selection, lg, options.collapse, options.max_children)
        self.facts = {n: facts_of(lg, n) for n in sorted(self.plan.visible)}
        self.member_facts = {
            m: facts_of(lg, m)
            for ph in self.plan.placeholders
            for m in sorted(ph.members)
            if m in lg.nx
        }
        self.layout = options.layout
        if self.layout == "auto":
            kinds = {f.kind for f in self.facts.values()}
            self.layout = (
                "neato" if kinds == {"organization"} and not self.plan.placeholders else "dot"
            )
        coloured, weights = self._coloured()
        self.colours = assign_colours(coloured, weights=weights)
        self.used_relations: set[str] = set()
        self.used_developers: set[str] = set()
        self.used_kinds: set[str] = set()
        self.used_neutral = False
        self.ranks: dict[str, list[str]] = {}
        self.texts: dict[str, str] = {}  # placeholder id → what it says
        self.boxes: dict[str, str] = {}  # node → the cluster it is boxed in

    def _coloured(self) -> tuple[list[str], dict[str, int]]:
        """Return the organizations this figure fills with their colour, and how many nodes each."""
        weights: dict[str, int] = defaultdict(int)
        for node, facts in self.facts.items():
            if facts.kind == "organization":
                if self._develops(node):
                    weights[node] += 1
            elif facts.kind in ("model", None) and facts.developer is not None:
                weights[facts.developer] += 1
        for ph in self.plan.placeholders:
            if ph.kind == "group":
                devs = {
                    self.member_facts[m].developer for m in ph.members if m in self.member_facts
                }
                devs.discard(None)
                if len(devs) == 1:
                    weights[cast(str, next(iter(devs)))] += len(ph.members)
        if self.opt.clusters == "family":
            for facts in self.facts.values():
                owner = self._family_developer(facts.families[0]) if facts.families else None
                if owner is not None and facts.kind == "model":
                    weights.setdefault(owner, 0)
        return sorted(weights), dict(weights)

    def _org_colour(self, org: str) -> str:
        return self.colours.get(org) or organization_colour(org)

    def _develops(self, org: str) -> bool:
        return any(
            k == "developedBy" and self.lg.nx.nodes[u].get("kind") == "model"
            for u, _, k in self.lg.nx.in_edges(org, keys=True)
        )

    # -- entry point

    def build(self) -> tuple[pydot.Dot, Plan]:
        """Return the DOT graph and the plan it draws."""
        dot = pydot.Dot("lineage", graph_type="digraph", strict=False)
        opt = self.opt
        settings: list[tuple[str, str]] = [
            ("fontname", dot_quote(opt.font)),
            ("bgcolor", dot_quote("white")),
            ("pad", dot_quote("0.3")),
            ("outputorder", "edgesfirst"),
        ]
        if self.layout == "neato":
            # a hub-and-spoke network: force-directed, labels beside their edges
            settings += [
                ("layout", "neato"),
                ("overlap", "false"),
                ("splines", "true"),
                ("sep", dot_quote("+10")),
            ]
        else:
            settings += [
                ("rankdir", opt.rankdir),
                ("newrank", "true"),
                ("nodesep", dot_quote("0.18")),
                ("ranksep", dot_quote("0.5" if opt.rankdir in ("LR", "RL") else "0.4")),
            ]
        for key, value in settings:
            dot.set(key, value)
        dot.set_node_defaults(
            fontname=dot_quote(opt.font),
            fontsize="11",
            style=dot_quote("filled,rounded"),
            margin=dot_quote("0.1,0.04"),
        )
        dot.set_edge_defaults(fontname=dot_quote(opt.font), fontsize="8", arrowsize="0.7")
        if self.layout == "dot":
            self._add_timeline(dot)
        self._add_nodes(dot)
        self._add_placeholders(dot)
        self._add_edges(dot)
        self._add_heading(dot)
        return dot, self.plan

    # -- time axis

    def _unit(self) -> Literal["year", "quarter"] | None:
        if self.opt.timeline == "none":
            return None
        days = sorted(
            f.released for f in self.facts.values() if f.released is not None and f.kind == "model"
        )
        if self.opt.timeline == "year":
            return "year" if days else None
        if self.opt.timeline == "quarter":
            return "quarter" if days else None
        if len(days) < 2:
            return None
        return "quarter" if days[-1].year - days[0].year <= 4 else "year"

    def _add_timeline(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        """Draw the time axis: one rank per period, each as wide as the widest node.

        Every period from the first release drawn to the last gets a rank, empty or not, so
        that equal steps are equal times. A run of at least :data:`GAP_PERIODS` empty periods
        is compressed into one break marker ("≈ 2020 to 2021"), drawn and named, never silent.
        """
        unit = self._unit()
        if unit is None:
            return
        for node, facts in sorted(self.facts.items()):
            if facts.kind == "model" and facts.released is not None:
                self.ranks.setdefault(period_of(facts.released, unit), []).append(node)
        days = [f.released for f in self.facts.values() if f.kind == "model" and f.released]
        steps = axis_stops(periods_between(min(days), max(days), unit), set(self.ranks), unit)
        across = self.opt.rankdir in ("LR", "RL")
        size = max(
            (_label_size(f, across, self.opt.label_width) for f in self.facts.values()), default=0.0
        )
        stops: list[str] = []
        for step in steps:
            if isinstance(step, str):
                name = f"time:{step}"
                attrs = {
                    "label": dot_quote(step),
                    "shape": "plaintext",
                    "style": dot_quote(""),
                    "fontsize": "13",
                    "fontcolor": dot_quote("#555555"),
                    "tooltip": dot_quote(f"released in {step}"),
                }
                if size:  # every period column (row) equally wide: equal steps, equal times
                    attrs["width" if across else "height"] = dot_quote(f"{size / 72:.2f}")
                    attrs["fixedsize"] = "false"
            else:
                first, last = step
                span = first if first == last else f"{first} \N{EN DASH} {last}"
                name = f"time:gap:{first}..{last}"
                attrs = {
                    "label": f'<<FONT POINT-SIZE="18">≈</FONT><BR/>{_h(span)}<BR/>'
                    '<FONT POINT-SIZE="9">(axis broken: no model drawn)</FONT>>',
                    "shape": "plaintext",
                    "style": dot_quote(""),
                    "fontsize": "11",
                    "fontcolor": dot_quote("#777777"),
                    "tooltip": dot_quote(
                        f"axis break: no model of this figure was released in {span}; "
                        "these periods are compressed into this marker"
                    ),
                }
            canvas.add_node(_node(name, attrs))
            stops.append(name)
        for a, b in itertools.pairwise(stops):
            broken = ":gap:" in a or ":gap:" in b
            attrs = {"color": dot_quote("#b0b0b0"), "penwidth": "2", "arrowhead": "vee"}
            if broken:
                attrs = {"color": dot_quote("#b0b0b0"), "penwidth": "2", "style": "dashed"}
                attrs["arrowhead"] = "vee" if ":gap:" in a else "none"
            canvas.add_edge(_edge(a, b, attrs))
        for index, name in enumerate(stops):
            rank = pydot.Subgraph(f"rank_{index}")
            rank.set("rank", "same")
            rank.add_node(pydot.Node(dot_quote(name)))
            for node in self.ranks.get(name.removeprefix("time:"), []):
                rank.add_node(pydot.Node(dot_quote(node)))
            canvas.add_subgraph(rank)

    # -- nodes

    def _cluster_key(self, node: str) -> str | None:
        facts = self.facts[node]
        if facts.kind != "model":
            return None
        if self.opt.clusters == "developer":
            return facts.developer
        if self.opt.clusters == "family":
            return facts.families[0] if facts.families else None
        return None

    def _add_nodes(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        members: dict[str, list[str]] = defaultdict(list)
        for node in sorted(self.facts):
            key = self._cluster_key(node)
            if key is not None:
                members[key].append(node)
        boxes = {key: nodes for key, nodes in members.items() if len(nodes) >= 2}
        for index, key in enumerate(sorted(boxes, key=lambda k: (self.lg.label(k).casefold(), k))):
            cluster = pydot.Subgraph(f"cluster_{index}")
            if self.opt.clusters == "developer":
                colour = self._org_colour(key)
            else:
                owner = self._family_developer(key)
                colour = self._org_colour(owner) if owner else NEUTRAL
            for attr, value in (
                ("label", dot_quote(self.lg.label(key))),
                ("style", dot_quote("rounded,filled")),
                ("color", dot_quote(darken(colour, 0.8))),
                ("fillcolor", dot_quote(tint(colour, 0.82))),
                ("fontsize", "12"),
                ("fontcolor", dot_quote("#333333")),
                ("labeljust", "l"),
                ("penwidth", "1.2"),
            ):
                cluster.set(attr, value)
            for node in boxes[key]:
                cluster.add_node(self._node(node))
            canvas.add_subgraph(cluster)
        boxed = {n for nodes in boxes.values() for n in nodes}
        self.boxes = {n: key for key, nodes in boxes.items() for n in nodes}
        for node in sorted(self.facts):
            if node not in boxed:
                canvas.add_node(self._node(node))

    def _family_developer(self, family: str) -> str | None:
        found = sorted(
            v for _, v, k in self.lg.nx.out_edges(family, keys=True) if k == "developedBy"
        )
        return found[0] if found else None

    def _colour(self, node: str, facts: Facts) -> str:
        if facts.kind == "platform":
            return PLATFORM
        if facts.kind == "organization":
            if self._develops(node):
                return self._org_colour(node)
            self.used_neutral = True
            return NEUTRAL
        if facts.developer is None:
            return NO_DEVELOPER
        self.used_developers.add(facts.developer)
        return self._org_colour(facts.developer)

    def _node(self, node: str) -> pydot.Node:
        facts = self.facts[node]
        self.used_kinds.add(facts.kind or "model")
        focus = node in self.sel.focus
        details = []
        if facts.released is not None:
            details.append(facts.released.strftime("%Y-%m"))
        if facts.parameters:
            details.append(size_text(facts.parameters))
        label = _html_label(
            facts.label, " · ".join(details), bold=focus, width=self.opt.label_width
        )
        attrs = {
            "label": label,
            "shape": SHAPES.get(facts.kind, "box"),
            "fillcolor": dot_quote(self._colour(node, facts)),
            "tooltip": dot_quote(self._tooltip(facts)),
            "color": dot_quote("#222222" if focus else "#555555"),
            "penwidth": "2.4" if focus else "1",
        }
        if facts.kind not in ("model", None):
            attrs["style"] = dot_quote("filled")
        url = _url(facts)
        if url:
            attrs["URL"] = dot_quote(url)
            attrs["target"] = dot_quote("_blank")
        return _node(node, attrs)

    def _tooltip(self, facts: Facts) -> str:
        lines = [facts.label]
        if facts.kind == "model":
            if facts.developers:
                lines.append("developer: " + names_text(self.lg, facts.developers))
            lines.append("released: " + released_text(facts))
            lines.append(
                "parameters: "
                + (
                    f"{size_text(facts.parameters)} ({facts.parameters:,})"
                    if facts.parameters
                    else "unknown"
                )
            )
            lines.append("licence: " + (", ".join(facts.licences) or "unknown"))
            if facts.huggingface_id:
                lines.append(f"Hugging Face: {facts.huggingface_id}")
        elif facts.kind == "platform" and facts.developers:
            lines.append("operated by " + names_text(self.lg, facts.developers))
        source = _preferred_source(facts.sources)
        if source:
            lines.append("source: " + source)
        return "\n".join(lines)

    # -- placeholders

    def _add_placeholders(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        for ph in sorted(self.plan.placeholders, key=lambda p: p.id):
            count = len(ph.members)
            names = sorted(
                (self.member_facts[m].label if m in self.member_facts else m) for m in ph.members
            )
            shown = names[:_TOOLTIP_NAMES]
            if len(names) > len(shown):
                shown.append(f"and {len(names) - len(shown)} more")
            anchor = self.lg.label(ph.anchor)
            attrs: dict[str, str] = {}
            if ph.kind == "group":
                one, many, _ = COLLAPSIBLE[cast(str, ph.relation)]
                text = f"+{count} {one if count == 1 else many}"
                devs = sorted({self.member_facts[m].developer or "" for m in ph.members} - {""})
                sub = (
                    f"by {self.lg.label(devs[0])}"
                    if len(devs) == 1
                    else (f"by {len(devs)} developers" if devs else "")
                )
                colour = NEUTRAL
                if len(devs) == 1:
                    colour = self._org_colour(devs[0])
                    self.used_developers.add(devs[0])
                head = f"{count} {one if count == 1 else many} of {anchor}"
                attrs = {
                    "label": _html_label(text, sub, width=self.opt.label_width),
                    "shape": "box3d" if count > 1 else "box",
                    "style": dot_quote("filled"),
                    "fillcolor": dot_quote(colour),
                    "color": dot_quote("#777777"),
                }
                hf = self.facts[ph.anchor].huggingface_id if ph.anchor in self.facts else None
                if hf:
                    kind = "quantized" if ph.relation == "quantizedFrom" else "adapter"
                    attrs["URL"] = dot_quote(
                        f"https://huggingface.co/models?other=base_model:{kind}:{hf}"
                    )
                    attrs["target"] = dot_quote("_blank")
            else:
                text = {
                    "more": f"… +{count} more",
                    "below": f"… +{count} more descendant{'s' if count != 1 else ''}",
                    "above": f"… +{count} earlier ancestor{'s' if count != 1 else ''}",
                }[ph.kind]
                head = {
                    "more": f"{count} more built on {anchor} (not drawn: max_children)",
                    "below": f"{count} more descendants of {anchor} beyond the depth limit",
                    "above": f"{count} more ancestors of {anchor} beyond the depth limit",
                }[ph.kind]
                attrs = {
                    "label": dot_quote(text),
                    "shape": "box",
                    "style": dot_quote("dashed,rounded"),
                    "color": dot_quote("#888888"),
                    "fontcolor": dot_quote("#444444"),
                }
            attrs["tooltip"] = dot_quote("\n".join([head + ":", *shown]))
            self.texts[ph.id] = head.split(" (", 1)[0] + ":"
            canvas.add_node(_node(ph.id, attrs))

    # -- edges

    def _add_edges(self, canvas: pydot.Dot | pydot.Subgraph) -> None:
        def label(node: str) -> str:
            return self.lg.label(node) if node in self.lg.nx else self.texts.get(node, node)

        for tail, head, rel in self.plan.edges:
            if rel == "…":
                attrs = {"style": "dashed", "color": dot_quote("#999999"), "arrowhead": "none"}
                canvas.add_edge(_edge(tail, head, attrs))
                continue
            self.used_relations.add(rel)
            attrs = {k: dot_quote(v) for k, v in EDGE_STYLES.get(rel, {}).items()}
            subject, obj = (head, tail) if rel in DRAWN_REVERSED else (tail, head)
            tip = f"{label(subject)} {RELATION_PHRASES[rel]} {label(obj)}"
            if rel in BACKING_RELATIONS | {"hostedOn"} and subject in self.lg.nx:
                rounds = rounds_of(self.lg, subject, rel, obj)
                if rounds:
                    tip += "\n" + "\n".join(_round_text(r, rel) for r in rounds)
                    first = next((r.sources[0] for r in rounds if r.sources), None)
                    if first:
                        attrs["URL"] = dot_quote(first)
                        attrs["target"] = dot_quote("_blank")
                    text = _edge_label(rounds) if self.opt.edge_labels else ""
                    if text and rel in BACKING_RELATIONS:
                        colour = darken(RELATION_STYLES[rel].colour, 0.9)
                        if self.layout == "neato":
                            attrs["tooltip"] = dot_quote(tip)
                            attrs["class"] = dot_quote(f"relation-{rel}")
                            self._add_through_label(canvas, tail, head, rel, text, colour, attrs)
                            continue
                        # dot ranks an edge label like a node: it cannot cover one
                        attrs["label"] = dot_quote(text)
                        attrs["fontcolor"] = dot_quote(colour)
            if self._backwards(tail, head):
                attrs["constraint"] = "false"  # data says the child came first: do not fight it
            attrs["tooltip"] = dot_quote(tip)
            attrs["class"] = dot_quote(f"relation-{rel}")  # SVG: <g class="edge relation-…">
            if self.boxes and self._same_rank(tail, head):
                # With clusters, Graphviz orders an edge within one rank head first (the child
                # above its parent) and can fail an assertion on such edges (class2.c
                # merge_chain): state it head → tail, drawn backwards, to keep the child below
                attrs["dir"] = "back"
                attrs["arrowtail"] = attrs.pop("arrowhead", "normal")
                canvas.add_edge(_edge(head, tail, attrs))
                continue
            canvas.add_edge(_edge(tail, head, attrs))

    def _add_through_label(
        self,
        canvas: pydot.Dot | pydot.Subgraph,
        tail: str,
        head: str,
        rel: str,
        text: str,
        colour: str,
        attrs: Mapping[str, str],
    ) -> None:
        """Draw a labelled edge of a force layout as two halves that meet at its label.

        neato places edge labels after the layout, on the spline, where they can cover nodes and
        each other. Here the label is a text node (``label:<rel>:<tail>-><head>``) that takes
        part in the layout and its overlap removal, so it covers no node and no other label,
        and the edge runs tail → label → head through it: the label stays on its edge. Both
        halves carry the edge's style, link, tooltip and class; only the second has the
        arrowhead (a tapered line is two wedges, both narrowing towards the head).
        """
        name = f"label:{rel}:{tail}->{head}"
        node = {
            "shape": "plaintext",
            "style": dot_quote("solid"),
            "label": dot_quote(text),
            "fontsize": "8",
            "fontcolor": dot_quote(colour),
            "margin": dot_quote("0.02,0.01"),
            "width": "0",
            "height": "0",
            "class": dot_quote(f"edge-label relation-{rel}"),  # SVG: <g class="node edge-label …">
        }
        for key in ("URL", "target", "tooltip"):
            if key in attrs:
                node[key] = attrs[key]
        canvas.add_node(_node(name, node))
        first = {**attrs, "arrowhead": "none", "len": dot_quote("0.55")}
        canvas.add_edge(_edge(tail, name, first))
        canvas.add_edge(_edge(name, head, {**attrs, "len": dot_quote("0.55")}))

    def _same_rank(self, tail: str, head: str) -> bool:
        """Whether both ends are ranked in the same period of the time axis."""
        if not self.ranks:
            return False
        period = {node: p for p, nodes in self.ranks.items() for node in nodes}
        return tail in period and period.get(tail) == period.get(head)

    def _backwards(self, tail: str, head: str) -> bool:
        a = self.facts[tail].released if tail in self.facts else None
        b = self.facts[head].released if head in self.facts else None
        return a is not None and b is not None and b < a

    # -- legend

    def _add_heading(self, dot: pydot.Dot) -> None:
        sections = self._legend_sections() if self.opt.legend else []
        most = max((len(cells) for _, cells in sections), default=1)
        per_row = max(1, min(self.opt.legend_columns, most))
        width = 1 + 2 * per_row + 1  # header, (sample, text) pairs, and a filler column
        # Graphviz spreads a table's spare width over all its columns, which would pull the
        # legend apart under a long title: a filler column as wide as the difference absorbs it.
        texts = [0.0] * per_row
        heads = 0.0
        for name, cells in sections:
            heads = max(heads, _text_width(name, 10, bold=True))
            for index, (_, text) in enumerate(cells):
                column = index % per_row
                texts[column] = max(texts[column], _text_width(text, 10))
        legend_width = heads + sum(30 + w + 12 for w in texts) if sections else 0.0
        title_width = _text_width(self.opt.title, 20) if self.opt.title else 0.0
        filler = max(1, round(title_width - legend_width))
        rows: list[str] = []
        if self.opt.title:
            rows.append(
                f'<TR><TD COLSPAN="{width}" ALIGN="LEFT"><FONT POINT-SIZE="20">'
                f"{_h(self.opt.title)}</FONT></TD></TR>"
            )
        for name, cells in sections:
            lines = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
            for index, line in enumerate(lines):
                head = ""
                if index == 0:
                    head = (
                        f'<TD ROWSPAN="{len(lines)}" ALIGN="RIGHT" VALIGN="TOP">'
                        f"<B>{_h(name)}</B></TD>"
                    )
                pad = '<TD COLSPAN="2"></TD>' * (per_row - len(line))
                fill = f'<TD WIDTH="{filler}"></TD>' if index == 0 else "<TD></TD>"
                rows.append(f"<TR>{head}{''.join(c for c, _ in line)}{pad}{fill}</TR>")
        if not rows:
            return
        rows.append(f'<TR><TD COLSPAN="{width}" HEIGHT="6"></TD></TR>')
        table = (
            '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1">'
            + "".join(rows)
            + "</TABLE>>"
        )
        dot.set("label", table)
        dot.set("labelloc", "t")
        dot.set("labeljust", "l")
        dot.set("fontsize", "10")

    def _legend_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the legend's sections: name, then (cells, text) per entry, only what is drawn."""
        sections: list[tuple[str, list[tuple[str, str]]]] = []
        developers = sorted(self.used_developers, key=lambda d: (self.lg.label(d).casefold(), d))
        if developers:
            cells = [
                (_swatch(self._org_colour(d)) + _legend_text(self.lg.label(d)), self.lg.label(d))
                for d in developers
            ]
            sections.append(("Developer", cells))
        relations = sorted(self.used_relations, key=list(EDGE_STYLES).index)
        if relations:
            entries = [(_relation_cell(rel), RELATION_TEXT.get(rel, rel)) for rel in relations]
            sections.append(("Relation", entries))
        nodes: list[tuple[str, str]] = []
        if len(self.used_kinds) > 1:
            for kind in (k for k in KIND_TEXT if k in self.used_kinds):
                text = KIND_TEXT[kind]
                nodes.append((f'<TD COLSPAN="2" ALIGN="LEFT">{_h(text)}</TD>', text[:-6]))
        if self.used_neutral:
            text = "organization without models"
            nodes.append((_swatch(NEUTRAL) + _legend_text(text), text))
        if nodes:
            sections.append(("Node", nodes))
        return sections


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimate the width in points of ``text`` in Arial (close enough to size a filler)."""
    narrow, wide = set("iljtfrI.,:;'!|() "), set("mwMWQGOCDHNU@%")
    ems = sum(
        0.28 if c in narrow else 0.8 if c in wide else 0.62 if c.isupper() else 0.54 for c in text
    )
    return ems * size * (1.08 if bold else 1.0)


def _legend_text(text: str) -> str:
    return f'<TD ALIGN="LEFT">{_h(text)}</TD>'


def _swatch(colour: str) -> str:
    return (
        f'<TD BGCOLOR="{colour}" BORDER="1" COLOR="#777777" WIDTH="30" HEIGHT="12" '
        'FIXEDSIZE="TRUE"></TD>'
    )


_GLYPHS = {"normal": "▶", "empty": "▷", "dot": "●", "odiamond": "◇"}


def _relation_cell(rel: str) -> str:
    """Return the legend's sample of a relation's line (pattern, weight, arrowhead) and its text."""
    style = RELATION_STYLES.get(rel, RelationStyle("solid", "thin", "#000000"))
    width = round(WEIGHTS[style.weight])
    colour = style.colour
    if style.pattern == "double":
        line = (
            f'<TD SIDES="TB" BORDER="{width}" COLOR="{colour}" WIDTH="30" '
            f'HEIGHT="{2 * width + 3}" FIXEDSIZE="TRUE"></TD>'
        )
    elif style.pattern == "tapered":
        line = "".join(  # a wedge of bars, each one point lower: the tapered line
            f'<TD WIDTH="4" HEIGHT="{2 * width + 2}" FIXEDSIZE="TRUE"><TABLE BORDER="0" '
            f'CELLSPACING="0" CELLPADDING="0"><TR><TD BGCOLOR="{colour}" WIDTH="4" HEIGHT="{h}" '
            'FIXEDSIZE="TRUE"></TD></TR></TABLE></TD>'
            for h in range(2 * width + 2, 0, -1)
        )
    else:
        pattern = {"dashed": ' STYLE="dashed"', "dotted": ' STYLE="dotted"'}.get(style.pattern, "")
        line = (
            f'<TD SIDES="B" BORDER="{width}" COLOR="{colour}"{pattern} WIDTH="30" HEIGHT="8" '
            'FIXEDSIZE="TRUE"></TD>'
        )
    glyph = _GLYPHS.get(style.arrowhead)
    if glyph:
        line += f'<TD><FONT COLOR="{colour}" POINT-SIZE="9">{glyph}</FONT></TD>'
    sample = (
        '<TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
        f"{line}</TR></TABLE></TD>"
    )
    return sample + _legend_text(RELATION_TEXT.get(rel, rel))


def _round_text(r: Round, rel: str) -> str:
    parts = [r.date.isoformat() if r.date else "date n/a"]
    if r.amount is not None:
        parts.append(money(r.amount, r.currency))
    elif rel == "investsIn":
        parts.append("amount undisclosed")
    if r.round:
        parts.append(r.round)
    parts.append("source: " + r.sources[0] if r.sources else "no source")
    return " · ".join(parts)


def _edge_label(rounds: list[Round]) -> str:
    lines = []
    for r in rounds:
        bits = []
        if r.date:
            bits.append(r.date.strftime("%Y-%m"))
        if r.amount is not None:
            bits.append(money(r.amount, r.currency))
        if bits:
            lines.append(" ".join(bits))
    if len(lines) > 3:
        lines = [*lines[:2], f"+{len(lines) - 2} more rounds"]
    return "\n".join(lines)


def _url(facts: Facts) -> str | None:
    if facts.huggingface_id:
        return f"https://huggingface.co/{facts.huggingface_id}"
    return _preferred_source(facts.sources)


def _preferred_source(sources: Iterable[str]) -> str | None:
    """Pick the source to link: a Hugging Face page, then a paper, then the first URL."""
    found = list(sources)
    if not found:
        return None
    return sorted(found, key=lambda s: ("huggingface.co" not in s, "arxiv.org" not in s, s))[0]


def _html_label(name: str, detail: str, *, bold: bool = False, width: int = 24) -> str:
    lines = _wrap(name, width)
    text = "<BR/>".join(_h(line) for line in lines)
    if bold:
        text = f"<B>{text}</B>"
    if detail:
        text += f'<BR/><FONT POINT-SIZE="9" COLOR="#333333">{_h(detail)}</FONT>'
    return f"<{text}>"


def _wrap(name: str, width: int = 24) -> list[str]:
    """Split a long name into balanced lines (no line much longer than ``width``)."""
    if len(name) <= width:
        return [name]
    count = -(-len(name) // width)
    for target in range(-(-len(name) // count), len(name) + 1):
        lines = textwrap.wrap(name, target, break_long_words=False, break_on_hyphens=False)
        if len(lines) <= count:
            return lines
    return [name]


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def dot_quote(text: str) -> str:
    r"""Return ``text`` as a quoted DOT string.

    >>> dot_quote('say "hi"')
    '"say \\"hi\\""'
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(name: str, attrs: Mapping[str, str]) -> pydot.Node:
    node = pydot.Node(dot_quote(name))
    for key, value in attrs.items():
        node.set(key, value)
    return node


def _edge(tail: str, head: str, attrs: Mapping[str, str]) -> pydot.Edge:
    edge = pydot.Edge(dot_quote(tail), dot_quote(head))
    for key, value in attrs.items():
        edge.set(key, value)
    return edge
