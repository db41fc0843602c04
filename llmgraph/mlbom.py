"""A model's lineage as a CycloneDX 1.6 ML-BOM, for SBOM scanners and model registries.

:func:`to_cyclonedx` returns the BOM as a JSON-ready dict (:func:`write_cyclonedx` writes it):

- each model is a ``machine-learning-model`` component whose ``bom-ref`` is its IRI, with
  its label as ``name``, its developer as ``supplier``, its Hugging Face id as a
  ``pkg:huggingface/…`` package URL, its licence as an SPDX id (``{"license": {"id": …}}``)
  or, for licences SPDX does not list, by name with the licence text's URL, and every
  source the data cites as an external reference (``model-card`` for Hugging Face pages,
  ``documentation`` for papers, ``website`` otherwise);
- its weight lineage is its ``pedigree``: the direct parents as ``ancestors`` (each with the
  relation, ``fineTunedFrom`` …, as an ``llmgraph:relation`` property, and their own
  pedigree nested, up to the roots), and the whole lineage again as ``dependencies``
  (child ``dependsOn`` parents) between the top-level components;
- release date, parameter count, family and teachers (``trainedOnOutputsOf``) are
  ``llmgraph:`` properties.

With one model asked for, it is the BOM's ``metadata.component`` and its ancestors are the
``components``; with several (or a family), all of them and their ancestors are components.
The document is deterministic (no timestamp; the serial number is a UUID derived from the
models' IRIs), so two exports of the same graph are byte-identical.

>>> from llmgraph import LineageGraph
>>> bom = to_cyclonedx(LineageGraph.load(), ["Vicuna 13B v1.5"])
>>> bom["specVersion"], bom["metadata"]["component"]["name"]
('1.6', 'Vicuna 13B v1.5')
>>> [c["name"] for c in bom["components"]]
['Llama 2 13B']
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from importlib.metadata import version as _version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from llmgraph.asof import as_of_mask
from llmgraph.errors import DataLoadError, UsageError
from llmgraph.terms import IRI, RELATIONS, WEIGHT_RELATIONS

if TYPE_CHECKING:
    from llmgraph.base import BaseGraph
    from llmgraph.engine import LineageIndex

__all__ = ["SPEC_VERSION", "to_cyclonedx", "write_cyclonedx"]

SPEC_VERSION = "1.6"
"""The CycloneDX specification version written."""

_SPDX = "http://spdx.org/licenses/"
_NAMESPACE = uuid.UUID("8c3b7f0e-4f0e-5a1e-9a59-6c6c6d677261")


def _reference_type(url: str) -> str:
    if url.startswith("https://huggingface.co/"):
        return "model-card"
    if url.startswith(("https://arxiv.org/", "http://arxiv.org/", "https://doi.org/")):
        return "documentation"
    return "website"


class _Builder:
    def __init__(self, lg: BaseGraph, engine: LineageIndex):
        self.lg = lg
        self.engine = engine
        self.weight = engine.mask(WEIGHT_RELATIONS)
        self.teacher = engine.mask(["trainedOnOutputsOf"])
        self._licence_urls: dict[int, str | None] = {}

    def parents(self, node: int) -> list[tuple[int, str]]:
        _, nodes, codes = self.engine.expand(np.array([node]), "out", self.weight)
        pairs = sorted(
            set(zip(nodes.tolist(), codes.tolist(), strict=True)),
            key=lambda p: (self.engine.label(p[0]).casefold(), p[1]),
        )
        return [(n, RELATIONS[c]) for n, c in pairs]

    def licence(self, node: int) -> list[dict[str, Any]]:
        lic = self.engine.licence(node)
        if lic < 0:
            return []
        iri = self.engine.iri(lic)
        if iri.startswith(_SPDX):
            return [{"license": {"id": iri[len(_SPDX) :]}}]
        if lic not in self._licence_urls:
            urls = self.lg.sources(iri)
            self._licence_urls[lic] = urls[0] if urls else None
        named: dict[str, Any] = {"name": self.engine.label(lic)}
        if self._licence_urls[lic]:
            named["url"] = self._licence_urls[lic]
        return [{"license": named}]

    def properties(self, node: int) -> list[dict[str, str]]:
        e = self.engine
        props: list[dict[str, str]] = [{"name": "llmgraph:id", "value": str(e.iri(node))}]
        released = e.released(node)
        if released is not None:
            props.append({"name": "llmgraph:releaseDate", "value": released.isoformat()})
            precision = e.precision(node)
            if precision and precision != "day":
                props.append({"name": "llmgraph:releaseDatePrecision", "value": precision})
        params = e.parameters(node)
        if params:
            props.append({"name": "llmgraph:parameterCount", "value": str(params)})
        family = e.family(node)
        if family >= 0:
            props.append({"name": "llmgraph:family", "value": e.label(family)})
        _, teachers, _ = e.expand(np.array([node]), "out", self.teacher)
        for t in sorted(set(teachers.tolist()), key=lambda n: e.label(n).casefold()):
            props.append({"name": "llmgraph:trainedOnOutputsOf", "value": e.label(t)})
        return props

    def component(self, node: int, *, full: bool, seen: frozenset[int] = frozenset()) -> Any:
        e = self.engine
        comp: dict[str, Any] = {"type": "machine-learning-model"}
        if full:
            comp["bom-ref"] = str(e.iri(node))
        comp["name"] = e.label(node)
        dev = e.developer(node)
        if dev >= 0:
            comp["supplier"] = {"name": e.label(dev)}
        hub = e.hub_ids([node])[0]
        if hub:
            comp["purl"] = f"pkg:huggingface/{hub}"
        licences = self.licence(node)
        if licences:
            comp["licenses"] = licences
        if full:
            refs = [
                {"type": _reference_type(url), "url": url}
                for url in self.lg.sources(str(e.iri(node)))
            ]
            if refs:
                comp["externalReferences"] = refs
        ancestors = []
        for parent, relation in self.parents(node):
            if parent in seen:
                continue
            copy = self.component(parent, full=False, seen=seen | {node})
            copy.setdefault("properties", []).insert(
                0, {"name": "llmgraph:relation", "value": relation}
            )
            ancestors.append(copy)
        if ancestors:
            comp["pedigree"] = {"ancestors": ancestors}
        comp["properties"] = [*comp.get("properties", []), *self.properties(node)]
        return comp


def to_cyclonedx(
    lg: BaseGraph,
    models: Iterable[str] | None = None,
    *,
    as_of: str | dt.date | None = None,
) -> dict[str, Any]:
    """Return the CycloneDX 1.6 ML-BOM of models and their weight lineage (a JSON-ready dict).

    Args:
        lg: the graph.
        models: models or families (names, Hub ids or IRIs); ``None``: every model.
        as_of: only models released by this date (:mod:`llmgraph.asof`); a model asked for
            that came out later is an error.

    Returns:
        The BOM (see the module docstring); ``json.dumps`` it, or use :func:`write_cyclonedx`.

    Raises:
        UnknownEntityError: a name matches nothing (the message lists close matches).
        WrongKindError: a name is not a model or a family.
        UsageError: a bad date, or a model released after ``as_of``.

    >>> from llmgraph import LineageGraph
    >>> bom = to_cyclonedx(LineageGraph.load(), ["Code Llama 7B Instruct"])
    >>> subject = bom["metadata"]["component"]
    >>> [a["name"] for a in subject["pedigree"]["ancestors"]]
    ['Code Llama 7B']
    >>> subject["pedigree"]["ancestors"][0]["licenses"]
    [{'license': {'name': 'Llama 2 Community License Agreement', 'url': 'https://ai.meta.com/resources/models-and-libraries/llama-downloads/'}}]
    """
    from llmgraph.terms import MODEL

    if models is None:
        engine = lg.engine
        classes = np.asarray(engine.arrays["classes"])
        subjects = np.flatnonzero(classes & MODEL).tolist()
    else:
        iris: list[IRI] = []
        for name in models:
            iris += lg.members(str(name))
        if not iris:
            raise UsageError("no models to export")
        reach = WEIGHT_RELATIONS | {"trainedOnOutputsOf"}
        engine = lg.engine_for(iris, reach, direction="out", depth=None)
        subjects = [engine.find(i) for i in dict.fromkeys(iris)]
    cut = as_of_mask(engine, as_of) if as_of is not None else None
    if cut is not None:
        if models is None:
            subjects = [n for n in subjects if cut.keeps(n)]
        else:
            late = [n for n in subjects if not cut.keeps(n)]
            if late:
                raise UsageError(
                    f"{engine.label(late[0])!r} was not released by {cut.date.isoformat()}"
                )
    build = _Builder(lg, engine)
    chosen: set[int] = set(subjects)
    if subjects:
        chosen |= set(
            engine.reachable(
                np.array(subjects), direction="out", relations=WEIGHT_RELATIONS
            ).tolist()
        )
    order = sorted(chosen, key=lambda n: (engine.label(n).casefold(), engine.iri(n)))
    refs = [str(engine.iri(n)) for n in order]
    serial = uuid.uuid5(_NAMESPACE, "\n".join(refs))
    bom: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "tools": {
                "components": [
                    {"type": "application", "name": "llmgraph", "version": _version("llmgraph")}
                ]
            }
        },
    }
    single = len(subjects) == 1 and models is not None
    components = []
    for node in order:
        comp = build.component(node, full=True)
        if single and node == subjects[0]:
            bom["metadata"]["component"] = comp
        else:
            components.append(comp)
    bom["components"] = components
    bom["dependencies"] = [
        {
            "ref": str(engine.iri(node)),
            "dependsOn": [str(engine.iri(p)) for p, _ in build.parents(node)],
        }
        for node in order
    ]
    return bom


def write_cyclonedx(
    lg: BaseGraph,
    out: Path | str,
    models: Iterable[str] | None = None,
    *,
    as_of: str | dt.date | None = None,
) -> Path:
    """Write the ML-BOM of :func:`to_cyclonedx` to ``out`` as JSON and return the path.

    Raises:
        DataLoadError: the file cannot be written.

    >>> import tempfile, pathlib, json
    >>> from llmgraph import LineageGraph
    >>> out = pathlib.Path(tempfile.mkdtemp(), "bom.cdx.json")
    >>> path = write_cyclonedx(LineageGraph.load(), out, ["Alpaca 7B"])
    >>> json.loads(path.read_text())["metadata"]["component"]["supplier"]
    {'name': 'Stanford University'}
    """
    path = Path(out)
    text = json.dumps(to_cyclonedx(lg, models, as_of=as_of), indent=2, ensure_ascii=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise DataLoadError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    return path
