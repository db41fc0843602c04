"""Stage 2, the plan: what is drawn one by one, collapsed or counted, and the facts drawn."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from rdflib import DCTERMS, RDF, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from llmgraph.lineage import (
    ALL_LINEAGE,
)
from llmgraph.render.selection import (
    Selection,
)
from llmgraph.render.styles import (
    COLLAPSIBLE,
    DRAWN_REVERSED,
)
from llmgraph.vocab import LLM

if TYPE_CHECKING:
    from llmgraph.graph import LineageGraph


_CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


@dataclass(frozen=True)
class Facts:
    """What a node shows and links to: label, kind, release, size, developers, sources."""

    label: str
    kind: str | None
    released: dt.date | None
    parameters: int | None
    huggingface_id: str | None
    developers: tuple[str, ...]
    licences: tuple[str, ...]
    families: tuple[str, ...]
    sources: tuple[str, ...]
    precision: str = "day"

    @property
    def developer(self) -> str | None:
        """The first developer (by IRI), whose colour the node wears."""
        return self.developers[0] if self.developers else None


def facts_of(lg: LineageGraph, node: str) -> Facts:
    """Return the facts of one entity of the mirror, as a diagram draws them."""
    data = lg.nx.nodes[node]
    ref = URIRef(node)
    kind = data.get("kind")
    if kind is None and (ref, RDF.type, LLM.ModelFamily) in lg.rdf:
        kind = "family"
    rels = {"developedBy", "operatedBy"}
    developers = sorted(v for _, v, k in lg.nx.out_edges(node, keys=True) if k in rels)
    released = data.get("release_date")
    count = data.get("parameter_count")
    return Facts(
        label=str(data.get("label") or node),
        kind=kind if isinstance(kind, str) else None,
        released=released if isinstance(released, dt.date) else None,
        parameters=int(count) if isinstance(count, int) else None,
        huggingface_id=str(data["huggingface_id"]) if data.get("huggingface_id") else None,
        developers=tuple(developers),
        licences=tuple(sorted(lg.label(str(x)) for x in lg.rdf.objects(ref, LLM.license))),
        families=tuple(sorted(str(f) for f in lg.rdf.objects(ref, LLM.family))),
        sources=tuple(sorted(str(s) for s in lg.rdf.objects(ref, DCTERMS.source))),
        precision=str(data.get("release_date_precision") or "day"),
    )


@dataclass(frozen=True)
class Round:
    """One cited backing statement: date, amount, currency, round and sources."""

    date: dt.date | None
    amount: int | None
    currency: str | None
    round: str | None
    sources: tuple[str, ...]


def rounds_of(lg: LineageGraph, s: str, rel: str, o: str) -> list[Round]:
    """Return the ``rdf:Statement`` nodes that cite ``s rel o``: dates, amounts, rounds, sources."""
    rows = lg.query(
        "SELECT ?st ?date ?amount ?currency ?round ?source WHERE { ?st rdf:subject ?s ; "
        "rdf:predicate ?p ; rdf:object ?o . OPTIONAL { ?st llm:date ?date } "
        "OPTIONAL { ?st llm:amount ?amount } OPTIONAL { ?st llm:currency ?currency } "
        "OPTIONAL { ?st llm:round ?round } OPTIONAL { ?st dcterms:source ?source } }",
        bindings={"s": URIRef(s), "p": URIRef(str(LLM._NS) + rel), "o": URIRef(o)},
    )
    grouped: dict[str, list[tuple[Node | None, ...]]] = {}
    for row in cast(Iterable[tuple[Node | None, ...]], rows):
        grouped.setdefault(str(row[0]), []).append(tuple(row[1:]))
    found = []
    for values in grouped.values():
        first = values[0]
        date = _literal(first[0])
        amount = _literal(first[1])
        found.append(
            Round(
                date=date if isinstance(date, dt.date) else None,
                amount=amount if isinstance(amount, int) else None,
                currency=str(first[2]) if first[2] is not None else None,
                round=str(first[3]) if first[3] is not None else None,
                sources=tuple(sorted({str(v[4]) for v in values if v[4] is not None})),
            )
        )
    return sorted(found, key=lambda r: (r.date or dt.date.max, r.amount or 0, r.sources))


def _literal(term: Node | None) -> object:
    return term.toPython() if isinstance(term, RDFLiteral) else None


def money(amount: int, currency: str | None) -> str:
    """Show an amount with its currency symbol and three significant figures.

    >>> money(1_250_000_000, "USD"), money(15_000_000, "EUR"), money(3_000_000, "CHF")
    ('$1.25B', '€15M', 'CHF 3M')
    """
    symbol = _CURRENCY.get(currency or "", "")
    prefix = symbol or (f"{currency} " if currency else "")
    return prefix + size_text(amount)


def size_text(count: int) -> str:
    """Show a count to three significant figures, as models are named (14.8B, 7.24B, 671B).

    >>> [size_text(n) for n in (14_770_000_000, 72_710_000_000, 7_241_732_096, 999_600_000, 82)]
    ['14.8B', '72.7B', '7.24B', '1B', '82']
    """
    units = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"), (1, ""))
    for index, (size, suffix) in enumerate(units):
        if count >= size or size == 1:
            value = count / size
            digits = max(0, 3 - len(str(int(value))))
            text = f"{value:.{digits}f}"
            if float(text) >= 1000 and index > 0:  # 999.6M rounds to 1000M: one unit up
                size, suffix = units[index - 1]
                text = f"{count / size:.2f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return str(count)  # pragma: no cover - the loop always returns


def period_of(day: dt.date, unit: Literal["year", "quarter"]) -> str:
    """Return the period of the time axis holding ``day``.

    >>> period_of(dt.date(2024, 5, 1), "quarter"), period_of(dt.date(2024, 5, 1), "year")
    ('2024 Q2', '2024')
    """
    return str(day.year) if unit == "year" else f"{day.year} Q{(day.month - 1) // 3 + 1}"


GAP_PERIODS: Mapping[str, int] = {"quarter": 4, "year": 3}


"""A run of at least this many empty periods becomes one break marker on the time axis."""


def periods_between(first: dt.date, last: dt.date, unit: Literal["year", "quarter"]) -> list[str]:
    """Every period from the one holding ``first`` to the one holding ``last``, in order."""
    if unit == "year":
        return [str(y) for y in range(first.year, last.year + 1)]
    start, stop = first.year * 4 + (first.month - 1) // 3, last.year * 4 + (last.month - 1) // 3
    return [f"{q // 4} Q{q % 4 + 1}" for q in range(start, stop + 1)]


def axis_stops(
    periods: list[str], filled: set[str], unit: Literal["year", "quarter"]
) -> list[str | tuple[str, str]]:
    """Return the stops of the axis: periods, and ``(first, last)`` for a run compressed.

    >>> axis_stops(["2019", "2020", "2021", "2022", "2023"], {"2019", "2023"}, "year")
    ['2019', ('2020', '2022'), '2023']
    >>> axis_stops(["2019", "2020", "2021"], {"2019", "2021"}, "year")
    ['2019', '2020', '2021']
    """
    stops: list[str | tuple[str, str]] = []
    run: list[str] = []
    for period in [*periods, None]:
        if period is not None and period not in filled:
            run.append(period)
            continue
        if len(run) >= GAP_PERIODS[unit]:
            stops.append((run[0], run[-1]))
        else:
            stops.extend(run)
        run = []
        if period is not None:
            stops.append(period)
    return stops


@dataclass(frozen=True)
class Placeholder:
    """A drawn node that stands for models not drawn one by one."""

    id: str
    kind: Literal["group", "more", "below", "above"]
    anchor: str
    relation: str | None
    members: frozenset[str]


@dataclass
class Plan:
    """What is drawn: the entities drawn one by one, the placeholders, the drawn edges."""

    visible: set[str]
    placeholders: list[Placeholder]
    edges: list[tuple[str, str, str]]  # (tail, head, relation) in drawn direction


def make_plan(sel: Selection, lg: LineageGraph, collapse: int, max_children: int | None) -> Plan:
    """Decide what is drawn one by one, collapsed into counted groups, or behind "…" nodes."""
    nodes = sel.nodes
    touching: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for edge in sorted(sel.edges):
        touching[edge[0]].append(edge)
        if edge[1] != edge[0]:
            touching[edge[1]].append(edge)
    children: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    for s, o, rel in sel.edges:
        if rel in ALL_LINEAGE and s in nodes and o in nodes and s != o:
            children[o].add(s)
            parents[s].add(o)

    # 1. collapse quantized / adapter leaves of one parent into a counted node
    leaves: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in sorted(nodes):
        edges = touching.get(node, [])
        if node in sel.focus or node in sel.truncated_descendants or len(edges) != 1:
            continue
        s, o, rel = edges[0]
        if s == node and rel in COLLAPSIBLE:
            leaves[(o, rel)].append(node)
    group_of: dict[str, str] = {}
    groups: dict[str, Placeholder] = {}
    for (parent, rel), members in sorted(leaves.items()):
        if collapse and len(members) >= collapse:
            pid = f"group:{rel}:{parent}"
            groups[pid] = Placeholder(pid, "group", parent, rel, frozenset(members))
            for member in members:
                group_of[member] = pid

    # 2. cap the number of children drawn per parent
    pinned = set(sel.focus)
    stack = list(sel.focus)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in pinned:
                pinned.add(parent)
                stack.append(parent)
    cut: dict[str, set[str]] = defaultdict(set)  # child → parents that left it out
    if max_children is not None:
        sizes: dict[str, int] = {}
        for parent in sorted(children):
            kids = [c for c in children[parent] if c not in group_of]
            if len(kids) <= max_children:
                continue
            for kid in kids:
                if kid not in sizes:
                    sizes[kid] = len(_reach(kid, children))
            ordered = sorted(kids, key=lambda k: _importance(k, pinned, sizes, lg))
            for kid in ordered[max_children:]:
                cut[kid].add(parent)

    # 3. hide what is only reachable through cut edges; attribute each to one "…" node
    hidden: dict[str, str] = {}  # node → parent whose "…" node counts it
    changed = True
    while changed:
        changed = False
        for node in sorted(nodes):
            if node in hidden or node in pinned or node in group_of or not parents.get(node):
                continue
            ways = parents[node]
            if all(p in cut.get(node, ()) or p in hidden for p in ways):
                direct = sorted(p for p in ways if p in cut.get(node, ()) and p not in hidden)
                hidden[node] = direct[0] if direct else sorted(ways)[0]
                changed = True
    for node in list(hidden):  # count each behind the "…" node of its nearest drawn ancestor
        anchor, seen = hidden[node], {node}
        while anchor in hidden and anchor not in seen:
            seen.add(anchor)
            anchor = hidden[anchor]
        hidden[node] = anchor
    for pid, group in list(groups.items()):
        if group.anchor in hidden:
            del groups[pid]
            for member in group.members:
                hidden[member] = hidden[group.anchor]
                del group_of[member]
    more_members: dict[str, set[str]] = defaultdict(set)
    for node, parent in hidden.items():
        more_members[parent].add(node)
        more_members[parent].update(sel.truncated_descendants.get(node, frozenset()))
    placeholders = list(groups.values())
    for parent, behind in sorted(more_members.items()):
        placeholders.append(Placeholder(f"more:{parent}", "more", parent, None, frozenset(behind)))
    visible = nodes - set(hidden) - set(group_of)
    for node, more in sorted(sel.truncated_descendants.items()):
        if node in visible:
            placeholders.append(Placeholder(f"below:{node}", "below", node, None, more))
    for node, more in sorted(sel.truncated_ancestors.items()):
        if node in visible:
            placeholders.append(Placeholder(f"above:{node}", "above", node, None, more))

    # 4. the drawn edges: between visible nodes, or redirected to the placeholder of a hidden end
    stand_in = {n: group_of[n] for n in group_of} | {n: f"more:{p}" for n, p in hidden.items()}
    anchor_of = {ph.id: ph.anchor for ph in placeholders}
    drawn: set[tuple[str, str, str]] = set()
    for s, o, rel in sel.edges:
        if s not in nodes or o not in nodes:
            continue
        a, b = stand_in.get(s, s), stand_in.get(o, o)
        if a == b or (a != s and b != o):
            continue
        if (a != s and b == anchor_of.get(a)) or (b != o and a == anchor_of.get(b)):
            continue  # the placeholder's own edge already joins it to its anchor
        tail, head = (b, a) if rel in DRAWN_REVERSED else (a, b)
        drawn.add((tail, head, rel))
    for ph in placeholders:
        if ph.kind == "above":
            drawn.add((ph.id, ph.anchor, "…"))
        elif ph.kind == "group":
            drawn.add((ph.anchor, ph.id, cast(str, ph.relation)))
        else:
            drawn.add((ph.anchor, ph.id, "…"))
    return Plan(visible, placeholders, sorted(drawn))


def _reach(node: str, children: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [node]
    while stack:
        for kid in children.get(stack.pop(), ()):
            if kid not in seen:
                seen.add(kid)
                stack.append(kid)
    return seen


def _importance(
    node: str, pinned: set[str], sizes: Mapping[str, int], lg: LineageGraph
) -> tuple[bool, int, dt.date, str, str]:
    data = lg.nx.nodes[node]
    released = data.get("release_date")
    day = released if isinstance(released, dt.date) else dt.date.max
    label = str(data.get("label") or node)
    return (node not in pinned, -sizes.get(node, 0), day, label.casefold(), node)


def released_text(facts: Facts) -> str:
    """Return the release date as a tooltip shows it, with how exact it is."""
    if facts.released is None:
        return "unknown"
    if facts.precision == "month":
        return f"{facts.released:%Y-%m} (day not published)"
    if facts.precision == "public-by":
        return f"public by {facts.released.isoformat()} (first dated mention)"
    return facts.released.isoformat()
