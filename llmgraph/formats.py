"""The names of what llmgraph reads and writes: export formats and import sources.

A light module (no rdflib, no networkx): the command line builds its parser from these names
without importing the exporters or the importers, which load only when a command runs.

>>> EXPORT_FORMATS[:3]
('ttl', 'nt', 'jsonld')
>>> "hf-hub" in IMPORT_SOURCES
True
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["EXPORT_FORMATS", "IMPORT_SOURCES", "ExportFormat", "Source"]

ExportFormat = Literal["ttl", "nt", "jsonld", "graphml", "gexf", "csv", "cyclonedx"]
"""The formats :func:`llmgraph.exporters.export` writes."""

EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)

Source = Literal["hf-cards", "hf-hub", "epoch", "wikidata"]
"""The sources :func:`llmgraph.importers.import_source` reads."""

IMPORT_SOURCES: tuple[str, ...] = get_args(Source)
