"""Research script: the money around the frontier labs.

For OpenAI, Anthropic, Mistral AI and Hugging Face: every investment with its date, round,
amount and source (read from the statement nodes in SPARQL), the organizations that back more
than one of them, and a backing diagram.

    python examples/who_backs_whom.py --out out
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from llmgraph import LineageGraph, render, select_backing

LABS = ("OpenAI", "Anthropic", "Mistral AI", "Hugging Face")

DEALS = """
SELECT ?investor ?date ?round ?amount ?currency (MIN(STR(?source)) AS ?first)
       (COUNT(DISTINCT ?source) AS ?sources)
WHERE {
    ?investor llm:investsIn ?lab .
    ?st rdf:subject ?investor ; rdf:predicate llm:investsIn ; rdf:object ?lab ;
        dcterms:source ?source .
    OPTIONAL { ?st llm:date ?date }
    OPTIONAL { ?st llm:round ?round }
    OPTIONAL { ?st llm:amount ?amount ; llm:currency ?currency }
}
GROUP BY ?st ?investor ?date ?round ?amount ?currency
ORDER BY ?date ?investor
"""


def money(amount: object, currency: object) -> str:
    """Format an amount like ``USD 4.0B``."""
    if amount is None:
        return "undisclosed"
    value = float(str(amount))
    for size, suffix in ((1e9, "B"), (1e6, "M")):
        if value >= size:
            return f"{currency} {value / size:.2f}{suffix}"
    return f"{currency} {value:,.0f}"


def main() -> int:
    """Print the deals and the shared backers, and write ``backing-network.svg``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args()
    lg = LineageGraph.load()

    backed_by: dict[str, set[str]] = defaultdict(set)
    for lab in LABS:
        iri = lg.resolve(lab, kind="organization")
        print(f"\n{lg.label(iri)}")
        rows = lg.query(DEALS, bindings={"lab": iri})
        for investor, date, rnd, amount, currency, first, sources in rows:  # type: ignore[misc]
            backed_by[lg.label(investor)].add(lab)
            when = str(date) if date is not None else "date n/a  "
            more = f" (+{int(sources) - 1} more)" if int(sources) > 1 else ""
            print(f"  {when}  {lg.label(investor):<28} {money(amount, currency):<16} {rnd or ''}")
            print(f"  {'':10}  source: {first}{more}")

    shared = {k: sorted(v) for k, v in backed_by.items() if len(v) > 1}
    print("\nBacking more than one of them:")
    for investor, labs in sorted(shared.items()):
        print(f"  {investor}: {', '.join(labs)}")

    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "backing-network.svg"
    render(lg, select_backing(lg, LABS), out=target, title="Who backs the open-model labs")
    print(f"\nwrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
