"""Research script: finding models without SPARQL.

Ranked search over labels, aliases and Hugging Face ids, with filters: every Apache-licensed
Qwen model since 2025, a misspelt name, a Hub id, and what an organization released in a
year.

    python examples/find_models.py --out out
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llmgraph import LineageGraph


def show(title: str, found: object) -> None:
    print(title)
    for m in found:  # type: ignore[attr-defined]
        when = m.release_date.isoformat() if m.release_date else ""
        print(f"  {m.score:>3}  {m.label:<36} {when:<10}  {m.licence or ''}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.parse_args()
    lg = LineageGraph.load()
    show(
        "Apache-licensed Qwen models since 2025 (first 8):",
        lg.search("qwen", license="Apache-2.0", since="2025-01-01", kind="model", limit=8),
    )
    show("A misspelling, 'mistrall':", lg.search("mistrall", limit=3))
    show("A Hub id:", lg.search("lmsys/vicuna-13b-v1.5", limit=1))
    show(
        "Google DeepMind's models of 2024 (first 6):",
        lg.search(
            "",
            developer="Google DeepMind",
            since="2024-01-01",
            until="2024-12-31",
            kind="model",
            limit=6,
        ),
    )


if __name__ == "__main__":
    main()
