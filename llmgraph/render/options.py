"""The drawing options: one declaration with defaults and checks, lengths for sizes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypedDict, get_args

from llmgraph.errors import UsageError
from llmgraph.render.styles import (
    DEFAULT_FONT,
)

if TYPE_CHECKING:
    pass


Format = Literal["dot", "svg", "png", "pdf"]


"""Output formats: DOT text, or what Graphviz makes of it."""


RankDir = Literal["LR", "TB", "RL", "BT"]


"""Direction of the rank (time) axis: left to right, top to bottom, and their reverses."""


Timeline = Literal["auto", "none", "year", "quarter"]


"""One rank per release year or quarter; ``auto`` picks quarters for spans up to four years."""


Clusters = Literal["none", "developer", "family"]


"""Box the models of one developer (or one model family) together."""


Layout = Literal["auto", "dot", "neato"]


"""Graphviz engine: ``dot`` (ranked, with the time axis) or ``neato`` (force-directed hubs);
``auto`` uses neato for networks of organizations only (backing) and dot otherwise."""


@dataclass(frozen=True)
class Options:
    """Every drawing option with its default: the one declaration behind :class:`DrawOptions`."""

    rankdir: RankDir = "LR"
    title: str | None = None
    legend: bool = True
    timeline: Timeline = "auto"
    clusters: Clusters = "none"
    collapse: int = 3
    max_children: int | None = 12
    edge_labels: bool = True
    layout: Layout = "auto"
    font: str = DEFAULT_FONT
    legend_columns: int = 6
    label_width: int = 24
    width: float | str | None = None
    height: float | str | None = None
    dpi: float | None = None

    def check(self) -> None:
        """Raise :class:`UsageError` naming the first option out of range."""
        for name, value, allowed in (
            ("rankdir", self.rankdir, get_args(RankDir)),
            ("timeline", self.timeline, get_args(Timeline)),
            ("clusters", self.clusters, get_args(Clusters)),
            ("layout", self.layout, get_args(Layout)),
        ):
            if value not in allowed:
                raise UsageError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        if self.collapse < 0:
            raise UsageError(f"collapse must be 0 (never) or more, got {self.collapse}")
        if self.max_children is not None and self.max_children < 1:
            raise UsageError(f"max_children must be 1 or more (or None), got {self.max_children}")
        if not self.font.strip() or any(c in self.font for c in '"\\\n'):
            raise UsageError(
                f"font must be a font name such as 'Times New Roman'; got {self.font!r}"
            )
        if self.label_width < 8:
            raise UsageError(f"label_width must be 8 characters or more, got {self.label_width}")
        if self.legend_columns < 1:
            raise UsageError(f"legend_columns must be 1 or more, got {self.legend_columns}")
        if self.dpi is not None and not 10 <= self.dpi <= 2400:
            raise UsageError(f"dpi must be between 10 and 2400, got {self.dpi:g}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None:
                parse_length(value, what=name)


MIN_TEXT_PT = 6.0


"""The smallest text, in points, that a figure scaled with ``width`` / ``height`` may have."""


_UNITS = {"in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pt": 1.0}


_LENGTH = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(in|cm|mm|pt)?\s*")


def parse_length(value: float | str, *, what: str = "length") -> float:
    """Return a length in points: a number with ``in``, ``cm``, ``mm`` or ``pt``, or inches.

    Raises:
        UsageError: not a positive length (``what`` names the option in the message).

    >>> parse_length("3.5in"), round(parse_length("8.89cm"), 3), parse_length(2)
    (252.0, 252.0, 144.0)
    """
    if isinstance(value, bool):
        found = None
    elif isinstance(value, (int, float)):
        found = (float(value), 72.0)
    else:
        match = _LENGTH.fullmatch(value)
        found = (float(match[1]), _UNITS[match[2] or "in"]) if match else None
    if found is None or not found[0] > 0 or found[0] * found[1] > 72 * 200:
        raise UsageError(
            f"{what} must be a length such as 3.5in, 8.9cm, 89mm or 252pt (up to 200in); "
            f"got {value!r}"
        )
    return found[0] * found[1]


class DrawOptions(TypedDict, total=False):
    """The drawing options of :func:`diagram` and :func:`render`.

    Those of :func:`to_dot` (``rankdir`` … ``font``); ``legend_columns``, the most legend
    entries in one row (6); ``label_width``, the characters a name may take on one line before
    it wraps (24); and for the finished figure:
    ``width`` / ``height``, the size to scale it to (a length such as ``"3.5in"``, ``"8.9cm"``,
    ``"89mm"``, ``"252pt"``, or a number of inches; see :func:`parse_length`), refused when its
    smallest text would come out under :data:`MIN_TEXT_PT`; and ``dpi``, the resolution of PNG
    output (96 by default).
    """

    rankdir: RankDir
    title: str | None
    legend: bool
    timeline: Timeline
    clusters: Clusters
    collapse: int
    max_children: int | None
    edge_labels: bool
    layout: Layout
    font: str
    legend_columns: int
    label_width: int
    width: float | str | None
    height: float | str | None
    dpi: float | None
