"""A griffe extension for the documentation site: doctest examples shown as code.

llmgraph's docstrings end with runnable ``>>>`` examples (the test suite runs them); on the site
each run of example lines becomes a fenced ``pycon`` block instead of Markdown text.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence(text: str) -> str:
    """Wrap each block of ``>>>`` lines and their output in a fenced ``pycon`` block."""
    lines = text.split("\n")
    out: list[str] = []
    inside = False
    for line in lines:
        starts = line.lstrip().startswith(">>>")
        if starts and not inside:
            out.append("```pycon")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctest examples of every docstring griffe loads."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Fence the examples of ``obj``'s docstring."""
        if obj.docstring is not None:
            obj.docstring.value = fence(obj.docstring.value)
