"""Licence compliance along lineage: which clauses a model inherits, and which edges drop them.

The terms are data (``data/license-clauses.ttl``): each ``llm:License`` lists its
``llm:clause`` nodes, each with an ``llm:clauseKind``, a paraphrase of the licence text and the
licence text it rests on. This module holds only the rule of each kind, applied to a child
(a model) and a parent (a weight ancestor) or a teacher (``llm:trainedOnOutputsOf``):

``permissive``
    nothing to carry (never reported).
``attribution``
    the child must keep the parent's notice; the data cannot show whether it does, so the
    row is a ``notice`` (``kept`` under the same licence).
``shareAlike``
    adaptations under the same licence: any other licence is a ``conflict``.
``useRestrictions``
    use restrictions that must be passed on (RAIL, Llama, Gemma): kept when the child's
    licence has use restrictions of its own, else a ``conflict``.
``nonCommercial`` / ``researchOnly``
    kept when the child's licence is also non-commercial (research-only counts) /
    research-only, else a ``conflict``.
``userThreshold`` / ``outputRestriction``
    kept when the child's licence has such a clause too, else a ``conflict``. On a teacher
    edge an ``outputRestriction`` marks the child ``restricted`` (trained on outputs the terms
    restrict), unless the child shares the teacher's developer or licence.
``namePrefix``
    the child's label or Hugging Face repository name must begin with the prefix
    (``"Llama"`` for Llama 3.1 and later, ``"Llama 3"`` for Meta Llama 3), whatever its
    licence. Clauses marked
    ``llm:appliesToOutputs`` bind teacher edges too.

A child under the same licence as its parent keeps every clause (except naming, checked always);
a child of the parent's own developer is exempt from every clause (a licensor may relicense its
own work), when the child's licence is recorded. A missing licence is never compatible: a child
or parent without a licence, or a parent's licence whose terms are not in the data (the child
under another licence), gives ``unknown`` rows. A child under the same licence as its parent
carries that licence's terms, whatever they are; when they are not in the data it gives no row,
so a naming rule those terms might hold is not checked (the rows of such edges in
:func:`license_conflicts` are empty, not ``kept``).

>>> from llmgraph import LineageGraph
>>> found = LineageGraph.load().license_check("Guanaco 7B")
>>> [(f.status, f.kind, f.reason) for f in found][:1]
[('conflict', 'nonCommercial', 'Apache License 2.0 has no nonCommercial clause')]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import numpy as np

from llmgraph.asof import AsOf, as_of_mask
from llmgraph.terms import IRI, RELATIONS, WEIGHT_RELATIONS

if TYPE_CHECKING:
    import datetime as dt

    from llmgraph.base import BaseGraph
    from llmgraph.engine import LineageIndex

__all__ = [
    "COLUMNS",
    "KINDS",
    "STATUSES",
    "Clause",
    "Finding",
    "Findings",
    "licence_terms",
    "license_check",
    "license_conflicts",
]

KINDS: Final = (
    "permissive",
    "attribution",
    "shareAlike",
    "useRestrictions",
    "nonCommercial",
    "researchOnly",
    "namePrefix",
    "userThreshold",
    "outputRestriction",
)
"""The clause kinds (``llm:clauseKind``) whose rules this module applies."""

STATUSES: Final = ("conflict", "restricted", "unknown", "notice", "kept")
"""The statuses of a :class:`Finding`, most serious first."""

COLUMNS: Final = (
    "status",
    "edge",
    "model",
    "model_licence",
    "ancestor",
    "ancestor_licence",
    "kind",
    "clause",
    "path",
    "reason",
    "sources",
)
"""The columns of :meth:`Findings.rows` and :meth:`Findings.to_csv`."""

_PROBLEMS = frozenset({"conflict", "restricted", "unknown"})
_SATISFIED_BY: Final = {
    "useRestrictions": frozenset({"useRestrictions"}),
    "nonCommercial": frozenset({"nonCommercial", "researchOnly"}),
    "researchOnly": frozenset({"researchOnly"}),
    "userThreshold": frozenset({"userThreshold"}),
    "outputRestriction": frozenset({"outputRestriction"}),
    "shareAlike": frozenset(),
}
_TEACHER = RELATIONS.index("trainedOnOutputsOf")

_TERMS_QUERY = """
SELECT ?licence ?clause ?kind ?label ?prefix ?threshold ?outputs ?source WHERE {
  ?licence llm:clause ?clause .
  ?clause llm:clauseKind ?kind .
  OPTIONAL { ?clause rdfs:label ?label }
  OPTIONAL { ?clause llm:namePrefix ?prefix }
  OPTIONAL { ?clause llm:userThreshold ?threshold }
  OPTIONAL { ?clause llm:appliesToOutputs ?outputs }
  OPTIONAL { ?clause dcterms:source ?source }
}"""


@dataclass(frozen=True)
class Clause:
    """One licence clause (see the module docstring for what each kind asks).

    Attributes:
        id: the clause's IRI.
        licence: the IRI of the licence it belongs to.
        kind: its ``llm:clauseKind``.
        label: its label.
        prefix: the name prefix of a ``namePrefix`` clause.
        threshold: the monthly active users of a ``userThreshold`` clause.
        outputs: whether it also binds models trained on outputs.
        sources: the licence text it rests on (URLs, sorted).
    """

    id: IRI
    licence: IRI
    kind: str
    label: str
    prefix: str | None = None
    threshold: int | None = None
    outputs: bool = False
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What one inherited clause means for one model.

    Attributes:
        status: ``"conflict"`` (the model's licence drops or contradicts the clause),
            ``"restricted"`` (trained on outputs whose terms restrict that use),
            ``"unknown"`` (a licence or its terms are missing), ``"notice"`` (an obligation
            the data cannot check, such as keeping an attribution notice) or ``"kept"``.
        edge: ``"weights"`` (weight lineage) or ``"outputs"`` (a teacher edge).
        model: the IRI of the model the clause binds (the child).
        model_label: its label.
        model_licence: the label of its licence (``""`` for none).
        ancestor: the IRI of the parent, ancestor or teacher whose licence has the clause.
        ancestor_label: its label.
        ancestor_licence: the label of its licence or service terms (``""`` for none).
        clause: the clause (``None`` when a licence or its terms are missing).
        path: the labels from the model to the ancestor, both included.
        reason: one sentence on the status.
    """

    status: str
    edge: str
    model: IRI
    model_label: str
    model_licence: str
    ancestor: IRI
    ancestor_label: str
    ancestor_licence: str
    clause: Clause | None
    path: tuple[str, ...]
    reason: str

    @property
    def kind(self) -> str:
        """The clause's kind (``""`` without a clause)."""
        return self.clause.kind if self.clause else ""

    @property
    def sources(self) -> tuple[str, ...]:
        """The licence text the clause rests on."""
        return self.clause.sources if self.clause else ()

    def row(self) -> dict[str, Any]:
        """Return the finding as a dict with :data:`COLUMNS` (path and sources joined)."""
        return {
            "status": self.status,
            "edge": self.edge,
            "model": self.model_label,
            "model_licence": self.model_licence,
            "ancestor": self.ancestor_label,
            "ancestor_licence": self.ancestor_licence,
            "kind": self.kind,
            "clause": self.clause.label if self.clause else "",
            "path": " > ".join(self.path),
            "reason": self.reason,
            "sources": " ".join(self.sources),
        }


@dataclass
class Findings(Sequence[Finding]):
    """The answer of :func:`license_check` / :func:`license_conflicts`: a list of findings.

    Attributes:
        findings: the rows, most serious first, then by model and ancestor.
        notes: remarks (what ``as_of`` left out …).
    """

    findings: list[Finding]
    notes: tuple[str, ...] = field(default=())
    columns: tuple[str, ...] = COLUMNS

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: Any) -> Any:
        return self.findings[index]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def rows(self) -> list[dict[str, Any]]:
        """Return one dict per finding (:data:`COLUMNS`)."""
        return [f.row() for f in self.findings]

    def counts(self) -> dict[str, int]:
        """Return how many findings have each status (statuses that occur, in order)."""
        found = [f.status for f in self.findings]
        return {s: found.count(s) for s in STATUSES if s in found}

    def to_csv(self, out: Path | str | IO[str] | None = None) -> str | None:
        """Write the findings as CSV to a path or a text file, or return the text.

        >>> print(Findings([]).to_csv(), end="")
        status,edge,model,model_licence,ancestor,ancestor_licence,kind,clause,path,reason,sources
        """
        from llmgraph.formats import write_csv

        return write_csv(self.rows(), COLUMNS, out)


def licence_terms(lg: BaseGraph) -> dict[IRI, list[Clause]]:
    """Return the clauses of every licence that has some, by licence IRI (one SPARQL query).

    >>> from llmgraph import LineageGraph
    >>> terms = licence_terms(LineageGraph.load())
    >>> llama3 = IRI("https://w3id.org/llmgraph/id/license-llama-3-1-community")
    >>> [c.prefix for c in terms[llama3] if c.kind == "namePrefix"]
    ['Llama']
    """
    from llmgraph.sparql import query

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for row in query(lg, _TERMS_QUERY):
        licence, clause, kind, label, prefix, threshold, outputs, source = row  # type: ignore[misc]
        entry = rows.setdefault(
            (str(licence), str(clause)),
            {"kind": str(kind), "label": "", "sources": set(), "prefix": None},
        )
        if label is not None:
            entry["label"] = str(label)
        if prefix is not None:
            entry["prefix"] = str(prefix)
        if threshold is not None:
            entry["threshold"] = int(str(threshold))
        if outputs is not None:
            entry["outputs"] = str(outputs).lower() in ("true", "1")
        if source is not None:
            entry["sources"].add(str(source))
    terms: dict[IRI, list[Clause]] = {}
    for (licence, clause), e in sorted(rows.items()):
        terms.setdefault(IRI(licence), []).append(
            Clause(
                id=IRI(clause),
                licence=IRI(licence),
                kind=e["kind"],
                label=e["label"] or clause.rsplit("/", 1)[-1],
                prefix=e["prefix"],
                threshold=e.get("threshold"),
                outputs=e.get("outputs", False),
                sources=tuple(sorted(e["sources"])),
            )
        )
    return terms


class _Judge:
    """The rules of the module docstring over one engine and one set of terms."""

    def __init__(self, lg: BaseGraph, engine: LineageIndex):
        self.engine = engine
        a = engine.arrays
        self.licence = np.asarray(a["license"]).astype(np.int64)
        self.developer = np.asarray(a["developer"]).astype(np.int64)
        self.by_node: dict[int, list[Clause]] = {}
        terms = licence_terms(lg)
        for iri, clauses in terms.items():
            node = engine.find(iri)
            if node >= 0:
                self.by_node[node] = clauses
        self.service: dict[int, tuple[str, list[Clause]]] = {}
        from llmgraph.sparql import query

        for row in query(lg, "SELECT ?m ?t WHERE { ?m llm:serviceTerms ?t }"):
            model, service = (str(x) for x in row)  # type: ignore[union-attr]
            node = engine.find(model)
            if node >= 0:
                self.service[node] = (lg.label(service), terms.get(IRI(service), []))
        self._labels: dict[int, str] = {}

    def label(self, node: int) -> str:
        found = self._labels.get(node)
        if found is None:
            found = self._labels[node] = self.engine.label(node) if node >= 0 else ""
        return found

    def kinds(self, licence: int) -> frozenset[str]:
        return frozenset(c.kind for c in self.by_node.get(licence, ()))

    def names_begin(self, node: int, prefix: str) -> bool:
        want = prefix.casefold()
        names = [self.label(node)]
        hub = self.engine.hub_ids([node])[0]
        if hub:
            names.append(hub.rsplit("/", 1)[-1].replace("-", " ").replace("_", " "))
        return any(n.casefold().replace("-", " ").startswith(want) for n in names)

    def judge(self, child: int, parent: int, edge: str, path: tuple[str, ...]) -> list[Finding]:
        """Return the findings of ``child`` inheriting from ``parent`` along ``edge``."""
        cl = int(self.licence[child])
        pl = int(self.licence[parent])
        if edge == "outputs" and parent in self.service:
            terms_label, clauses = self.service[parent]
            same_licence = False
        else:
            terms_label = self.label(pl)
            clauses = self.by_node.get(pl, []) if pl >= 0 else []
            same_licence = cl == pl
        out: list[Finding] = []

        def add(status: str, clause: Clause | None, reason: str) -> None:
            out.append(
                Finding(
                    status=status,
                    edge=edge,
                    model=self.engine.iri(child),
                    model_label=self.label(child),
                    model_licence=self.label(cl),
                    ancestor=self.engine.iri(parent),
                    ancestor_label=self.label(parent),
                    ancestor_licence=terms_label,
                    clause=clause,
                    path=path,
                    reason=reason,
                )
            )

        same_developer = (
            self.developer[child] >= 0 and self.developer[child] == self.developer[parent]
        )
        if edge == "outputs":
            for clause in clauses:
                if clause.kind == "outputRestriction":
                    if same_developer or same_licence:
                        add("kept", clause, "same developer or licence as the teacher")
                    else:
                        add(
                            "restricted",
                            clause,
                            f"trained on outputs of {self.label(parent)}, whose "
                            f"{terms_label} restricts that use",
                        )
                elif clause.kind == "namePrefix" and clause.outputs:
                    self._name(child, clause, same_developer, add)
            return out
        if pl < 0:
            if cl >= 0:
                add("unknown", None, f"no licence recorded for {self.label(parent)}")
            else:
                add("unknown", None, "no licence recorded for either model")
            return out
        if not clauses:
            if cl < 0:
                add("unknown", None, f"no licence recorded for {self.label(child)}")
            elif cl != pl and not same_developer:
                add("unknown", None, f"the terms of {self.label(pl)} are not in the data")
            return out
        child_kinds = self.kinds(cl) if cl >= 0 else frozenset()
        for clause in clauses:
            kind = clause.kind
            if kind == "permissive":
                continue
            if same_developer and cl < 0 and kind != "namePrefix":  # relicensed: under what?
                add("unknown", clause, f"no licence recorded for {self.label(child)}")
            elif same_developer and cl != pl:
                add("kept", clause, "the licensor's own model (a licensor may relicense)")
            elif kind == "namePrefix":
                self._name(child, clause, same_developer, add)
            elif cl == pl:
                add("kept", clause, "same licence")
            elif kind == "attribution":
                add("notice", clause, f"keep the notice of {self.label(pl)}")
            elif cl < 0:
                add("unknown", clause, f"no licence recorded for {self.label(child)}")
            elif not child_kinds:
                add("unknown", clause, f"the terms of {self.label(cl)} are not in the data")
            elif child_kinds & _SATISFIED_BY.get(kind, frozenset()):
                add("kept", clause, f"{self.label(cl)} has a {kind} clause too")
            elif kind == "shareAlike":
                add("conflict", clause, f"{self.label(cl)} is not {self.label(pl)}")
            else:
                add("conflict", clause, f"{self.label(cl)} has no {kind} clause")
        return out

    def _name(self, child: int, clause: Clause, same_developer: bool, add: Any) -> None:
        prefix = clause.prefix or ""
        if same_developer:
            add("kept", clause, "the licensor's own model")
        elif self.names_begin(child, prefix):
            add("kept", clause, f"the name begins with {prefix!r}")
        else:
            add(
                "conflict", clause, f"the name {self.label(child)!r} does not begin with {prefix!r}"
            )

    def has_prefix_clause(self) -> np.ndarray[Any, Any]:
        flags = np.zeros(len(self.engine), dtype=bool)
        for node, clauses in self.by_node.items():
            if any(c.kind == "namePrefix" for c in clauses):
                flags[node] = True
        return flags


def _order(findings: list[Finding]) -> list[Finding]:
    rank = {s: i for i, s in enumerate(STATUSES)}
    return sorted(
        findings,
        key=lambda f: (
            rank[f.status],
            f.model_label.casefold(),
            len(f.path),
            f.ancestor_label.casefold(),
            f.clause.label if f.clause else "",
        ),
    )


def _cut(engine: LineageIndex, as_of: str | dt.date | None) -> AsOf | None:
    return None if as_of is None else as_of_mask(engine, as_of)


def license_conflicts(lg: BaseGraph, *, as_of: str | dt.date | None = None) -> Findings:
    """Return every lineage edge whose child drops, contradicts or cannot show a parent's clause.

    Walks every weight-lineage edge (child → parent) and every teacher edge of the graph once,
    vectorized: only edges whose two licences differ, or whose parent's licence has a naming
    clause, or whose parent is a teacher, are judged one by one.

    Args:
        lg: the graph.
        as_of: only models released by this date (see :mod:`llmgraph.asof`).

    Returns:
        The ``conflict``, ``restricted`` and ``unknown`` findings, most serious first; the path
        of each is the edge (child, parent).

    Raises:
        UsageError: ``as_of`` is not a ``YYYY-MM-DD`` date.

    See Also:
        license_check: every clause one model inherits, along its whole ancestry.

    >>> from llmgraph import LineageGraph
    >>> found = license_conflicts(LineageGraph.load())
    >>> hermes = [f for f in found if f.model_label == "Hermes 3 Llama 3.1 8B"]
    >>> [(f.status, f.kind, f.reason) for f in hermes if f.kind == "namePrefix"]
    [('conflict', 'namePrefix', "the name 'Hermes 3 Llama 3.1 8B' does not begin with 'Llama'")]
    """
    engine = lg.engine
    judge = _Judge(lg, engine)
    a = engine.arrays
    ptr = np.asarray(a["out_ptr"], dtype=np.int64)
    child = np.repeat(np.arange(len(engine), dtype=np.int64), np.diff(ptr))
    parent = np.asarray(a["out_dst"], dtype=np.int64)
    rel = np.asarray(a["out_rel"], dtype=np.int64)
    weight_codes = np.array([RELATIONS.index(r) for r in sorted(WEIGHT_RELATIONS)])
    cut = _cut(engine, as_of)
    keep = np.ones(len(child), dtype=bool)
    if cut is not None:
        keep = cut.mask[child] & cut.mask[parent]
    findings: list[Finding] = []
    weight = keep & np.isin(rel, weight_codes)
    pairs = np.unique(np.stack([child[weight], parent[weight]], axis=1), axis=0).reshape(-1, 2)
    lic = judge.licence
    cl, pl = lic[pairs[:, 0]], lic[pairs[:, 1]]
    named = judge.has_prefix_clause()
    candidate = (pl < 0) | (cl != pl) | (named[np.maximum(pl, 0)] & (pl >= 0))
    for c, p in pairs[candidate].tolist():
        path = (judge.label(c), judge.label(p))
        findings += [f for f in judge.judge(c, p, "weights", path) if f.status in _PROBLEMS]
    teacher = keep & (rel == _TEACHER)
    for c, p in np.unique(np.stack([child[teacher], parent[teacher]], axis=1), axis=0).tolist():
        path = (judge.label(c), judge.label(p))
        findings += [f for f in judge.judge(c, p, "outputs", path) if f.status in _PROBLEMS]
    return Findings(_order(findings), notes=(cut.note,) if cut is not None else ())


def license_check(lg: BaseGraph, name: str, *, as_of: str | dt.date | None = None) -> Findings:
    """Return every licence clause ``name`` inherits along its ancestry, and its status.

    For each weight ancestor (with the path that carries its licence down to the model) and
    each teacher of the model or of an ancestor, one :class:`Finding` per clause: ``kept``,
    ``notice``, ``conflict``, ``restricted`` or ``unknown`` (see the module docstring).

    Args:
        lg: the graph.
        name: a model (label, alias, Hugging Face id or IRI).
        as_of: only ancestors released by this date.

    Returns:
        The findings, most serious first.

    Raises:
        UnknownEntityError: ``name`` matches nothing (the message lists close matches).
        WrongKindError: ``name`` is not a model.
        UsageError: ``as_of`` is not a date, or the model was not released by then.

    See Also:
        license_conflicts: the problems of every edge of the graph.

    >>> from llmgraph import LineageGraph
    >>> found = license_check(LineageGraph.load(), "Code Llama 7B Instruct")
    >>> sorted({(f.status, f.ancestor_label) for f in found})
    [('kept', 'Code Llama 7B'), ('kept', 'Llama 2 7B')]
    """
    from llmgraph.errors import UsageError

    iri = lg.resolution(str(name), expect="model").iri
    rels = WEIGHT_RELATIONS | {"trainedOnOutputsOf"}
    engine = lg.engine_for([iri], rels, direction="out", depth=None)
    start = engine.find(iri)
    judge = _Judge(lg, engine)
    cut = _cut(engine, as_of)
    if cut is not None and not cut.keeps(start):
        when = engine.released(start)
        raise UsageError(
            f"{engine.label(start)!r} was not released by {cut.date.isoformat()} "
            f"(released {when.isoformat() if when else 'on an unknown date'})"
        )
    walk = engine.walk([start], direction="out", relations=WEIGHT_RELATIONS)
    carriers: list[tuple[int, tuple[str, ...]]] = [(start, (engine.label(start),))]
    findings: list[Finding] = []
    for row, node in enumerate(walk.nodes.tolist()):
        if cut is not None and not cut.keeps(node):
            continue
        path = tuple(engine.labels(walk.path_of(row)))
        carriers.append((node, path))
        findings += judge.judge(start, node, "weights", path)
    for node, path in carriers:
        _, teachers, codes = engine.expand(
            np.array([node]), "out", engine.mask(["trainedOnOutputsOf"])
        )
        for t in sorted(set(teachers[codes == _TEACHER].tolist())):
            if cut is not None and not cut.keeps(t):
                continue
            findings += judge.judge(node, t, "outputs", (*path, engine.label(t)))
    return Findings(_order(findings), notes=(cut.note,) if cut is not None else ())
