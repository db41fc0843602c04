"""Research script: the open-model ecosystem as of a date.

The graph as of the day before Llama 2 (2023-07-17) and as of Mistral AI's first release
(2023-09-27): how many models were out, which licence problems existed by then, and which
models a search finds before and after. Month-precision dates count from the end of their
month; undated models are left out and counted.

    python examples/ecosystem_as_of.py --out out
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llmgraph import LineageGraph, search
from llmgraph.asof import as_of_mask

DATES = ("2023-07-17", "2023-09-27", "2024-12-31")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.parse_args()
    lg = LineageGraph.load()
    for date in DATES:
        cut = as_of_mask(lg.engine, date)
        models = search(lg, "", kind="model", as_of=date, limit=None)
        found = lg.license_conflicts(as_of=date)
        print(f"As of {date}: {len(models)} models ({cut.later} later, {cut.undated} undated)")
        print("  licence findings:", ", ".join(f"{n} {s}" for s, n in found.counts().items()))
        mistral = search(lg, "mistral", kind="model", as_of=date, limit=3)
        print(
            f"  'mistral' finds {mistral.total}: {', '.join(m.label for m in mistral) or '(none)'}"
        )
    print()
    print("Llama 2's derivatives by the end of 2023 (first 5 by release):")
    end = as_of_mask(lg.engine, "2023-12-31")
    derived = [d for d in lg.descendants("Llama 2") if end.keeps(lg.engine.find(d.id))]
    for d in sorted(derived, key=lambda d: (str(d.release_date), d.label))[:5]:
        print(f"  {d.release_date}  {d.label}")


if __name__ == "__main__":
    main()
