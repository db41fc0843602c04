"""Regenerate the diagram gallery in examples/gallery/ (SVG for people, DOT for the tests).

Six diagrams of the bundled data: the Llama family tree, the Mistral family tree, the backing
network around OpenAI, Anthropic, Mistral AI and Hugging Face, every "trained on outputs of"
edge, selected by a SPARQL CONSTRUCT (teachers.rq), and the Falcon family sized for print, one
column (3.5 in) and one page (17.8 x 24 cm) wide, its text at least 6 pt at that size. The DOT
is deterministic, so a test re-builds it and compares it with the committed files: the gallery
cannot rot.

    python examples/gallery.py                 # rewrite examples/gallery/*.svg and *.dot
    python examples/gallery.py --check         # exit 1 if a committed file is out of date

The same diagrams from the command line:

    llmgraph render --family LLaMA -o llama-family.svg \\
        --title "The Llama family: LLaMA, its next generations and what was built on them"
    llmgraph render --family Mistral -o mistral-family.svg \\
        --title "The Mistral family: Mistral AI's models and what was built on them"
    llmgraph render --backing OpenAI Anthropic "Mistral AI" "Hugging Face" -o backing-network.svg \\
        --title "Who backs OpenAI, Anthropic, Mistral AI and Hugging Face"
    llmgraph render --sparql examples/gallery/teachers.rq -o teachers.svg \\
        --title "Who learned from whose outputs: distillation and synthetic data"
    llmgraph render --family Falcon --width 3.5in -o falcon-column.svg \\
        --title "The Falcon family (column)"
    llmgraph render --family Falcon --width 17.8cm --height 24cm -o falcon-page.svg \\
        --title "The Falcon family (full page)"
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from llmgraph import LineageGraph
from llmgraph.render import Diagram, diagram, select_backing, select_family, select_sparql

GALLERY_DIR = Path(__file__).resolve().parent / "gallery"

LABS = ("OpenAI", "Anthropic", "Mistral AI", "Hugging Face")

DIAGRAMS: dict[str, Callable[[LineageGraph], Diagram]] = {
    "llama-family": lambda lg: diagram(
        lg,
        select_family(lg, "LLaMA"),
        title="The Llama family: LLaMA, its next generations and what was built on them",
    ),
    "mistral-family": lambda lg: diagram(
        lg,
        select_family(lg, "Mistral"),
        title="The Mistral family: Mistral AI's models and what was built on them",
    ),
    "backing-network": lambda lg: diagram(
        lg,
        select_backing(lg, LABS),
        title="Who backs OpenAI, Anthropic, Mistral AI and Hugging Face",
    ),
    "falcon-column": lambda lg: diagram(
        lg,
        select_family(lg, "Falcon"),
        title="The Falcon family (column)",
        width="3.5in",
    ),
    "falcon-page": lambda lg: diagram(
        lg,
        select_family(lg, "Falcon"),
        title="The Falcon family (full page)",
        width="17.8cm",
        height="24cm",
    ),
    "teachers": lambda lg: diagram(
        lg,
        select_sparql(lg, (GALLERY_DIR / "teachers.rq").read_text(encoding="utf-8")),
        title="Who learned from whose outputs: distillation and synthetic data",
    ),
}
"""File stem → how to build the diagram from the bundled graph."""


def build(lg: LineageGraph) -> dict[str, Diagram]:
    """Build every gallery diagram (no Graphviz run yet)."""
    return {name: make(lg) for name, make in DIAGRAMS.items()}


def main() -> int:
    """Write (or, with --check, verify) the gallery files."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=GALLERY_DIR)
    parser.add_argument("--check", action="store_true", help="only compare with the files")
    args = parser.parse_args()
    lg = LineageGraph.load()
    stale = []
    for name, made in build(lg).items():
        dot_file = args.out / f"{name}.dot"
        if args.check:
            current = dot_file.read_text(encoding="utf-8") if dot_file.exists() else None
            if current != made.source:
                stale.append(dot_file)
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        dot_file.write_text(made.source, encoding="utf-8")
        made.save(args.out / f"{name}.svg")
        print(f"wrote {args.out / name}.svg and .dot ({len(made.drawn)} entities drawn)")
    if stale:
        print("out of date: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        print("run: python examples/gallery.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
