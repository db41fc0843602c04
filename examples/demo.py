"""The main job: where Vicuna came from, what was built on Llama 2, who backs whom; a diagram.

Run with `make demo` (or `python examples/demo.py --out out`).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from llmgraph import ALL_LINEAGE, LineageGraph, Link, render, select_lineage
from llmgraph.vocab import RELATION_PHRASES


def print_tree(lg: LineageGraph, root: str, links: Sequence[Link], *, arrow: bool) -> None:
    """Print ``links`` (found from ``root``) as a tree, each under the node it was reached from."""
    children: dict[str, list[Link]] = {}
    for link in links:
        children.setdefault(link.via, []).append(link)
    print(f"  {lg.label(root)}")
    lines: list[str] = []

    def walk(node: str, indent: str) -> None:
        kids = children.get(node, [])
        for i, link in enumerate(kids):
            last = i == len(kids) - 1
            relation = RELATION_PHRASES.get(link.relation, link.relation)
            text = f"{relation} → {link.label}" if arrow else f"{link.label}  ({relation})"
            lines.append(f"  {indent}{'└─' if last else '├─'} {text}")
            walk(link.id, indent + ("   " if last else "│  "))

    walk(root, "")
    print("\n".join(lines))


def print_ancestry(lg: LineageGraph, name: str) -> None:
    """Print every ancestor of ``name`` as a tree, one step (and its relation) per line."""
    start = str(lg.resolve(name))
    print(f"Ancestry of {lg.label(start)} (weight lineage, succession and teachers):")
    print_tree(lg, start, lg.ancestors(name, relations=ALL_LINEAGE), arrow=True)
    roots = [a.label for a in lg.ancestors(name) if not lg.ancestors(a.id)]
    print(f"  weight-lineage root: {', '.join(roots) or lg.label(start)}")


def print_descendants(lg: LineageGraph, name: str) -> None:
    """Print what was built on the models of ``name`` (a family) as one tree per model."""
    found = lg.descendants(name)
    kinds = Counter(link.relation for link in found)
    summary = ", ".join(f"{n} {RELATION_PHRASES.get(k, k)}" for k, n in sorted(kinds.items()))
    print(f"\nDescendants of {name}: {len(found)} models ({summary})")
    built_on_members = {link.id for link in found}
    for member in lg.members(name):
        if str(member) not in built_on_members:  # others are drawn under the member they extend
            print_tree(lg, str(member), lg.descendants(member), arrow=False)


def print_backers(lg: LineageGraph, org: str) -> None:
    """Print who backs ``org``, directly and through owners of its backers."""
    direct = lg.backers(org)
    indirect = [b for b in lg.backers(org, transitive=True) if b.depth > 1]
    print(f"\nWho backs {lg.label(lg.resolve(org, kind='organization'))}:")
    for link in direct:
        print(f"  {link.label} ({RELATION_PHRASES.get(link.relation, link.relation)})")
    for link in indirect:
        print(f"  {link.label} (through {lg.label(link.via)}, which it {link.relation})")


def main() -> int:
    """Run the demo and write the diagram under ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the SVG")
    args = parser.parse_args()

    lg = LineageGraph.load()
    print(f"Loaded {len(lg)} triples: {lg.nx.number_of_nodes()} entities in the mirror.\n")
    print_ancestry(lg, "Vicuna 13B v1.5")
    print_descendants(lg, "Llama 2")
    for org in ("Anthropic", "Mistral AI", "Hugging Face"):
        print_backers(lg, org)

    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "vicuna-lineage.svg"
    selection = select_lineage(lg, "Vicuna 13B v1.5", down=False)
    selection_down = select_lineage(lg, "Llama 2 13B", up=False, depth=1)
    selection.nodes |= selection_down.nodes
    selection.edges |= selection_down.edges
    render(lg, selection, out=target, title="Where Vicuna 13B v1.5 came from")
    print(f"\nLineage diagram: {target.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
