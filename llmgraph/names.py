"""Name resolution: labels, aliases, Hugging Face ids, slugs and IRIs, case-insensitively."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable

from rdflib import RDF, RDFS, SKOS, Graph, URIRef

from llmgraph.errors import AmbiguousNameError, UnknownEntityError
from llmgraph.vocab import ENTITY_CLASSES, LLM, LLMID, ORGANIZATION_KINDS, PREFIXES

__all__ = ["NameIndex", "normalize"]

_NON_ALNUM = re.compile(r"(?<![0-9])\.|\.(?![0-9])|[^\w.]+|_")

PREFERENCES: dict[str, tuple[URIRef, ...]] = {
    "entity": (LLM.Model, LLM.ModelFamily, LLM.Organization, LLM.Platform, LLM.License),
    "model or family": (LLM.ModelFamily, LLM.Model),
    "model": (LLM.Model,),
    "organization": (LLM.Organization,),
    "platform": (LLM.Platform,),
}
"""For each kind of name a caller expects, which classes win when a name is shared.

A family and its flagship model may share a name ("BLOOM"), and so may a company and a family
("Mistral"): a lineage question about "BLOOM" means the family, ``path`` means the model, and
``backers("Mistral")`` means the company.
"""


def normalize(name: str) -> str:
    """Return the loose form of a name: case-folded, punctuation and spaces dropped.

    A dot between digits is kept, so "1.3B" and "13B" stay apart.

    >>> normalize("Llama-2-7b-hf") == normalize("llama 2 7B HF")
    True
    >>> normalize("OPT-1.3B"), normalize("OPT 13B")
    ('opt1.3b', 'opt13b')
    """
    return _NON_ALNUM.sub("", name.casefold())


class NameIndex:
    """Every name of every entity in a graph, for :meth:`resolve`.

    Exact matches (case-insensitive) win over loose ones (see :func:`normalize`), and a name
    that matches several entities at the best level is ambiguous.

    >>> from llmgraph.store import parse_text
    >>> g = parse_text('''@prefix llm: <https://w3id.org/llmgraph#> .
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <https://w3id.org/llmgraph/id/a> a llm:Model ; rdfs:label "Alpha 7B" .''')
    >>> NameIndex(g).resolve("alpha-7b")
    rdflib.term.URIRef('https://w3id.org/llmgraph/id/a')
    """

    def __init__(self, graph: Graph):
        self._exact: dict[str, set[URIRef]] = defaultdict(set)
        self._loose: dict[str, set[URIRef]] = defaultdict(set)
        self._display: dict[str, str] = {}
        self._classes: dict[URIRef, set[URIRef]] = defaultdict(set)
        entities: set[URIRef] = set()
        for cls in (*ENTITY_CLASSES, *ORGANIZATION_KINDS):
            for s in graph.subjects(RDF.type, cls):
                if isinstance(s, URIRef):
                    entities.add(s)
                    self._classes[s].add(LLM.Organization if cls in ORGANIZATION_KINDS else cls)
        for entity in entities:
            label = graph.value(entity, RDFS.label)
            names = [str(v) for v in graph.objects(entity, RDFS.label)]
            names += [str(v) for v in graph.objects(entity, SKOS.altLabel)]
            names += [str(v) for v in graph.objects(entity, LLM.huggingFaceId)]
            names.append(str(entity))
            if str(entity).startswith(str(LLMID)):
                slug = str(entity)[len(str(LLMID)) :]
                names += [slug, f"llmid:{slug}"]
            for name in names:
                self._exact[name.casefold()].add(entity)
                loose = normalize(name)
                if loose:
                    self._loose[loose].add(entity)
            shown = str(label) if label is not None else str(entity)
            for name in names:
                self._display.setdefault(name.casefold(), shown)
        self._prefixes = dict(PREFIXES)

    def resolve(self, name: str | URIRef, *, kind: str = "entity") -> URIRef:
        """Return the IRI of the entity called ``name``.

        Args:
            name: a label, alias, Hugging Face id, slug, prefixed name or IRI.
            kind: what the caller expects, a key of :data:`PREFERENCES`; it decides between
                entities of different classes that share the name, and words the error.

        Raises:
            UnknownEntityError: nothing has that name; the message lists close matches.
            AmbiguousNameError: several entities of the preferred class have that name.
        """
        text = self._expand(str(name)).strip()
        prefer = PREFERENCES.get(kind, PREFERENCES["entity"])
        for table, key in ((self._exact, text.casefold()), (self._loose, normalize(text))):
            found = table.get(key, set())
            if len(found) == 1:
                return next(iter(found))
            if len(found) > 1:
                for cls in prefer:
                    preferred = {f for f in found if cls in self._classes[f]}
                    if len(preferred) == 1:
                        return next(iter(preferred))
                    if preferred:
                        found = preferred
                        break
                raise AmbiguousNameError(text, [str(f) for f in found])
        raise UnknownEntityError(str(name), self.suggest(text), kind=kind)

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Return up to ``limit`` display names close to ``name``, best first."""
        key = name.casefold()
        close = difflib.get_close_matches(key, list(self._display), n=limit * 3, cutoff=0.6)
        if not close:
            close = [k for k in self._display if key and key in k][: limit * 3]
        shown: list[str] = []
        for match in close:
            label = self._display[match]
            if label not in shown:
                shown.append(label)
        return shown[:limit]

    def _expand(self, text: str) -> str:
        prefix, sep, rest = text.partition(":")
        if sep and prefix in self._prefixes and not rest.startswith("//"):
            return str(self._prefixes[prefix]) + rest
        return text

    def names(self) -> Iterable[str]:
        """Return every indexed name, case-folded."""
        return self._exact.keys()
