"""Research script: is each model's licence consistent with what it was built from?

Every weight-lineage and teacher edge of the bundled data, checked against the licence
clauses in data/license-clauses.ttl (each cited to the licence text): how many edges drop a
clause, which clauses are dropped most, a few flagged edges with the clause's source, and one
model's whole inherited obligations with the path that carries each.

    python examples/licence_compliance.py --out out
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from llmgraph import LineageGraph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args()
    lg = LineageGraph.load()

    found = lg.license_conflicts()
    print("Findings by status:", ", ".join(f"{n} {s}" for s, n in found.counts().items()))
    edges = {(f.model_label, f.ancestor_label) for f in found if f.status == "conflict"}
    print(f"Weight or teacher edges with a conflict: {len(edges)}")
    print()
    print("Conflicts by clause kind:")
    kinds = Counter(f.kind for f in found if f.status == "conflict")
    for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {kind:<18} {n}")
    print()
    print("A few of them:")
    shown = ("Guanaco 7B", "Hermes 3 Llama 3.1 8B", "DeepSeek-R1-Distill-Llama-8B")
    for f in found:
        if f.status == "conflict" and f.model_label in shown:
            print(f"  {f.model_label} ({f.model_licence or 'no licence'})")
            print(f"    from {f.ancestor_label} ({f.ancestor_licence}): {f.reason}")
            print(f"    clause: {f.clause.label if f.clause else ''}")
            print(f"    source: {f.sources[0] if f.sources else ''}")
    print()
    print(
        "Trained on outputs whose terms restrict it (first 5 of "
        f"{sum(f.status == 'restricted' for f in found)}):"
    )
    for f in [f for f in found if f.status == "restricted"][:5]:
        print(f"  {f.model_label} <- {f.ancestor_label} ({f.ancestor_licence})")
    print()
    print("What Code Llama 7B Instruct inherits:")
    for f in lg.license_check("Code Llama 7B Instruct"):
        print(f"  {f.status:<8} {f.kind:<18} via {' > '.join(f.path)}")
    args.out.mkdir(parents=True, exist_ok=True)
    found.to_csv(args.out / "licence-findings.csv")
    print()
    print(f"All findings: licence-findings.csv ({len(found)} rows)")


if __name__ == "__main__":
    main()
