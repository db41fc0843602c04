"""Build hooks of the documentation site.

They generate the vocabulary page from the ontology, and add the repository files the pages
link to (the gallery, the datasheet, the benchmarks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
LINKED = ["examples/gallery/*.svg", "examples/gallery/*.png", "data/README.md", "bench/README.md"]


def on_files(files: Files, config: Any) -> Files:
    """Add the vocabulary page and the repository files the pages link to."""
    for pattern in LINKED:
        for path in sorted(ROOT.glob(pattern)):
            uri = path.relative_to(ROOT).as_posix()
            files.append(File(uri, str(ROOT), config["site_dir"], config["use_directory_urls"]))
    files.append(File.generated(config, "vocabulary.md", content=vocabulary_page()))
    return files


def vocabulary_page() -> str:
    """Return the reference of every ``llm:`` term, generated from ``ontology/llmgraph.ttl``."""
    from rdflib import OWL, RDF, RDFS, Graph, URIRef

    graph = Graph().parse(ROOT / "ontology" / "llmgraph.ttl", format="turtle")
    ns = "https://w3id.org/llmgraph#"

    def short(term: object) -> str:
        text = str(term)
        if text.startswith(ns):
            return f"`llm:{text[len(ns) :]}`"
        for prefix, iri in graph.namespaces():
            if prefix and text.startswith(str(iri)):
                return f"`{prefix}:{text[len(str(iri)) :]}`"
        return f"<{text}>"

    def rows(kinds: tuple[URIRef, ...]) -> list[str]:
        out = []
        subjects = {s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(ns)}
        for term in sorted(subjects, key=str):
            label = graph.value(term, RDFS.label)
            comment = " ".join(str(graph.value(term, RDFS.comment) or "").split())
            parents = ", ".join(
                short(o)
                for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                for o in graph.objects(term, p)
            )
            domain = ", ".join(short(o) for o in graph.objects(term, RDFS.domain))
            range_ = ", ".join(short(o) for o in graph.objects(term, RDFS.range))
            out.append(
                f"| {short(term)} | {label or ''} | {parents} | {domain} | {range_} | "
                f"{comment.replace('|', '/')} |"
            )
        return out

    head = (
        "| term | label | under | domain | range | meaning |\n| --- | --- | --- | --- | --- | --- |"
    )
    classes = rows((OWL.Class, RDFS.Class))
    properties = rows((OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property))
    return "\n".join(
        [
            "# Vocabulary",
            "",
            "Every term of the `llm:` vocabulary (`https://w3id.org/llmgraph#`), generated from",
            "`ontology/llmgraph.ttl` when the site is built. These IRIs are public API: saved",
            "queries and scripts depend on them; terms are added, never renamed.",
            "",
            "## Classes",
            "",
            head,
            *classes,
            "",
            "## Properties",
            "",
            head,
            *properties,
            "",
        ]
    )
