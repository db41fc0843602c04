"""Stage 4, Graphviz: run it, scale to a printed size, and the :class:`Diagram`."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Unpack, cast, get_args

import pydot

from llmgraph.errors import RenderError, UsageError
from llmgraph.render.dot import (
    Builder,
    dot_quote,
)
from llmgraph.render.options import (
    MIN_TEXT_PT,
    DrawOptions,
    Format,
    Options,
    parse_length,
)
from llmgraph.render.plan import (
    Plan,
)
from llmgraph.render.selection import (
    Selection,
)

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph


_INSTALL = (
    "install Graphviz (apt-get install graphviz, dnf install graphviz, brew install graphviz, "
    "conda install graphviz, or https://graphviz.org/download/) or write DOT with format='dot'"
)


def run_graphviz(
    dot_source: str, fmt: Format, *, program: str = "dot", dpi: float | None = None
) -> bytes:
    """Run Graphviz on DOT text and return the output file's bytes.

    Args:
        dot_source: the DOT text.
        fmt: ``svg``, ``png``, ``pdf``, or ``dot`` (returns the text itself, no Graphviz).
        program: the Graphviz layout program.
        dpi: the resolution of bitmap output (Graphviz's ``-Gdpi``; PNG is 96 without it).

    Raises:
        RenderError: the program is not installed, or it failed (its stderr is included).
        UsageError: an unknown format.

    >>> run_graphviz("digraph { a -> b }", "svg").startswith(b"<?xml")
    True
    """
    if fmt not in get_args(Format):
        raise UsageError(f"image format must be one of {', '.join(get_args(Format))}; got {fmt!r}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    exe = shutil.which(program)
    if exe is None:
        raise RenderError(f"Graphviz program {program!r} not found on PATH; {_INSTALL}")
    try:
        proc = subprocess.run(
            [exe, f"-T{fmt}", *([f"-Gdpi={dpi:g}"] if dpi else [])],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise RenderError(f"could not run Graphviz program {exe}: {exc}; {_INSTALL}") from exc
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip() or "(no stderr)"
        raise RenderError(
            f"{program} -T{fmt} failed (exit {proc.returncode}): {stderr}\n"
            f"(if Graphviz itself is broken, re-install it: {_INSTALL})"
        )
    return _exact_svg_scale(proc.stdout) if fmt == "svg" else proc.stdout


_VIEWBOX = re.compile(rb'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
_GRAPH_SCALE = re.compile(
    rb'(<g id="graph0" class="graph" transform="scale\()([\d.]+) ([\d.]+)(\) rotate\(0\) [^"]*">\s*'
    rb'<title>[^<]*</title>\s*<polygon [^>]*points=")([^"]+)"'
)


def _exact_svg_scale(svg: bytes) -> bytes:
    """Give a scaled SVG's drawing the scale that makes it fill its declared size.

    Graphviz writes the scale of a figure fitted to ``size`` with two decimals
    (``scale(0.78 0.78)`` for 0.7821), so the drawing falls up to 0.5 % short of the width and
    height it declares: a strip at the right and bottom stays empty and the drawing does not
    meet the requested size. The exact scale is the declared view box over the size of the
    background polygon that Graphviz draws first (the whole unscaled canvas, padding included).
    An SVG without that structure is returned unchanged.

    >>> svg = (b'<svg viewBox="0.00 0.00 252.00 724.01"><g id="graph0" class="graph" '
    ...        b'transform="scale(0.78 0.78) rotate(0) translate(21.6 904.1)"><title>g</title>'
    ...        b'<polygon fill="white" points="-21.6,21.6 -21.6,-904.1 300.6,-904.1 300.6,21.6"/>')
    >>> b"scale(0.782123 0.782122)" in _exact_svg_scale(svg)
    True
    """
    box, graph = _VIEWBOX.search(svg), _GRAPH_SCALE.search(svg)
    if box is None or graph is None:
        return svg
    coords = [float(v) for v in re.findall(rb"-?[\d.]+", graph[5])]
    xs, ys = coords[0::2], coords[1::2]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    if width <= 0 or height <= 0:
        return svg
    exact = (float(box[1]) / width, float(box[2]) / height)
    written = (float(graph[2]), float(graph[3]))
    if written == (1.0, 1.0) or any(
        abs(e - w) > 0.006 for e, w in zip(exact, written, strict=True)
    ):
        return svg  # unscaled, or not a rounded scale: leave Graphviz's drawing alone
    scale = f"{exact[0]:.6f} {exact[1]:.6f}".encode()
    return svg[: graph.start(2)] + scale + svg[graph.end(3) :]


_SVG_SIZE = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')  # unrounded, unlike width=


_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')


def _fit(lg: LineageGraph, selection: Selection, opts: Options) -> tuple[pydot.Dot, Plan]:
    """Build the figure scaled to the requested width and/or height, its text at least 6 pt.

    Lays the figure out to learn its natural size and its smallest text; when that text would
    come out too small, tries a narrower legend (3, then 2 entries a row) and, when the
    timeline is ``auto``, one rank per year instead of per quarter, then names wrapped at 14
    characters, then a legend of one column, before giving up.
    The figure that fits gets Graphviz's ``size`` (with ``!``, so a small one is scaled up).

    Raises:
        RenderError: no layout keeps the smallest text at :data:`MIN_TEXT_PT` at the requested
            size; the message gives the size at which it would fit.
    """
    want_w = parse_length(opts.width, what="width") if opts.width is not None else None
    want_h = parse_length(opts.height, what="height") if opts.height is not None else None
    tries = [opts] + [
        replace(opts, legend_columns=n) for n in (3, 2) if n < opts.legend_columns and opts.legend
    ]
    if opts.timeline == "auto":  # coarser periods: fewer, taller columns, the axis still true
        tries.append(replace(tries[-1], timeline="year"))
    if opts.label_width > 14:  # names wrapped into narrower lines
        tries.append(replace(tries[-1], label_width=14))
    if opts.legend and opts.legend_columns > 1:  # the legend as one column
        tries.append(replace(tries[-1], legend_columns=1))
    results: list[tuple[float, float]] = []  # (scale, smallest text) of each layout tried
    for attempt in tries:
        dot, plan = Builder(lg, selection, attempt).build()
        svg = run_graphviz(dot.to_string(), "svg").decode("utf-8")
        size = _SVG_SIZE.search(svg)
        fonts = [float(f) for f in _FONT_SIZE.findall(svg)]
        if size is None or not fonts:  # pragma: no cover - Graphviz always writes both
            raise RenderError("cannot read the laid-out size of the figure from Graphviz's SVG")
        natural_w, natural_h = float(size[1]), float(size[2])
        smallest = min(fonts)
        # Graphviz rounds the requested size to whole points before it scales: count it down
        scale = min(
            math.floor(w) / n
            for w, n in ((want_w, natural_w), (want_h, natural_h))
            if w is not None
        )
        if scale * smallest >= MIN_TEXT_PT:
            box_w = want_w if want_w is not None else 1e5
            box_h = want_h if want_h is not None else 1e5
            dot.set("size", dot_quote(f"{box_w / 72:.4f},{box_h / 72:.4f}!"))
            return dot, plan
        results.append((scale, smallest))
    scale, smallest = max(results)
    need = MIN_TEXT_PT / (smallest * scale)
    shown = _show_size(
        want_w * need if want_w is not None else None, want_h * need if want_h is not None else None
    )
    hint = " or --rankdir TB" if want_w is not None and opts.rankdir in ("LR", "RL") else ""
    raise RenderError(
        f"the figure does not fit {_show_size(want_w, want_h)} with readable text: its "
        f"{smallest:g} pt text would be {scale * smallest:.1f} pt (under {MIN_TEXT_PT:g} pt); "
        f"it needs {shown}; draw less (--depth, --max-children, --collapse){hint}, "
        "or ask for a larger size"
    )


def _show_size(width: float | None, height: float | None) -> str:
    parts = []
    if width is not None:
        parts.append(f"{width / 72:.3g}in ({width / (72 / 2.54):.3g}cm) wide")
    if height is not None:
        parts.append(f"{height / 72:.3g}in ({height / (72 / 2.54):.3g}cm) high")
    return " and ".join(parts)


class Diagram:
    """A built diagram: its DOT, what each placeholder stands for, and its renderings.

    Displays inline in Jupyter (``_repr_svg_``). Build one with :func:`diagram`.

    Attributes:
        dot: the :class:`pydot.Dot`.
        source: the DOT text (deterministic).
        drawn: IRIs of the entities drawn one by one.
        placeholders: id of each collapsed or "…" node → the IRIs it stands for.
    """

    def __init__(
        self,
        dot: pydot.Dot,
        drawn: Iterable[str],
        placeholders: Mapping[str, frozenset[str]],
        *,
        dpi: float | None = None,
    ):
        self.dot = dot
        self.dpi = dpi
        self.source: str = dot.to_string()
        self.drawn: frozenset[str] = frozenset(drawn)
        self.placeholders: dict[str, frozenset[str]] = dict(placeholders)
        self._svg: bytes | None = None

    def __repr__(self) -> str:
        return f"<Diagram: {len(self.drawn)} entities drawn, {len(self.placeholders)} placeholders>"

    def pipe(self, fmt: Format = "svg") -> bytes:
        """Return the diagram as ``svg``, ``png``, ``pdf`` or ``dot`` bytes.

        Raises:
            RenderError: Graphviz is missing or failed.
        """
        if fmt == "svg":
            if self._svg is None:
                self._svg = run_graphviz(self.source, "svg")
            return self._svg
        return run_graphviz(self.source, fmt, dpi=self.dpi if fmt == "png" else None)

    def save(self, path: Path | str, *, fmt: Format | None = None) -> Path:
        """Write the diagram to ``path``, in ``fmt`` or the format its suffix names.

        Nothing is written when Graphviz fails.

        Raises:
            UsageError: no ``fmt`` and the suffix is not .svg, .png, .pdf or .dot.
            RenderError: Graphviz is missing or failed, or the file cannot be written.
        """
        target = Path(path)
        chosen = fmt or target.suffix.lstrip(".").lower()
        if chosen not in get_args(Format):
            raise UsageError(f"cannot tell the image format from {target}; pass fmt=")
        data = self.pipe(cast(Format, chosen))
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return target

    def _repr_svg_(self) -> str:
        return self.pipe("svg").decode("utf-8")


def diagram(lg: LineageGraph, selection: Selection, **options: Unpack[DrawOptions]) -> Diagram:
    """Build a :class:`Diagram` of ``selection`` (options as for :func:`to_dot`).

    Raises:
        RenderError: the selection is empty.
        UsageError: an option is out of range.

    >>> from llmgraph import LineageGraph, select_family, select_lineage
    >>> lg = LineageGraph.load()
    >>> d = diagram(lg, select_family(lg, "Llama 3.2"), collapse=2)
    >>> sorted(k for k in d.placeholders if k.startswith("group:quantizedFrom"))
    ... # doctest: +NORMALIZE_WHITESPACE
    ['group:quantizedFrom:https://w3id.org/llmgraph/id/llama-3-2-1b-instruct',
     'group:quantizedFrom:https://w3id.org/llmgraph/id/llama-3-2-3b-instruct']
    >>> d._repr_svg_().startswith("<?xml")
    True
    """
    opts = Options(**options)
    if opts.width is not None or opts.height is not None:
        dot, plan = _fit(lg, selection, opts)
    else:
        dot, plan = Builder(lg, selection, opts).build()
    return Diagram(dot, plan.visible, {p.id: p.members for p in plan.placeholders}, dpi=opts.dpi)


def render(
    lg: LineageGraph,
    selection: Selection,
    *,
    fmt: Format = "svg",
    out: Path | str | None = None,
    **options: Unpack[DrawOptions],
) -> bytes:
    """Draw ``selection`` as DOT, SVG, PNG or PDF; write it to ``out`` if given.

    Args:
        lg: the graph.
        selection: what to draw.
        fmt: the output format.
        out: a file to write.
        options: drawing options, as for :func:`to_dot`.

    Returns:
        The rendered bytes.

    Raises:
        RenderError: empty selection, Graphviz missing or failing. Nothing is written then.

    >>> from llmgraph import LineageGraph, select_family, select_lineage
    >>> lg = LineageGraph.load()
    >>> b"Vicuna 13B v1.5" in render(lg, select_lineage(lg, "Vicuna 13B v1.5"))
    True
    """
    made = diagram(lg, selection, **options)
    data = made.pipe(fmt)
    if out is not None:
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise RenderError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return data
