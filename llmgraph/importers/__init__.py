"""Importers: Hugging Face cards and Hub records, Epoch AI tables and Wikidata → the graph.

Each importer reads its source into records (:mod:`~llmgraph.importers.records`), resolves
every name against what is already loaded (:mod:`~llmgraph.importers.resolve`: Hugging Face
id, then normalized labels and aliases; never a duplicate of an entity that exists), builds
the triples of the ``llm:`` vocabulary with a source citation on every fact
(:mod:`~llmgraph.importers.build`), and adds them with one
:meth:`LineageGraph.add <llmgraph.LineageGraph.add>`: all of them or, if that raises, none.
A bad record is skipped and reported, never a crash. Every importer returns an
:class:`ImportReport`.

======================  ===============================================  ===================
source                  input                                            function
======================  ===============================================  ===================
``hf-cards``            ``README.md`` with ``--id``, or folders of       :func:`import_hf_cards`
                        ``<owner>/<name>/README.md``
``hf-hub``              saved ``ModelInfo`` records (.csv, .json,        :func:`import_hf_hub`
                        .jsonl), or fetched with :func:`fetch_hub_records`
``epoch``               Epoch AI CSV tables                              :func:`import_epoch`
``wikidata``            SPARQL results JSON or entity JSON               :func:`import_wikidata`
======================  ===============================================  ===================

>>> from llmgraph import LineageGraph
>>> lg = LineageGraph.load(bundled=False)
>>> record = {"id": "me/tiny-tune", "tags": ["base_model:adapter:mistralai/Mistral-7B-v0.1"]}
>>> report = import_source(lg, "hf-hub", [], records=[record])
>>> report.entities_added, [(a.label, a.relation) for a in lg.ancestors("me/tiny-tune")]
(4, [('mistralai/Mistral-7B-v0.1', 'adapterOf')])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from llmgraph.errors import UsageError
from llmgraph.formats import IMPORT_SOURCES, Source
from llmgraph.graph import LineageGraph
from llmgraph.importers.epoch import import_epoch
from llmgraph.importers.hf_cards import import_hf_cards
from llmgraph.importers.hf_hub import fetch_hub_records, import_hf_hub
from llmgraph.importers.report import Ambiguity, ImportReport, Match, ProgressBar, Skip
from llmgraph.importers.resolve import Resolution, Resolver
from llmgraph.importers.wikidata import import_wikidata

__all__ = [
    "SOURCES",
    "Ambiguity",
    "ImportReport",
    "Match",
    "ProgressBar",
    "Resolution",
    "Resolver",
    "Skip",
    "Source",
    "fetch_hub_records",
    "import_epoch",
    "import_hf_cards",
    "import_hf_hub",
    "import_source",
    "import_wikidata",
]

SOURCES: tuple[str, ...] = IMPORT_SOURCES
"""The sources :func:`import_source` reads (the values of :data:`Source`)."""


def import_source(
    lg: LineageGraph,
    source: Source | str,
    inputs: Sequence[Path | str],
    *,
    repo_id: str | None = None,
    records: Iterable[Mapping[str, Any]] = (),
    cite: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import ``inputs`` of one ``source`` into ``lg`` (the command line's ``import``).

    Args:
        lg: the graph.
        source: one of :data:`SOURCES`.
        inputs: files or folders of that source.
        repo_id: ``hf-cards``: the Hub id of the one card file given.
        records: ``hf-hub``: records already fetched.
        cite: ``epoch``: the table's public URL, cited instead of the file.
        progress: called as ``progress(done, total)``.

    Returns:
        The :class:`ImportReport`.

    Raises:
        UsageError: an unknown source, or an option that does not apply to it.
        DataLoadError: an input is missing or not in the source's format.
        LineageCycleError: the facts would close a derivation cycle (nothing is added).
    """
    if source not in SOURCES:
        raise UsageError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if repo_id is not None and source != "hf-cards":
        raise UsageError("--id applies to hf-cards only")
    if cite is not None and source != "epoch":
        raise UsageError("--cite applies to epoch only")
    if source == "hf-cards":
        return import_hf_cards(lg, inputs, repo_id=repo_id, progress=progress)
    if source == "hf-hub":
        return import_hf_hub(lg, inputs, records=records, progress=progress)
    if source == "epoch":
        return import_epoch(lg, inputs, cite=cite, progress=progress)
    return import_wikidata(lg, inputs, progress=progress)
