"""Entity resolution: find the loaded entity a source means, or say that none or several match.

The same model arrives as ``LLaMA-13B`` (Epoch), ``huggyllama/llama-13b`` (the Hub) and the
curated ``LLaMA 13B``. A :class:`Resolver` indexes the models, organizations and licences of a
graph and answers, in this order, stopping at the first level that matches anything:

Models
    1. the Wikidata item (``owl:sameAs``);
    2. the Hugging Face id (``llm:huggingFaceId``, case-insensitive);
    3. for a Hub id, its repository name against labels, aliases and the repository names of
       other Hub ids, among models that have no Hub id or the same Hub owner (so
       ``meta-llama/Meta-Llama-3.1-70B-Instruct`` finds the renamed
       ``meta-llama/Llama-3.1-70B-Instruct``, ``huggyllama/llama-13b`` finds ``LLaMA 13B``, but
       ``SkunkworksAI/phi-2`` does not become Microsoft's ``Phi-2``);
    4. for a plain name, the name against labels and aliases, then against the repository
       names of Hub ids.

Names are compared after :func:`llmgraph.names.normalize` (case, spaces and punctuation
dropped, a dot between digits kept). A level that matches several entities makes the name
*ambiguous*: nothing is chosen, and the importer keeps the new entity apart and reports it.

Organizations: the Wikidata item, then the name (label or alias), then a Hub owner's name, then
the developers of the models already loaded under that Hub owner.

Licences: known Hub licence ids (``llama2``, ``apache-2.0`` …, see :data:`HUB_LICENSES`),
SPDX ids, then licence labels and aliases.

>>> from llmgraph import LineageGraph
>>> r = Resolver(LineageGraph.load().rdf)
>>> r.model(name="LLaMA-13B").entity
rdflib.term.URIRef('https://w3id.org/llmgraph/id/llama-13b')
>>> r.model(hf_id="huggyllama/llama-13b").by
'label or alias'
>>> r.model(hf_id="SkunkworksAI/phi-2").entity is None
True
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from llmgraph.engine import normalize
from llmgraph.vocab import LLM, LLMID, ORGANIZATION_KINDS, WIKIDATA

__all__ = [
    "HF_ID",
    "HF_OWNER",
    "HUB_LICENSES",
    "SPDX",
    "WIKIDATA",
    "Resolution",
    "Resolver",
    "slug",
]

HF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
"""A Hub repository id, ``owner/name`` (the pattern of ``llm:huggingFaceId`` in the shapes)."""
HF_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""A Hub user or organization name: the part of a repository id before the slash."""


SPDX = "http://spdx.org/licenses/"

HUB_LICENSES: dict[str, URIRef] = {
    "llama2": LLMID["license-llama-2-community"],
    "llama3": LLMID["license-llama-3-community"],
    "llama3.1": LLMID["license-llama-3-1-community"],
    "llama3.2": LLMID["license-llama-3-2-community"],
    "llama3.3": LLMID["license-llama-3-3-community"],
    "llama4": LLMID["license-llama-4-community"],
    "gemma": LLMID["license-gemma-terms-of-use"],
    "gemma-terms-of-use": LLMID["license-gemma-terms-of-use"],
    "bigscience-bloom-rail-1.0": LLMID["license-bigscience-bloom-rail-1-0"],
    "ai2-impact-license-low-risk": LLMID["license-ai2-impact-low-risk"],
    "microsoft-research-license": LLMID["license-microsoft-research"],
    "deepseek": LLMID["license-deepseek-model"],
    "deepseek-license": LLMID["license-deepseek-model"],
    "tongyi-qianwen": LLMID["license-tongyi-qianwen"],
    "qwen": LLMID["license-qwen"],
    "qwen-research": LLMID["license-qwen-research"],
    "yi-license": LLMID["license-yi"],
    "mrl": LLMID["license-mistral-ai-research"],
    "mnpl": LLMID["license-mistral-ai-non-production"],
    "nvidia-open-model-license": LLMID["license-nvidia-open-model"],
    "databricks-open-model-license": LLMID["license-databricks-open-model"],
    "stabilityai-community": LLMID["license-stability-ai-community"],
}
"""Hugging Face licence ids that name a licence of the bundled data."""

_SPDX_IDS = [
    "Apache-2.0",
    "MIT",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-NC-ND-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-2.0",
    "CC-BY-3.0",
    "CC-BY-NC-2.0",
    "CC-BY-NC-3.0",
    "CC0-1.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSL-1.0",
    "GPL-2.0-only",
    "GPL-3.0-only",
    "LGPL-2.1-only",
    "LGPL-3.0-only",
    "AGPL-3.0-only",
    "MPL-2.0",
    "EPL-2.0",
    "Unlicense",
    "WTFPL",
    "AFL-3.0",
    "Artistic-2.0",
    "ECL-2.0",
    "ISC",
    "OpenRAIL",
    "OpenRAIL-M",
    "CreativeML-OpenRAIL-M",
    "BigCode-OpenRAIL-M",
    "ODbL-1.0",
    "ODC-By-1.0",
    "PDDL-1.0",
    "OSL-3.0",
    "Zlib",
    "NCSA",
    "CDLA-Permissive-2.0",
    "LPPL-1.3c",
]
_SPDX_ALIASES = {"gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only", "gpl": "GPL-3.0-only"}
_SPDX_ALIASES |= {"lgpl-2.1": "LGPL-2.1-only", "lgpl-3.0": "LGPL-3.0-only"}
_SPDX_ALIASES |= {"agpl-3.0": "AGPL-3.0-only", "lgpl-lr": "LGPL-3.0-only", "odc-by": "ODC-By-1.0"}
_SPDX_BY_LOWER = {i.casefold(): i for i in _SPDX_IDS} | _SPDX_ALIASES


def slug(text: str) -> str:
    """Return the slug of ``text``: lower case, every run of other characters one ``-``.

    The rule of ``data/README.md`` ("Mixtral 8x7B" → ``mixtral-8x7b``).

    >>> slug("Llama 3.1 8B Instruct"), slug("  PaLM (540B) ")
    ('llama-3-1-8b-instruct', 'palm-540b')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def spdx_id(text: str) -> str | None:
    """Return the SPDX identifier ``text`` names (any case; Hub spellings such as ``gpl-3.0``).

    >>> spdx_id("apache-2.0"), spdx_id("cc0-1.0"), spdx_id("llama2")
    ('Apache-2.0', 'CC0-1.0', None)
    """
    return _SPDX_BY_LOWER.get(text.strip().casefold())


@dataclass(frozen=True)
class Resolution:
    """The answer of a :class:`Resolver`.

    Attributes:
        entity: the entity found, or ``None``.
        by: how it was found (see :class:`~llmgraph.importers.report.Match`); ``""`` if not.
        candidates: when ambiguous, the entities that matched equally well (sorted).
    """

    entity: URIRef | None
    by: str = ""
    candidates: tuple[URIRef, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """``True`` when several entities matched and none was chosen."""
        return self.entity is None and len(self.candidates) > 1


_NONE = Resolution(None)
_K = TypeVar("_K")
_V = TypeVar("_V")


class _Table(dict[_K, Any], Generic[_K, _V]):
    """A many-valued index: each key holds one value, or a set once it has several.

    At Hub scale almost every key (a Hub id, a name) holds one entity, and a ``set`` per key
    would cost about 200 bytes each: a million models, hundreds of megabytes.
    """

    def of(self, key: _K) -> Collection[_V]:
        """Return the values of ``key`` (empty if none)."""
        found = self.get(key, _ABSENT)
        if found is _ABSENT:
            return ()
        return found if type(found) is set else (found,)

    def among(self, key: _K, allowed: set[_V]) -> set[_V]:
        """Return the values of ``key`` that are in ``allowed``."""
        return {v for v in self.of(key) if v in allowed}

    def put(self, key: _K, value: _V) -> bool:
        """Add ``value`` under ``key``; return whether it was not there yet."""
        found = self.get(key, _ABSENT)
        if found is _ABSENT:
            self[key] = value
        elif type(found) is set:
            if value in found:
                return False
            found.add(value)
        elif found == value:
            return False
        else:
            self[key] = {found, value}
        return True

    def discard(self, key: _K, value: _V) -> None:
        """Remove ``value`` from under ``key`` if it is there."""
        found = self.get(key, _ABSENT)
        if type(found) is set:
            found.discard(value)
            if not found:
                del self[key]
        elif found is not _ABSENT and found == value:
            del self[key]


_ABSENT: Any = object()


def _pick(found: Collection[URIRef], by: str) -> Resolution | None:
    if len(found) == 1:
        return Resolution(next(iter(found)), by)
    if len(found) > 1:
        return Resolution(None, by, tuple(sorted(found)))
    return None


def _graph_reader(graph: Graph) -> Callable[[str], Iterator[tuple[str, Any]]]:
    def read(predicate: str) -> Iterator[tuple[str, Any]]:
        for s, o in graph.subject_objects(URIRef(predicate)):
            if isinstance(s, URIRef):
                yield str(s), str(o)

    return read


def _owner(hf_id: str) -> str:
    return hf_id.split("/", 1)[0].casefold() if "/" in hf_id else ""


def _repo_name(hf_id: str) -> str:
    return hf_id.rsplit("/", 1)[-1]


class Resolver:
    """An index of the models, organizations and licences of a graph, for importers.

    Importers :meth:`add_model` (etc.) what they create as they go, so that a later record
    about the same entity resolves to it instead of creating a duplicate.
    """

    def __init__(self, graph: Graph | None = None):
        self._labels: dict[URIRef, str] = {}
        self._models: set[URIRef] = set()
        self._orgs: set[URIRef] = set()
        self._licenses: set[URIRef] = set()
        self._qid: _Table[str, URIRef] = _Table()
        self._hf: _Table[str, URIRef] = _Table()
        self._model_names: _Table[str, URIRef] = _Table()
        self._model_repo_names: _Table[str, URIRef] = _Table()
        self._owners: _Table[URIRef, str] = _Table()
        self._org_names: _Table[str, URIRef] = _Table()
        self._owner_developers: _Table[str, URIRef] = _Table()
        self._license_names: _Table[str, URIRef] = _Table()
        self._journal: list[tuple[object, object, object]] = []
        if graph is not None:
            self._index_all(_graph_reader(graph))
        self._journal.clear()

    @classmethod
    def of(cls, read: Callable[[str], Iterable[tuple[str, Any]]]) -> Resolver:
        """Return a resolver over a backend's facts (``read(predicate)`` → subject, object).

        One pass per predicate, on any backend (``LineageGraph.backend.read``).
        """
        resolver = cls()
        resolver._index_all(read)
        resolver._journal.clear()
        return resolver

    def _index_all(self, read: Callable[[str], Iterable[tuple[str, Any]]]) -> None:
        def texts(predicate: URIRef) -> dict[str, list[str]]:
            out: dict[str, list[str]] = defaultdict(list)
            for subject, value in read(str(predicate)):
                out[subject].append(str(getattr(value, "lexical", value)))
            return out

        kinds: dict[str, set[str]] = defaultdict(set)
        classes = {str(LLM.Model): "model", str(LLM.License): "license"}
        classes |= {str(c): "organization" for c in (LLM.Organization, *ORGANIZATION_KINDS)}
        for subject, cls in read(str(RDF.type)):
            kind = classes.get(str(cls))
            if kind is not None:
                kinds[subject].add(kind)
        labels, aliases = texts(RDFS.label), texts(SKOS.altLabel)
        hub, same = texts(LLM.huggingFaceId), texts(OWL.sameAs)
        for subject, kind in sorted((s, k) for s, ks in kinds.items() for k in sorted(ks)):
            iri = URIRef(subject)
            own = labels.get(subject, [])
            names = own + aliases.get(subject, [])
            qids = [o[len(WIKIDATA) :] for o in same.get(subject, []) if o.startswith(WIKIDATA)]
            label = sorted(own)[0] if own else subject
            if kind == "model":
                self.add_model(
                    iri, label=label, names=names, hf_ids=hub.get(subject, []), qids=qids
                )
            elif kind == "organization":
                self.add_organization(iri, label=label, names=names, qids=qids)
            else:
                self.add_license(iri, label=label, names=names)
        developers = texts(LLM.developedBy)
        for subject, hf_ids in hub.items():
            if "model" not in kinds.get(subject, ()):
                continue
            for hf_id in hf_ids:
                owner = _owner(hf_id)
                for dev in developers.get(subject, []):
                    if owner:
                        self._owner_developers.put(owner, URIRef(dev))

    # ------------------------------------------------------------------ registration

    def mark(self) -> int:
        """Return a mark to :meth:`undo` back to (registrations after it are forgotten)."""
        return len(self._journal)

    def keep(self) -> None:
        """Make every registration so far permanent: no :meth:`undo` reaches before now.

        An importer calls it when a record is committed, so that the journal holds one
        record's registrations, not those of millions.

        >>> r = Resolver()
        >>> r.add_model(URIRef("http://e/m"), hf_ids=["a/b"])
        >>> r.keep()
        >>> r.undo(r.mark())
        >>> r.model(hf_id="a/b").entity
        rdflib.term.URIRef('http://e/m')
        """
        self._journal.clear()

    def undo(self, mark: int) -> None:
        """Forget every registration made after :meth:`mark` returned ``mark``."""
        while len(self._journal) > mark:
            container, key, value = self._journal.pop()
            if isinstance(container, set):
                container.discard(value)
            elif isinstance(container, _Table):
                container.discard(key, value)
            elif container is self._labels:
                del self._labels[key]  # type: ignore[arg-type]

    def _put(self, table: _Table[_K, _V], key: _K, value: _V) -> None:
        if table.put(key, value):
            self._journal.append((table, key, value))

    def _member(self, group: set[URIRef], value: URIRef) -> None:
        if value not in group:
            group.add(value)
            self._journal.append((group, None, value))

    def _label(self, iri: URIRef, label: str | None) -> None:
        if label is not None and iri not in self._labels:
            self._labels[iri] = label
            self._journal.append((self._labels, iri, iri))

    def add_model(
        self,
        iri: URIRef,
        *,
        label: str | None = None,
        names: Iterable[str] = (),
        hf_ids: Iterable[str] = (),
        qids: Iterable[str] = (),
    ) -> None:
        """Index a model under its names, Hub ids and Wikidata items."""
        self._member(self._models, iri)
        self._label(iri, label)
        for name in names:
            if key := normalize(name):
                self._put(self._model_names, key, iri)
        for hf_id in hf_ids:
            self._put(self._hf, hf_id.casefold(), iri)
            if key := normalize(_repo_name(hf_id)):
                self._put(self._model_repo_names, key, iri)
            if owner := _owner(hf_id):
                self._put(self._owners, iri, owner)
        for qid in qids:
            self._put(self._qid, qid, iri)

    def add_organization(
        self,
        iri: URIRef,
        *,
        label: str | None = None,
        names: Iterable[str] = (),
        qids: Iterable[str] = (),
    ) -> None:
        """Index an organization under its names and Wikidata items."""
        self._member(self._orgs, iri)
        self._label(iri, label)
        for name in names:
            if key := normalize(name):
                self._put(self._org_names, key, iri)
        for qid in qids:
            self._put(self._qid, qid, iri)

    def add_license(
        self, iri: URIRef, *, label: str | None = None, names: Iterable[str] = ()
    ) -> None:
        """Index a licence under its names."""
        self._member(self._licenses, iri)
        self._label(iri, label)
        for name in names:
            if key := normalize(name):
                self._put(self._license_names, key, iri)

    def add_owner_developer(self, hf_owner: str, org: URIRef) -> None:
        """Remember that models under ``hf_owner`` are developed by ``org``."""
        self._put(self._owner_developers, hf_owner.casefold(), org)

    # ------------------------------------------------------------------ questions

    def label(self, iri: URIRef) -> str:
        """Return the label indexed for ``iri`` (its IRI if none)."""
        return self._labels.get(iri, str(iri))

    def is_model(self, iri: URIRef) -> bool:
        """Return whether ``iri`` is an indexed model."""
        return iri in self._models

    def is_organization(self, iri: URIRef) -> bool:
        """Return whether ``iri`` is an indexed organization."""
        return iri in self._orgs

    def is_license(self, iri: URIRef) -> bool:
        """Return whether ``iri`` is an indexed licence."""
        return iri in self._licenses

    def model(
        self, *, hf_id: str | None = None, name: str | None = None, qid: str | None = None
    ) -> Resolution:
        """Return the model a source means by a Hub id, a name and/or a Wikidata item.

        >>> from llmgraph.store import parse_text
        >>> r = Resolver(parse_text('''@prefix llm: <https://w3id.org/llmgraph#> .
        ...   <http://e/m> a llm:Model ; llm:huggingFaceId "meta-llama/Llama-2-7b-hf" .'''))
        >>> r.model(hf_id="META-LLAMA/llama-2-7b-HF")
        Resolution(entity=rdflib.term.URIRef('http://e/m'), by='huggingFaceId', candidates=())
        """
        if qid and (found := _pick(self._qid.among(qid, self._models), "owl:sameAs")):
            return found
        if hf_id:
            if found := _pick(self._hf.of(hf_id.casefold()), "huggingFaceId"):
                return found
            key = normalize(_repo_name(hf_id))
            owner = _owner(hf_id)
            near = {*self._model_names.of(key), *self._model_repo_names.of(key)} if key else set()
            if near:
                near = {m for m in near if (o := self._owners.of(m)) == () or owner in o}
            if found := _pick(near, "label or alias"):
                return found
            return _NONE
        key = normalize(name) if name else ""
        if not key:
            return _NONE
        if found := _pick(self._model_names.of(key), "label or alias"):
            return found
        return _pick(self._model_repo_names.of(key), "Hub repository name") or _NONE

    def organization(
        self, *, name: str | None = None, hf_owner: str | None = None, qid: str | None = None
    ) -> Resolution:
        """Return the organization a source means by a name, a Hub owner or a Wikidata item.

        >>> from llmgraph.store import parse_text
        >>> r = Resolver(parse_text('''@prefix llm: <https://w3id.org/llmgraph#> .
        ...   @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        ...   <http://e/meta> a llm:Organization ; skos:altLabel "Meta AI" .
        ...   <http://e/m> a llm:Model ; llm:huggingFaceId "meta-llama/x" ;
        ...       llm:developedBy <http://e/meta> .'''))
        >>> r.organization(name="meta ai").entity
        rdflib.term.URIRef('http://e/meta')
        >>> r.organization(hf_owner="meta-llama").by
        'Hub owner'
        """
        if qid and (found := _pick(self._qid.among(qid, self._orgs), "owl:sameAs")):
            return found
        for text in (name, hf_owner):
            key = normalize(text) if text else ""
            if key and (found := _pick(self._org_names.of(key), "label or alias")):
                return found
        developers = self._owner_developers.of(hf_owner.casefold()) if hf_owner else ()
        if found := _pick(developers, "Hub owner"):
            return found
        return _NONE

    def license(self, *, name: str | None = None, qid: str | None = None) -> Resolution:
        """Return the licence a source means by a Hub licence id, an SPDX id or a name.

        >>> from llmgraph.store import parse_text
        >>> r = Resolver(parse_text('''@prefix llm: <https://w3id.org/llmgraph#> .
        ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ...   <https://w3id.org/llmgraph/id/license-llama-2-community> a llm:License .
        ...   <http://spdx.org/licenses/MIT> a llm:License .
        ...   <http://e/msr> a llm:License ; rdfs:label "Microsoft Research License" .'''))
        >>> for name in ("llama2", "mit", "microsoft-research license"):
        ...     print(r.license(name=name).entity)
        https://w3id.org/llmgraph/id/license-llama-2-community
        http://spdx.org/licenses/MIT
        http://e/msr
        """
        if qid and (found := _pick(self._qid.among(qid, self._licenses), "owl:sameAs")):
            return found
        if not name:
            return _NONE
        text = name.strip()
        known = HUB_LICENSES.get(text.casefold())
        if known is not None and known in self._licenses:
            return Resolution(known, "Hub licence id")
        spdx = spdx_id(text)
        if spdx is not None and URIRef(SPDX + spdx) in self._licenses:
            return Resolution(URIRef(SPDX + spdx), "SPDX id")
        key = normalize(text)
        if key and (found := _pick(self._license_names.of(key), "label or alias")):
            return found
        minted = LLMID[f"license-{slug(text)}"]
        if minted in self._licenses:
            return Resolution(minted, "label or alias")
        return _NONE
