"""Research script: a model's lineage for supply-chain tools, as a CycloneDX 1.6 ML-BOM.

Writes the BOM of Code Llama 7B Instruct (the model, its ancestors as pedigree and as
dependencies, licences, suppliers, sources) and prints what a scanner would read from it.

    python examples/ml_bom.py --out out
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from llmgraph import LineageGraph, write_cyclonedx


def pedigree(component: dict[str, Any], indent: str = "  ") -> None:
    for parent in component.get("pedigree", {}).get("ancestors", []):
        relation = parent["properties"][0]["value"]
        licence = parent.get("licenses", [{}])[0].get("license", {})
        print(
            f"{indent}{relation} {parent['name']} "
            f"[{licence.get('id') or licence.get('name', 'no licence')}]"
        )
        pedigree(parent, indent + "  ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args()
    lg = LineageGraph.load()
    path = write_cyclonedx(
        lg, args.out / "code-llama-7b-instruct.cdx.json", ["Code Llama 7B Instruct"]
    )
    bom = json.loads(path.read_text(encoding="utf-8"))
    subject = bom["metadata"]["component"]
    print(f"{path.name}: CycloneDX {bom['specVersion']}, {len(bom['components'])} components")
    print(f"{subject['name']} ({subject['type']}) by {subject['supplier']['name']}")
    print(f"  purl: {subject['purl']}")
    print("Pedigree:")
    pedigree(subject)
    print("Dependencies:")
    for dep in bom["dependencies"]:
        print(
            f"  {dep['ref'].rsplit('/', 1)[1]} -> "
            f"{', '.join(d.rsplit('/', 1)[1] for d in dep['dependsOn']) or '(root)'}"
        )


if __name__ == "__main__":
    main()
