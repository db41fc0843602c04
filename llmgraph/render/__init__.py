"""Lineage and backing diagrams: a selection of the mirror → :class:`pydot.Dot` → Graphviz.

Four stages, one module each, each usable on its own (selection → plan → DOT → Graphviz, with
the styles and options beside them):

1. **Select** what to draw: :func:`select_lineage` (a model's ancestry and/or descendants),
   :func:`select_family` (everything sharing a root with a model or family),
   :func:`select_organization` (an organization's models), :func:`select_backing` (who backs
   whom around organizations), :func:`select_platform` (a platform and what it hosts) and
   :func:`select_sparql` (the edges a SPARQL query returns). Selections combine with ``|``.
2. **Build** the DOT with :func:`to_dot` (pure and deterministic: the same graph, selection and
   options give byte-identical DOT) or :func:`diagram` (a :class:`Diagram`, which also shows
   itself inline in Jupyter).
3. **Run** Graphviz with :func:`run_graphviz`, :meth:`Diagram.save` or :func:`render`.

Drawing conventions. Lineage edges are drawn parent → child (the direction in which models were
built), succession old → new, a teacher → its student, backing edges backer → backed (labelled
with the dates and amounts of the rounds, read from the ``rdf:Statement`` nodes that cite them),
a platform → the models it hosts, an operator → its platform. No edge label covers a node or
another label: in ranked (``dot``) layouts Graphviz ranks a label like a node, and in
force-directed (``neato``) layouts the label is a text node, ``label:<relation>:<tail>-><head>``,
that the edge runs through (two halves, tail → label → head, sharing the edge's style, link and
tooltip), so that the layout's overlap removal keeps it clear of everything else.

Release time runs along the rank axis (columns for ``rankdir="LR"``, rows for ``"TB"``), one
rank per year or quarter, with every period from the first release to the last drawn as an
equally spaced axis (a run of empty periods of :data:`GAP_PERIODS` or more is compressed into
a named "≈" break marker). Node colour is the developer's, assigned per figure
(:func:`assign_colours`) so that no two developers of one figure share a fill; each keeps its
preferred colour (:func:`organization_colour`: the curated ``data/colours.csv`` for the
organizations of the bundled data, a hash of the IRI for the others) when it is free in that
figure. Node shape is the kind of entity; edge style and colour are the relation. The legend
lists only the developers, kinds and relations drawn.

Large selections stay readable without losing anything silently: leaves that are quantized
builds or adapters of one parent are collapsed into one counted node ("+312 quantized builds"),
a parent with more children than ``max_children`` shows the first ones and a "… +N more" node,
and depth limits of the selection end in "… +N more descendants" nodes. Every placeholder's
tooltip lists the models it stands for, and :attr:`Diagram.placeholders` returns them.
"""

from __future__ import annotations

from llmgraph.render.dot import (
    to_dot,
)
from llmgraph.render.graphviz import (
    Diagram,
    diagram,
    render,
    run_graphviz,
)
from llmgraph.render.options import (
    MIN_TEXT_PT,
    Clusters,
    DrawOptions,
    Format,
    Layout,
    RankDir,
    Timeline,
    parse_length,
)
from llmgraph.render.plan import (
    GAP_PERIODS,
)
from llmgraph.render.selection import (
    Selection,
    select_backing,
    select_family,
    select_lineage,
    select_organization,
    select_platform,
    select_sparql,
)
from llmgraph.render.styles import (
    EDGE_STYLES,
    MIN_COLOUR_DISTANCE,
    NEUTRAL,
    NO_DEVELOPER,
    ORGANIZATION_COLOURS,
    PALETTE,
    PLATFORM,
    RELATION_STYLES,
    RELATION_TEXT,
    WEIGHTS,
    Pattern,
    RelationStyle,
    assign_colours,
    load_colours,
    organization_colour,
)

__all__ = [
    "EDGE_STYLES",
    "GAP_PERIODS",
    "MIN_COLOUR_DISTANCE",
    "MIN_TEXT_PT",
    "NEUTRAL",
    "NO_DEVELOPER",
    "ORGANIZATION_COLOURS",
    "PALETTE",
    "PLATFORM",
    "RELATION_STYLES",
    "RELATION_TEXT",
    "WEIGHTS",
    "Clusters",
    "Diagram",
    "DrawOptions",
    "Format",
    "Layout",
    "Pattern",
    "RankDir",
    "RelationStyle",
    "Selection",
    "Timeline",
    "assign_colours",
    "diagram",
    "load_colours",
    "organization_colour",
    "parse_length",
    "render",
    "run_graphviz",
    "select_backing",
    "select_family",
    "select_lineage",
    "select_organization",
    "select_platform",
    "select_sparql",
    "to_dot",
]
