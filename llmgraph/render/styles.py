"""How diagrams look, as data: fills and colour assignment, relation styles, shapes."""

from __future__ import annotations

import colorsys
import csv
import hashlib
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from llmgraph.bundle import bundled_colours_file
from llmgraph.errors import DataLoadError
from llmgraph.limits import csv_error, csv_field_limit
from llmgraph.lineage import (
    ALL_LINEAGE,
)

if TYPE_CHECKING:
    pass


PALETTE: tuple[str, ...] = (
    "#80b1d3", "#fdb462", "#b3de69", "#fb8072", "#bebada", "#8dd3c7", "#ffed6f",
    "#fccde5", "#ccebc5", "#d9d9d9", "#ffffb3", "#fbb4ae", "#b3cde3", "#decbe4",
    "#fed9a6", "#e5d8bd", "#fddaec", "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3",
    "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3", "#aec7e8", "#ffbb78", "#98df8a",
    "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    "#f4a582", "#92c5de", "#d9f0a3", "#c2a5cf", "#a6dba0", "#fdae61", "#abd9e9",
)  # fmt: skip


"""Light fills (ColorBrewer Set3, Pastel1, Set2, PRGn/RdBu tints, Tableau 20) that all keep
black text above the WCAG AAA contrast ratio of 7:1."""


class _CuratedColours(Mapping[str, str]):
    """The bundled colour table (``data/colours.csv``), read on first use."""

    _table: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._table is None:
            self._table = load_colours(bundled_colours_file())
        return self._table

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return f"ORGANIZATION_COLOURS({len(self)} organizations from {bundled_colours_file()})"


ORGANIZATION_COLOURS: Mapping[str, str] = _CuratedColours()


"""Curated fills for the organizations of the bundled data (IRI → colour), read from
``data/colours.csv`` the first time it is used.

A few developers wear their brand colour (Meta blue, Mistral orange, Hugging Face yellow,
Anthropic clay, OpenAI grey). It is an organization's *preferred* colour: each diagram assigns
colours with :func:`assign_colours`, which keeps the preferred colour when no developer drawn
before it in that figure holds a colour close to it. Any other organization prefers a
:data:`PALETTE` colour chosen by a hash of its IRI.
"""


NO_DEVELOPER = "#ffffff"


NEUTRAL = "#f2f2f2"


"""Fill of organizations that develop no model (investors) and of placeholder nodes."""


PLATFORM = "#dce6f0"


"""Fill of platforms."""


Pattern = Literal["solid", "dashed", "dotted", "double", "tapered"]


"""How an edge's line is drawn: ``double`` is two parallel lines, ``tapered`` a wedge."""


WEIGHTS: Mapping[str, float] = {"thin": 1.0, "medium": 2.0, "heavy": 3.6}


"""Line widths in points: each at least 1.8 times the one before, so that print keeps them apart."""


_ARROWS: Mapping[str, str] = {
    "solid": "normal",
    "dashed": "empty",
    "dotted": "dot",
    "double": "odiamond",
    "tapered": "none",
}


"""Arrowhead per pattern, so that a pattern shows on an edge too short to show its dashes
(a tapered edge needs none: its wedge narrows from the backer to the backed)."""


@dataclass(frozen=True)
class RelationStyle:
    """How a relation is drawn: line pattern, weight, colour, and the arrowhead that follows.

    No two relations share a (pattern, weight); the colour only adds to that, so a figure
    printed in greyscale keeps every relation apart. The arrowhead is the pattern's
    (solid ▶, dashed ▷, dotted ●, double ◇; a tapered wedge narrows towards its head) and
    shows even on a short edge.

    >>> RELATION_STYLES["quantizedFrom"].graphviz()["style"]
    'dotted'
    """

    pattern: Pattern
    weight: Literal["thin", "medium", "heavy"]
    colour: str

    @property
    def arrowhead(self) -> str:
        """The Graphviz arrowhead of the pattern."""
        return _ARROWS[self.pattern]

    def graphviz(self) -> dict[str, str]:
        """Return the Graphviz edge attributes: style, penwidth, color and arrowhead."""
        width = WEIGHTS[self.weight]
        attrs = {
            "style": "solid" if self.pattern == "double" else self.pattern,
            "color": self.colour,
            "penwidth": f"{width:g}",
            "arrowhead": self.arrowhead,
        }
        if self.pattern == "double":  # a colour list draws parallel lines, one per colour
            attrs["color"] = f"{self.colour}:invis:{self.colour}"
        if self.pattern == "tapered":  # the wedge starts at penwidth: twice the line weight
            attrs["penwidth"] = f"{2 * width:g}"
        return attrs


RELATION_STYLES: Mapping[str, RelationStyle] = {
    "fineTunedFrom": RelationStyle("solid", "medium", "#3a3a3a"),
    "continuedPretrainingFrom": RelationStyle("solid", "heavy", "#1d3557"),
    "adapterOf": RelationStyle("dashed", "medium", "#7b2cbf"),
    "quantizedFrom": RelationStyle("dotted", "medium", "#5c636a"),
    "mergedFrom": RelationStyle("double", "medium", "#e76f51"),
    "derivedFrom": RelationStyle("solid", "thin", "#8a8a8a"),
    "successorOf": RelationStyle("dashed", "heavy", "#2a9d8f"),
    "trainedOnOutputsOf": RelationStyle("dotted", "heavy", "#c1121f"),
    "investsIn": RelationStyle("tapered", "medium", "#2d6a4f"),
    "owns": RelationStyle("double", "heavy", "#264653"),
    "backs": RelationStyle("tapered", "thin", "#52b788"),
    "hostedOn": RelationStyle("double", "thin", "#457b9d"),
    "operatedBy": RelationStyle("dashed", "thin", "#6c757d"),
    "developedBy": RelationStyle("dotted", "thin", "#8d99ae"),
}


"""How each relation (the relation's local name) is drawn: the one table of relation styles."""


EDGE_STYLES: Mapping[str, Mapping[str, str]] = {
    rel: style.graphviz() for rel, style in RELATION_STYLES.items()
}


"""Graphviz edge attributes per relation (the relation's local name), from
:data:`RELATION_STYLES`."""


RELATION_TEXT: Mapping[str, str] = {
    "fineTunedFrom": "fine-tuned",
    "continuedPretrainingFrom": "continued pre-training",
    "adapterOf": "adapter",
    "quantizedFrom": "quantized",
    "mergedFrom": "merged",
    "derivedFrom": "derived (untyped)",
    "successorOf": "next generation",
    "trainedOnOutputsOf": "trained on outputs of",
    "investsIn": "invests in",
    "owns": "owns",
    "backs": "backs",
    "hostedOn": "hosts",
    "operatedBy": "operates",
    "developedBy": "develops",
}


"""How the legend names each relation, read along the drawn arrow."""


DRAWN_REVERSED = ALL_LINEAGE | {"hostedOn", "operatedBy", "developedBy"}


DRAWABLE = frozenset(EDGE_STYLES)


COLLAPSIBLE = {"quantizedFrom": ("quantized build", "quantized builds", "quantized")}


COLLAPSIBLE["adapterOf"] = ("adapter", "adapters", "adapter")


SHAPES = {
    "model": "box",
    "organization": "ellipse",
    "platform": "hexagon",
    "family": "folder",
    None: "box",
}


KIND_TEXT = {
    "model": "rounded box: model",
    "organization": "ellipse: organization",
    "platform": "hexagon: platform",
    "family": "folder: model family",
}


DEFAULT_FONT = "Arial,Helvetica,sans-serif"  # Arial first: Graphviz measures with its metrics


_HEX = re.compile(r"#[0-9a-fA-F]{6}")


_COLOUR_HEADER = ["organization", "colour"]


MIN_COLOUR_DISTANCE = 8.0


"""CIEDE2000 distance below which two fills of one figure count as taken by the same colour."""


def load_colours(path: Path | str) -> dict[str, str]:
    """Read an organization colour table: CSV with the header ``organization,colour``.

    Each row is an organization IRI and a ``#rrggbb`` fill; ``#`` lines and blank lines are
    skipped. The bundled table is ``data/colours.csv`` (:data:`ORGANIZATION_COLOURS`).

    Args:
        path: the CSV file.

    Returns:
        IRI → colour (lower-case hex), in file order.

    Raises:
        DataLoadError: the file cannot be read, the header is not ``organization,colour``, or a
            row has the wrong number of fields, an IRI that is not ``http(s)://…``, a colour
            that is not ``#rrggbb``, or an organization listed twice (file and line named).

    >>> table = load_colours(bundled_colours_file())
    >>> table["https://w3id.org/llmgraph/id/meta"]
    '#80b1d3'
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataLoadError(
            f"cannot read colours: not UTF-8 text ({exc.reason})", path=source
        ) from exc
    except OSError as exc:
        raise DataLoadError(f"cannot read colours: {exc.strerror or exc}", path=source) from exc
    table: dict[str, str] = {}
    first: dict[str, int] = {}
    header_seen = False
    with csv_field_limit():
        reader = csv.reader(text.splitlines())
        try:
            for row in reader:
                line = reader.line_num
                if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                    continue  # blank lines and comments
                cells = [c.strip() for c in row]
                if not header_seen:
                    if cells != _COLOUR_HEADER:
                        raise DataLoadError(
                            f"expected the header 'organization,colour', got {','.join(row)!r}",
                            path=source,
                            line=line,
                        )
                    header_seen = True
                    continue
                if len(cells) != 2:
                    raise DataLoadError(
                        f"expected 2 fields (organization,colour), got {len(cells)}: "
                        f"{','.join(row)!r}",
                        path=source,
                        line=line,
                    )
                org, colour = cells
                if not org.startswith(("http://", "https://")) or any(c.isspace() for c in org):
                    raise DataLoadError(
                        f"organization must be an http(s) IRI, got {org!r}", path=source, line=line
                    )
                if not _HEX.fullmatch(colour):
                    raise DataLoadError(
                        f"colour of {org} must be #rrggbb (six hex digits), got {colour!r}",
                        path=source,
                        line=line,
                    )
                if org in table:
                    raise DataLoadError(
                        f"{org} is listed twice (first on line {first[org]})",
                        path=source,
                        line=line,
                    )
                table[org] = colour.lower()
                first[org] = line
        except csv.Error as exc:
            raise DataLoadError(csv_error(exc), path=source, line=reader.line_num) from exc
    if not header_seen:
        raise DataLoadError(
            "empty colour table: expected the header 'organization,colour'", path=source
        )
    return table


def organization_colour(org: str) -> str:
    """Return the preferred fill colour of an organization (by IRI).

    Organizations of the bundled data have curated colours (:data:`ORGANIZATION_COLOURS`);
    any other IRI gets a :data:`PALETTE` colour chosen by a hash of the IRI. A figure draws an
    organization in this colour unless another developer of the same figure holds a colour
    too close to it (see :func:`assign_colours`).

    >>> organization_colour("https://w3id.org/llmgraph/id/meta")
    '#80b1d3'
    >>> organization_colour("https://example.org/lab") in PALETTE
    True
    """
    if org in ORGANIZATION_COLOURS:
        return ORGANIZATION_COLOURS[org]
    digest = hashlib.sha256(org.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def assign_colours(
    organizations: Iterable[str], *, weights: Mapping[str, int] | None = None
) -> dict[str, str]:
    """Give every organization of one figure its own fill colour.

    Organizations are served in order of weight (the number of nodes they fill, heaviest
    first; then by IRI). Each keeps its preferred colour (:func:`organization_colour`) when
    that colour is at least :data:`MIN_COLOUR_DISTANCE` (CIEDE2000) from every colour already
    given; otherwise it gets the free :data:`PALETTE` colour farthest from those given. When the
    palette is used up, or no free colour of it is that far from those given, further light
    colours are generated and compete too, so no two organizations of a figure ever share a
    fill. Deterministic: the same organizations and weights give the same colours.

    Args:
        organizations: the organizations (IRIs) drawn in one figure.
        weights: how many nodes each fills (missing: 0).

    Returns:
        IRI → colour.

    >>> picked = assign_colours(["https://w3id.org/llmgraph/id/meta", "https://example.org/x"])
    >>> picked["https://w3id.org/llmgraph/id/meta"]
    '#80b1d3'
    >>> len(set(picked.values()))
    2
    """
    weight = weights or {}
    order = sorted(set(organizations), key=lambda o: (-weight.get(o, 0), o))
    given: dict[str, str] = {}
    taken: list[str] = []
    for org in order:
        preferred = organization_colour(org)
        if preferred not in taken and all(
            _delta_e(preferred, c) >= MIN_COLOUR_DISTANCE for c in taken
        ):
            chosen = preferred
        else:

            def distance(c: str) -> float:
                return min((_delta_e(c, t) for t in taken), default=math.inf)

            free = [c for c in PALETTE if c not in taken]
            if not free or max(map(distance, free)) < MIN_COLOUR_DISTANCE:
                # the palette is used up, or what is left of it is too close to what is given
                free += [c for c in _extra_colours(len(taken) + 1) if c not in taken]
            chosen = max(free, key=distance)
        given[org] = chosen
        taken.append(chosen)
    return given


def _extra_colours(count: int) -> list[str]:
    """Return ``count`` light colours beyond the palette (golden-angle hues), black text safe."""
    found: list[str] = []
    index = 0
    while len(found) < count:
        hue = (index * 0.618033988749895) % 1.0
        light = (0.86, 0.8, 0.9)[index % 3]
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.55)
        colour = "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))
        if colour not in PALETTE and colour not in found:
            found.append(colour)
        index += 1
    return found


def _lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of a ``#rrggbb`` sRGB colour."""

    def linear(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(first: str, second: str) -> float:
    """CIEDE2000 difference of two colours (about 2 is just noticeable, 10 clearly different)."""
    (l1, a1, b1), (l2, a2, b2) = _lab(first), _lab(second)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_big_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
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
    s_c = 1 + 0.045 * c_bar
    s_h = 1 + 0.015 * c_bar * t
    r_c = 2 * math.sqrt(c_bar**7 / (c_bar**7 + 25**7))
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def tint(colour: str, amount: float) -> str:
    """Mix ``colour`` with white: 0 keeps it, 1 gives white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def darken(colour: str, factor: float) -> str:
    """Scale the lightness of ``colour`` by ``factor`` (below 1: darker).

    >>> darken("#80b1d3", 0.5)
    '#2c5c7e'
    """
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    r2, g2, b2 = colorsys.hls_to_rgb(h, light * factor, s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r2, g2, b2))
