"""The :class:`LineageGraph` users hold, whatever the backend: the graph and its verbs.

``LineageGraph.load()`` (the bundled data in memory), ``LineageGraph.open(path)`` (an
Oxigraph store on disk) and ``LineageGraph.connect(url)`` (a SPARQL 1.1 endpoint) all return
this class. It is :class:`~llmgraph.base.BaseGraph` (triples, engine, names, the write path)
with the verbs attached: each is a plain function written once, graph first, in the module
named in its docstring, and the method delegates to it in one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmgraph.base import BaseGraph

if TYPE_CHECKING:
    import datetime as dt

    import numpy.typing as npt
    from rdflib.query import Result

    from llmgraph.compare import CommonAncestor, Comparison
    from llmgraph.describe import Fact
    from llmgraph.licensing import Findings
    from llmgraph.results import Links, Step
    from llmgraph.search import Kind, Matches
    from llmgraph.stats import Stats
    from llmgraph.table import LineageTable
    from llmgraph.validate import ValidationReport

__all__ = ["LineageGraph"]


class LineageGraph(BaseGraph):
    """A lineage knowledge graph on any backend, with every verb (see the module docstring).

    Build one with :meth:`load`, :meth:`open` or :meth:`connect`. Read facts through the verbs,
    :meth:`query`, :meth:`triples` and :attr:`rdf`; change them only through :meth:`add`,
    :meth:`remove`, :meth:`add_file` and the importers, which check them and leave the graph
    unchanged when they raise.

    >>> lg = LineageGraph.load()
    >>> [a.label for a in lg.ancestors("Vicuna 13B v1.5")]
    ['Llama 2 13B']
    """

    def describe(self, entity: str, *, incoming: bool = True) -> list[Fact]:
        """Return what the graph says about ``entity``; see :func:`llmgraph.describe.describe`.

        >>> facts = LineageGraph.load().describe("Llama 2 7B")
        >>> [f.value for f in facts if f.property == "developedBy"]
        ['Meta']
        """
        from llmgraph.describe import describe

        return describe(self, entity, incoming=incoming)

    # ------------------------------------------------------------------ verbs (delegates)

    def ancestors(
        self,
        name: str,
        *,
        depth: int | None = None,
        relations: Iterable[str] | None = None,
        family: bool = False,
        as_of: str | dt.date | None = None,
    ) -> Links:
        """Return what ``name`` was built on; see :func:`llmgraph.lineage.ancestors`.

        >>> [a.label for a in LineageGraph.load().ancestors("Koala 13B")]
        ['LLaMA 13B']
        """
        from llmgraph.lineage import ancestors

        return ancestors(self, name, depth=depth, relations=relations, family=family, as_of=as_of)

    def descendants(
        self,
        name: str,
        *,
        depth: int | None = None,
        relations: Iterable[str] | None = None,
        family: bool = False,
        as_of: str | dt.date | None = None,
    ) -> Links:
        """Return what was built on ``name``; see :func:`llmgraph.lineage.descendants`.

        >>> [d.label for d in LineageGraph.load().descendants("Code Llama 7B", depth=1)]
        ['Code Llama 7B Instruct', 'Code Llama 7B Python', 'Llemma 7B']
        """
        from llmgraph.lineage import descendants

        return descendants(self, name, depth=depth, relations=relations, family=family, as_of=as_of)

    def path(
        self,
        source: str,
        target: str,
        *,
        relations: Iterable[str] | None = None,
        directed: bool = False,
    ) -> list[Step]:
        """Return a shortest lineage path between two models; see :func:`llmgraph.lineage.path`.

        >>> [s.object_label for s in LineageGraph.load().path("Code Llama 7B Python", "Llama 2 7B")]
        ['Code Llama 7B', 'Llama 2 7B']
        """
        from llmgraph.lineage import path

        return path(self, source, target, relations=relations, directed=directed)

    def backers(self, org: str, *, transitive: bool = False) -> Links:
        """Return who backs ``org``; see :func:`llmgraph.lineage.backers`.

        >>> [b.label for b in LineageGraph.load().backers("MosaicML")]
        ['Databricks']
        """
        from llmgraph.lineage import backers

        return backers(self, org, transitive=transitive)

    def portfolio(self, org: str, *, transitive: bool = False) -> Links:
        """Return whom ``org`` backs; see :func:`llmgraph.lineage.portfolio`.

        >>> "Anthropic" in [p.label for p in LineageGraph.load().portfolio("Amazon")]
        True
        """
        from llmgraph.lineage import portfolio

        return portfolio(self, org, transitive=transitive)

    def descendant_ids(self, name: str, *, depth: int | None = None) -> npt.NDArray[Any]:
        """Return the weight-lineage descendants of ``name`` as engine node numbers (numpy).

        The fastest answer (no labels, no paths): ``lg.engine.iris(ids)`` gives IRIs.

        >>> lg = LineageGraph.load()
        >>> len(lg.descendant_ids("Llama 2 7B")) == len(lg.descendants("Llama 2 7B"))
        True
        """
        import numpy as np

        from llmgraph.lineage import reachable

        return np.asarray(reachable(self, name, direction="in", depth=depth))

    def ancestor_ids(self, name: str, *, depth: int | None = None) -> npt.NDArray[Any]:
        """Return the weight-lineage ancestors of ``name`` as engine node numbers (numpy).

        >>> lg = LineageGraph.load()
        >>> lg.engine.iris(lg.ancestor_ids("Vicuna 13B v1.5"))
        ['https://w3id.org/llmgraph/id/llama-2-13b']
        """
        import numpy as np

        from llmgraph.lineage import reachable

        return np.asarray(reachable(self, name, direction="out", depth=depth))

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Any] | None = None,
        allow_service: bool = False,
    ) -> Result:
        """Run SPARQL with llmgraph's prefixes bound; see :func:`llmgraph.sparql.query`.

        >>> bool(LineageGraph.load().query("ASK { ?m llm:quantizedFrom ?p }"))
        True
        """
        from llmgraph.sparql import query

        return query(self, sparql, bindings=bindings, allow_service=allow_service)

    def validate(self) -> ValidationReport:
        """Check the graph against the SHACL shapes; see :func:`llmgraph.validate.validate`.

        >>> LineageGraph.load().validate().conforms
        True
        """
        from llmgraph.validate import validate

        return validate(self)

    def stats(self) -> Stats:
        """Count what the graph holds; see :func:`llmgraph.stats.stats`.

        >>> LineageGraph.load().stats().uncited
        0
        """
        from llmgraph.stats import stats

        return stats(self)

    def table(self) -> LineageTable:
        """Return every model's roots, depth and licence chain; see :mod:`llmgraph.table`.

        >>> rows = LineageGraph.load().table().rows()
        >>> row = next(r for r in rows if r["label"] == "Vicuna 13B v1.5")
        >>> row["roots"], row["depth"]
        ('Llama 2 13B', 1)
        """
        from llmgraph.table import lineage_table

        return lineage_table(self.engine)

    def license_conflicts(self, *, as_of: str | dt.date | None = None) -> Findings:
        """Return every edge whose child drops a parent's licence clause.

        See :func:`llmgraph.licensing.license_conflicts`.

        >>> found = LineageGraph.load().license_conflicts()
        >>> ("conflict", "Guanaco 7B", "LLaMA 7B", "nonCommercial") in [
        ...     (f.status, f.model_label, f.ancestor_label, f.kind) for f in found]
        True
        """
        from llmgraph.licensing import license_conflicts

        return license_conflicts(self, as_of=as_of)

    def license_check(self, name: str, *, as_of: str | dt.date | None = None) -> Findings:
        """Return every licence clause a model inherits, with its status and path.

        See :func:`llmgraph.licensing.license_check`.

        >>> found = LineageGraph.load().license_check("Guanaco 7B")
        >>> [(f.status, f.kind) for f in found if f.status == "conflict"]
        [('conflict', 'nonCommercial'), ('conflict', 'researchOnly')]
        """
        from llmgraph.licensing import license_check

        return license_check(self, name, as_of=as_of)

    def common_ancestors(
        self,
        a: str,
        b: str,
        *,
        relations: Iterable[str] | None = None,
        everything: bool = False,
        as_of: str | dt.date | None = None,
    ) -> list[CommonAncestor]:
        """Return the nearest ancestors two models share.

        See :func:`llmgraph.compare.common_ancestors`.

        >>> [c.label for c in LineageGraph.load().common_ancestors("Alpaca 7B", "Vicuna 7B v0")]
        ['LLaMA 7B']
        """
        from llmgraph.compare import common_ancestors

        return common_ancestors(self, a, b, relations=relations, everything=everything, as_of=as_of)

    def compare(self, a: str, b: str, *, as_of: str | dt.date | None = None) -> Comparison:
        """Return two models' facts side by side; see :func:`llmgraph.compare.compare`.

        >>> LineageGraph.load().compare("Alpaca 7B", "LLaMA 7B").relation
        'Alpaca 7B descends from LLaMA 7B (1 step)'
        """
        from llmgraph.compare import compare

        return compare(self, a, b, as_of=as_of)

    def search(
        self,
        text: str,
        *,
        developer: str | None = None,
        family: str | None = None,
        license: str | None = None,
        since: str | dt.date | None = None,
        until: str | dt.date | None = None,
        kind: Kind | None = None,
        as_of: str | dt.date | None = None,
        limit: int | None = 50,
    ) -> Matches:
        """Find entities by label, alias or Hub id, ranked; see :func:`llmgraph.search.search`.

        >>> [m.label for m in LineageGraph.load().search("codestral", kind="model")][:1]
        ['Codestral 22B v0.1']
        """
        from llmgraph.search import search

        return search(
            self,
            text,
            developer=developer,
            family=family,
            license=license,
            since=since,
            until=until,
            kind=kind,
            as_of=as_of,
            limit=limit,
        )

    def add_file(self, path: Path | str, *, format: str | None = None) -> int:
        """Read an RDF file and :meth:`add` its facts (one transaction).

        Returns:
            The number of triples added (materialized ones included).

        Raises:
            DataLoadError: missing or malformed file (named, with the line).
            InvalidFactError: a fact breaks a rule (the file is named).
            LineageCycleError: the file's facts would close a derivation cycle.

        >>> import tempfile, pathlib
        >>> lg = LineageGraph.load(bundled=False)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     f = pathlib.Path(tmp, "x.ttl")
        ...     _ = f.write_text("<http://e/b> <https://w3id.org/llmgraph#owns> <http://e/a> .")
        ...     lg.add_file(f)
        2
        """
        return self.import_files([path], format=format)

    def import_files(self, paths: Iterable[Path | str], *, format: str | None = None) -> int:
        """Add the facts of RDF files in one transaction: all files or none.

        A store bulk-loads them (Oxigraph's loader, at hundreds of thousands of triples per
        second) and checks what it loaded; the in-memory graph and an endpoint parse them
        here and :meth:`add` the facts.

        Args:
            paths: the files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD).
            format: a suffix such as ``".nt"`` that applies to every file (default: each
                file's own suffix).

        Returns:
            The number of triples the graph grew by.

        Raises:
            DataLoadError: a file is missing or malformed.
            InvalidFactError: a fact breaks a rule.
            LineageCycleError: the files would make lineage cyclic.
        """
        from llmgraph.loading import import_rdf_files

        return import_rdf_files(self, [Path(p) for p in paths], format=format)
