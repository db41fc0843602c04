"""The names of what llmgraph reads and writes: export formats and import sources.

A light module (no rdflib, no networkx): the command line builds its parser from these names
without importing the exporters or the importers, which load only when a command runs.

>>> EXPORT_FORMATS[:3]
('ttl', 'nt', 'jsonld')
>>> "hf-hub" in IMPORT_SOURCES
True
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal, get_args

__all__ = ["EXPORT_FORMATS", "IMPORT_SOURCES", "ExportFormat", "Source", "write_csv"]

ExportFormat = Literal["ttl", "nt", "jsonld", "graphml", "gexf", "csv", "cyclonedx"]
"""The formats :func:`llmgraph.exporters.export` writes."""

EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)

Source = Literal["hf-cards", "hf-hub", "epoch", "wikidata"]
"""The sources :func:`llmgraph.importers.import_source` reads."""

IMPORT_SOURCES: tuple[str, ...] = get_args(Source)


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    out: Path | str | IO[str] | None = None,
) -> str | None:
    """Write ``rows`` as CSV with ``columns`` to a path or a text file, or return the text.

    >>> print(write_csv([{"a": 1, "b": None}], ("a", "b")), end="")
    a,b
    1,
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    if out is None:
        return buffer.getvalue()
    if isinstance(out, (str, Path)):
        Path(out).write_text(buffer.getvalue(), encoding="utf-8")
    else:
        out.write(buffer.getvalue())
    return None
