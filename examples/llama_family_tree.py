"""Research script: how big is the Llama family tree, and how was it built on?

Counts every model built on a Llama-line release, by relation and by developer, lists the
most-built-on bases, and renders the family tree of one release to SVG.

    python examples/llama_family_tree.py --out out
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from rdflib import URIRef

from llmgraph import LLM, LineageGraph, render, select_lineage

FAMILIES = ("LLaMA", "Llama 2", "Llama 3", "Llama 3.1")


def main() -> int:
    """Print the Llama family statistics and write ``llama-2-family.svg``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args()
    lg = LineageGraph.load()

    print(f"{'family':<10} {'models':>6} {'built on it':>11}  relations")
    for family in FAMILIES:
        members = lg.members(family)
        found = lg.descendants(family)
        relations = Counter(link.relation for link in found)
        shown = ", ".join(f"{k} {n}" for k, n in sorted(relations.items()))
        print(f"{family:<10} {len(members):>6} {len(found):>11}  {shown}")

    bases: Counter[str] = Counter()
    developers: Counter[str] = Counter()
    for family in FAMILIES:
        for link in lg.descendants(family):
            bases[lg.label(link.via)] += 1
            for dev in lg.rdf.objects(URIRef(link.id), LLM.developedBy):
                developers[lg.label(str(dev))] += 1
    print("\nMost built-on bases:")
    for label, n in bases.most_common(5):
        print(f"  {n:>3}  {label}")
    print("\nWho builds on Llama:")
    for label, n in developers.most_common(8):
        print(f"  {n:>3}  {label}")

    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "llama-2-family.svg"
    render(lg, select_lineage(lg, "Llama 2", up=False), out=target, title="Built on Llama 2")
    print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
