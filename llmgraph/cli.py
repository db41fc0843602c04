"""The ``llmgraph`` command line; :func:`main` is the only place exit codes live.

Exit status: 0 on success, 1 when llmgraph reports an error (or ``validate`` finds
violations), 2 for a command line that does not parse.
"""

from __future__ import annotations

import argparse
import copy
import csv
import functools
import io
import json
import operator
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import version as _version
from pathlib import Path
from typing import Any, cast

from rdflib import Graph, URIRef
from rdflib.query import Result

from llmgraph.errors import LLMGraphError, UsageError
from llmgraph.graph import LineageGraph
from llmgraph.render import (
    Format,
    diagram,
    select_backing,
    select_family,
    select_lineage,
    select_organization,
    select_platform,
    select_sparql,
)
from llmgraph.results import Links
from llmgraph.sparql import to_term
from llmgraph.terms import ALL_LINEAGE
from llmgraph.vocab import PREFIXES

__all__ = ["main"]

Row = dict[str, Any]
_FORMATS = ("table", "json", "csv")
_IMAGE_FORMATS = ("svg", "png", "pdf", "dot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Args:
        argv: the arguments after the program name (default ``sys.argv[1:]``).

    >>> main(["ancestors", "Vicuna 13B v1.5", "--format", "json"])  # doctest: +ELLIPSIS
    [
      {
        "depth": 1,
        "relation": "fineTunedFrom",
        "label": "Llama 2 13B",
        "kind": "model",
        "developer": "Meta",
        "release_date": "2023-07-18",
    ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    for name, default in (
        ("data", []),
        ("format", "table"),
        ("debug", False),
        ("no_bundled", False),
        ("store", None),
        ("endpoint", None),
        ("update_endpoint", None),
        ("graph", None),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    try:
        lg = _open_graph(args)
        try:
            handler = cast(Callable[[LineageGraph, argparse.Namespace], int], args.handler)
            return handler(lg, args)
        finally:
            lg.close()
    except LLMGraphError as exc:
        if args.debug:
            raise
        print(f"llmgraph: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `llmgraph descendants X | head`
        return 0
    except OSError as exc:  # a file the command writes or reads outside llmgraph's own checks
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"llmgraph: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        action="append",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="add a Turtle file to the bundled data (repeatable)",
    )
    common.add_argument(
        "--no-bundled",
        action="store_true",
        default=argparse.SUPPRESS,
        help="load only the ontology and the --data files",
    )
    common.add_argument(
        "--format",
        choices=_FORMATS,
        default=argparse.SUPPRESS,
        help="output format (default: table; for query, json is SPARQL 1.1 Results JSON)",
    )
    common.add_argument(
        "--store",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="use the persistent on-disk store at PATH instead of the bundled data",
    )
    common.add_argument(
        "--endpoint",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="run every command on this SPARQL 1.1 endpoint (its query URL)",
    )
    common.add_argument(
        "--update-endpoint",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="with --endpoint: the endpoint's update URL, for load and import",
    )
    common.add_argument(
        "--graph",
        metavar="IRI",
        default=argparse.SUPPRESS,
        help="with --endpoint: the named graph that holds the data (read and written); "
        "for Virtuoso, the graph IRI it was bulk-loaded into",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of errors",
    )
    parser = argparse.ArgumentParser(
        prog="llmgraph",
        description="Query the open-LLM lineage knowledge graph.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"llmgraph {_version('llmgraph')}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    for name, fn, text in (
        ("ancestors", _ancestors, "what a model (or family) was built on"),
        ("descendants", _descendants, "what was built on a model (or family)"),
    ):
        p = command(name, fn, text)
        p.add_argument("name", help="label, alias, Hugging Face id or IRI")
        p.add_argument("--depth", type=int, help="stop after this many steps")
        p.add_argument(
            "--relations", help="comma-separated relations to follow (default: weight lineage)"
        )
        p.add_argument(
            "--all",
            action="store_true",
            help="also follow successorOf and trainedOnOutputsOf",
        )
        p.add_argument(
            "--family",
            action="store_true",
            help="when a model and a family share the name, ask about the family",
        )

    p = command("path", _path, "a shortest lineage path between two models")
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--directed", action="store_true", help="only walk from child to parent")

    for name, fn, text in (
        ("backers", _backers, "who backs an organization (investors, owners)"),
        ("portfolio", _portfolio, "whom an organization backs"),
    ):
        p = command(name, fn, text)
        p.add_argument("org")
        p.add_argument("--transitive", action="store_true", help="follow backing chains")

    p = command("query", _query, "run a SPARQL query (prefixes llm:, llmid:, rdfs: … are bound)")
    p.add_argument("sparql", nargs="?", help="the query text (or use -f)")
    p.add_argument(
        "--allow-service",
        action="store_true",
        help="let SERVICE clauses make llmgraph query other servers (refused by default)",
    )
    p.add_argument("-f", "--file", type=Path, help="read the query from a .rq file")
    p.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="VAR=NAME",
        help="bind ?VAR to the entity called NAME (repeatable)",
    )
    p.add_argument(
        "--bind-literal",
        action="append",
        default=[],
        metavar="VAR=TEXT",
        help="bind ?VAR to the string TEXT (repeatable)",
    )

    p = command("render", _render, "draw a lineage, family, backing or hosting diagram")
    p.add_argument(
        "names",
        nargs="*",
        help="models or families (organizations with --organization/--backing, platforms with "
        "--platform; none with --sparql)",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--ancestors", action="store_true", help="only the ancestry")
    group.add_argument("--descendants", action="store_true", help="only the descendants")
    group.add_argument(
        "--family", action="store_true", help="the whole family: everything sharing a root"
    )
    group.add_argument(
        "--organization", action="store_true", help="the models an organization developed"
    )
    group.add_argument(
        "--backing", action="store_true", help="the backing network around organizations"
    )
    group.add_argument(
        "--platform", action="store_true", help="a platform, its operator and what it hosts"
    )
    group.add_argument(
        "--sparql",
        type=Path,
        metavar="FILE",
        help="draw what a SPARQL SELECT (subject, relation, object) or CONSTRUCT returns",
    )
    p.add_argument("--depth", type=int, help="limit lineage to this many steps")
    p.add_argument("--transitive", action="store_true", help="with --backing: follow chains")
    p.add_argument(
        "--no-bases",
        action="store_true",
        help="with --organization: leave out the models of others they were built on",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    p.add_argument(
        "--image-format",
        choices=_IMAGE_FORMATS,
        help="svg, png, pdf or dot (default: from the output's suffix)",
    )
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")
    p.add_argument("--title", help="a title over the diagram")
    p.add_argument(
        "--timeline",
        choices=("auto", "none", "year", "quarter"),
        default="auto",
        help="one rank per release year or quarter, with the time axis drawn (default: auto)",
    )
    p.add_argument(
        "--clusters",
        choices=("none", "developer", "family"),
        default="none",
        help="box the models of each developer or model family",
    )
    p.add_argument(
        "--layout",
        choices=("auto", "dot", "neato"),
        default="auto",
        help="Graphviz engine (default: neato for backing networks, dot otherwise)",
    )
    p.add_argument(
        "--collapse",
        type=int,
        default=3,
        metavar="N",
        help="collapse a parent's quantized/adapter leaves into one counted node from N of "
        "them on (0: never; default 3)",
    )
    p.add_argument(
        "--max-children",
        type=int,
        default=12,
        metavar="N",
        help="draw at most N children per parent, the rest behind a '… +K more' node "
        "(0: no cap; default 12)",
    )
    p.add_argument("--no-legend", action="store_true", help="leave out the legend")
    p.add_argument(
        "--no-edge-labels", action="store_true", help="no dates and amounts on backing edges"
    )

    p = command("serve", _serve, "publish the graph as a read-only SPARQL 1.1 endpoint")
    p.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878, help="TCP port (default: 7878)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per query (default 30)")
    p.add_argument("--limit", type=int, default=100_000, help="most rows per result")
    p.add_argument(
        "--cors", action="store_true", help="let web pages of other origins query it (off)"
    )
    p.add_argument(
        "--allow-service",
        action="store_true",
        help="let SERVICE clauses make the server query other servers (refused by default)",
    )
    p.add_argument(
        "--memory-limit",
        type=int,
        default=2048,
        metavar="MIB",
        help="memory of the query engine, in MiB (default 2048; 0: no limit)",
    )

    p = command("load", _load, "load RDF files (or the bundled data) into --store or --endpoint")
    p.add_argument(
        "files", nargs="*", type=Path, help=".ttl/.nt/.nq/.trig/.rdf/.jsonld files to load"
    )
    p.add_argument(
        "--bundled", action="store_true", help="load the bundled data (seed a new store)"
    )
    p.set_defaults(writes=True)

    p = command("table", _lineage_table, "every model's roots, depth and licence chain, as CSV")
    p.add_argument("-o", "--output", type=Path, help="write the CSV here (default: stdout)")

    p = command("show", _describe, "what the graph says about one entity, with its sources")
    p.add_argument("name", help="a model, family, organization, platform or licence")
    command("validate", _validate, "check the graph against the SHACL shapes")
    command("stats", _stats, "coverage: counts by class, relation and year")
    _add_import_export(sub, common)
    return parser


def _add_import_export(sub: Any, common: argparse.ArgumentParser) -> None:
    from llmgraph.exporters import FORMATS
    from llmgraph.importers import SOURCES

    text = (
        "import Hugging Face cards or Hub records, Epoch AI tables or Wikidata: into --store "
        "or --endpoint, or as a Turtle file of the new facts (-o)"
    )
    p = sub.add_parser("import", parents=[common], help=text, description=text)
    p.set_defaults(handler=_import, imports=True)
    p.add_argument("source", choices=SOURCES, help="the kind of input")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="files or folders to read")
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        help="write the new facts as Turtle here (required without --store / --endpoint)",
    )
    p.add_argument("--report", type=Path, metavar="FILE.json", help="write the full report here")
    p.add_argument("--id", dest="repo_id", metavar="OWNER/NAME", help="hf-cards: the card's id")
    p.add_argument("--author", help="hf-hub: fetch every model of this Hub user or organization")
    p.add_argument("--model", dest="hub_model", metavar="ID", help="hf-hub: fetch this model")
    p.add_argument(
        "--with-children", action="store_true", help="hf-hub --model: and its derivatives"
    )
    p.add_argument("--depth", type=int, help="hf-hub --with-children: generations to fetch")
    p.add_argument("--cite", metavar="URL", help="epoch: the table's public URL, cited per row")

    text = "write the graph (or a selection) as ttl, nt, jsonld, graphml, gexf or csv"
    own = copy.deepcopy(common)  # export's --format replaces the common one, in a copy only
    p = sub.add_parser(
        "export", parents=[own], help=text, description=text, conflict_handler="resolve"
    )
    p.set_defaults(handler=_export)
    p.add_argument(
        "--format",
        dest="export_format",
        choices=FORMATS,
        help="default: from the output's suffix (csv: OUTPUT is a folder)",
    )
    p.add_argument("--model", action="append", default=[], metavar="NAME", help="select a model")
    p.add_argument("--ancestors", action="store_true", help="with --model: its ancestry")
    p.add_argument("--descendants", action="store_true", help="with --model: its derivatives")
    p.add_argument(
        "--org", action="append", default=[], metavar="NAME", help="an organization and its models"
    )
    p.add_argument(
        "--prov", action="store_true", help="only prov:wasDerivedFrom / prov:wasAttributedTo"
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="file (or folder) to write")


def _import(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.importers import ProgressBar, fetch_hub_records, import_source

    fetch = bool(args.author or args.hub_model)
    if fetch and args.source != "hf-hub":
        raise _usage("--author and --model fetch from the Hub: they go with hf-hub")
    if args.with_children and not args.hub_model:
        raise _usage("--with-children goes with --model ID")
    if not args.inputs and not fetch:
        extra = " (or --author / --model to fetch from the Hub)" if args.source == "hf-hub" else ""
        raise _usage(f"import {args.source} needs INPUT files or folders{extra}")
    if args.out is None and lg.kind == "memory":
        raise _usage(
            "import into the in-memory graph keeps nothing: pass -o FILE.ttl for the new "
            "facts, or --store PATH / --endpoint URL to write them there"
        )
    bar = ProgressBar(f"import {args.source}")
    try:
        records = (
            fetch_hub_records(
                author=args.author,
                model=args.hub_model,
                with_children=args.with_children,
                max_depth=args.depth,
            )
            if fetch
            else []
        )
        report = import_source(
            lg,
            args.source,
            args.inputs,
            repo_id=args.repo_id,
            records=records,
            cite=args.cite,
            progress=bar,
        )
    finally:
        bar.close()
    written = []
    if args.out is not None:
        header = f"# llmgraph import {args.source}: {report.triples_added} new facts\n"
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(
                header + report.graph().serialize(format="turtle"), encoding="utf-8"
            )
        except OSError as exc:
            raise _usage(f"cannot write {args.out}: {exc.strerror or exc}") from None
        written.append(str(args.out))
    if args.report is not None:
        report.write_json(args.report)
        written.append(str(args.report))
    print(report.summary())
    if lg.kind != "memory":
        print(f"wrote {report.triples_added:,} new facts into {lg.backend.where}")
    if written:
        print("wrote " + " and ".join(written))
    return 0


def _export(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.exporters import export, select

    if (args.ancestors or args.descendants) and not args.model:
        raise _usage("--ancestors / --descendants go with --model NAME")
    entities = None
    if args.model or args.org:
        entities = select(
            lg,
            models=args.model,
            ancestors=args.ancestors,
            descendants=args.descendants,
            orgs=args.org,
        )
    written = export(lg, args.output, fmt=args.export_format, entities=entities, prov=args.prov)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


# ---------------------------------------------------------------------- commands


def _open_graph(args: argparse.Namespace) -> LineageGraph:
    if args.store is not None and args.endpoint is not None:
        raise _usage("pass --store or --endpoint, not both")
    if args.update_endpoint is not None and args.endpoint is None:
        raise _usage("--update-endpoint goes with --endpoint URL")
    if args.graph is not None and args.endpoint is None:
        raise _usage("--graph goes with --endpoint URL")
    if (args.store is not None or args.endpoint is not None) and (args.data or args.no_bundled):
        raise _usage(
            "--data and --no-bundled choose the in-memory graph; to add files to a store or "
            "an endpoint, use `load`"
        )
    writes = getattr(args, "writes", False) or getattr(args, "imports", False)
    if args.store is not None:
        return LineageGraph.open(args.store, read_only=not writes, create=writes)
    if args.endpoint is not None:
        return LineageGraph.connect(args.endpoint, args.update_endpoint, graph=args.graph)
    if getattr(args, "writes", False):
        raise _usage(f"{args.command} writes into a store: pass --store PATH (or --endpoint URL)")
    return LineageGraph.load(*args.data, bundled=not args.no_bundled)


def _serve(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.serve import make_server

    server = make_server(
        lg,
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        limit=args.limit,
        cors=args.cors,
        allow_service=args.allow_service,
        memory_limit=(args.memory_limit << 20) or None,
    )
    print(f"llmgraph: SPARQL endpoint at {server.url} (read-only; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


def _load(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.store import bundled_data_files

    files = list(args.files)
    if args.bundled:
        files = bundled_data_files() + files
    if not files:
        raise _usage("load needs RDF files, or --bundled for the bundled data")
    added = lg.import_files(files)
    shown = "the bundled data" if args.bundled and not args.files else f"{len(files)} file(s)"
    print(f"loaded {shown} ({added:,} new triples) into {lg.backend.where}")
    return 0


def _lineage_table(lg: LineageGraph, args: argparse.Namespace) -> int:
    table = lg.table()
    if args.output is not None:
        table.to_csv(args.output)
        print(f"wrote {args.output} ({len(table):,} models)")
    else:
        table.to_csv(sys.stdout)
    return 0


def _relations(args: argparse.Namespace) -> Any:
    if args.relations:
        return [r.strip() for r in args.relations.split(",") if r.strip()]
    return ALL_LINEAGE if args.all else None


_TABLE_COLUMNS = ["depth", "relation", "label", "developer", "released", "licence", "via"]
_BACKING_COLUMNS = ["depth", "relation", "label", "via"]


def _links(
    links: Links, args: argparse.Namespace, empty: str, columns: list[str] = _TABLE_COLUMNS
) -> int:
    for note in links.notes:
        print(f"llmgraph: note: {note}", file=sys.stderr)
    if args.format == "table":
        rows = []
        for row in links.rows():
            released = row["release_date"] or ""
            if released and row["release_date_precision"] == "month":
                released = released[:7]
            elif released and row["release_date_precision"] == "public-by":
                released = f"by {released}"
            rows.append({**row, "released": released})
        _emit(rows, columns, "table", empty=empty)
    else:
        _emit(links.rows(), list(links.columns), args.format, empty=empty)
    return 0


def _ancestors(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.ancestors(
        args.name, depth=args.depth, relations=_relations(args), family=args.family
    )
    return _links(found, args, f"none for {args.name!r} (a root)")


def _descendants(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.descendants(
        args.name, depth=args.depth, relations=_relations(args), family=args.family
    )
    return _links(found, args, f"none for {args.name!r}")


def _backers(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.backers(args.org, transitive=args.transitive)
    return _links(found, args, f"no backers of {args.org!r} in the data", _BACKING_COLUMNS)


def _portfolio(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.portfolio(args.org, transitive=args.transitive)
    return _links(found, args, f"{args.org!r} backs nobody in the data", _BACKING_COLUMNS)


def _path(lg: LineageGraph, args: argparse.Namespace) -> int:
    steps = lg.path(args.source, args.target, directed=args.directed)
    rows = [
        {
            "step": i,
            "from": s.subject_label if s.forward else s.object_label,
            "relation": s.relation if s.forward else f"^{s.relation}",
            "to": s.object_label if s.forward else s.subject_label,
        }
        for i, s in enumerate(steps, 1)
    ]
    _emit(rows, ["step", "from", "relation", "to"], args.format, empty="same model: empty path")
    return 0


def _query(lg: LineageGraph, args: argparse.Namespace) -> int:
    if (args.sparql is None) == (args.file is None):
        raise _usage("query takes the SPARQL text or -f FILE (one of them)")
    if args.file is not None:
        try:
            text = args.file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise _usage(f"query file {args.file} is not UTF-8 text: {exc.reason}") from None
        except OSError as exc:
            raise _usage(f"cannot read query file {args.file}: {exc.strerror or exc}") from None
    else:
        text = args.sparql
    bindings: dict[str, Any] = {}
    for item in args.bind:
        var, value = _split_binding(item)
        bindings[var] = lg.resolve(value)
    for item in args.bind_literal:
        var, value = _split_binding(item)
        bindings[var] = to_term(value)
    result = lg.query(text, bindings=bindings, allow_service=args.allow_service)
    _emit_result(result, args.format)
    return 0


def _render(lg: LineageGraph, args: argparse.Namespace) -> int:
    fmt = args.image_format or args.output.suffix.lstrip(".").lower() or "svg"
    if fmt not in _IMAGE_FORMATS:
        raise _usage(f"cannot tell the image format from {args.output}; pass --image-format")
    if args.sparql is not None:
        if args.names:
            raise _usage("render --sparql FILE draws what the query returns; drop the names")
        try:
            text = args.sparql.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise _usage(f"query file {args.sparql} is not UTF-8 text: {exc.reason}") from None
        except OSError as exc:
            raise _usage(f"cannot read query file {args.sparql}: {exc.strerror or exc}") from None
        selection = select_sparql(lg, text)
    elif not args.names:
        raise _usage("render needs at least one name (or --sparql FILE)")
    elif args.backing:
        selection = select_backing(lg, args.names, transitive=args.transitive)
    else:
        parts = []
        for name in args.names:
            if args.family:
                parts.append(select_family(lg, name, depth=args.depth))
            elif args.organization:
                parts.append(select_organization(lg, name, bases=not args.no_bases))
            elif args.platform:
                parts.append(select_platform(lg, name))
            else:
                parts.append(
                    select_lineage(
                        lg, name, up=not args.descendants, down=not args.ancestors, depth=args.depth
                    )
                )
        selection = functools.reduce(operator.or_, parts)
    made = diagram(
        lg,
        selection,
        rankdir=args.rankdir,
        title=args.title,
        legend=not args.no_legend,
        timeline=args.timeline,
        clusters=args.clusters,
        layout=args.layout,
        collapse=args.collapse,
        max_children=args.max_children or None,
        edge_labels=not args.no_edge_labels,
    )
    made.save(args.output, fmt=cast(Format, fmt))
    summary = f"wrote {args.output} ({len(selection.nodes)} nodes, {len(selection.edges)} edges"
    collapsed = sum(len(m) for k, m in made.placeholders.items() if k.startswith("group:"))
    behind = sum(len(m) for k, m in made.placeholders.items() if not k.startswith("group:"))
    if collapsed:
        summary += f"; {collapsed} in collapsed groups"
    if behind:
        summary += f"; {behind} behind '…' nodes"
    print(summary + ")")
    return 0


def _validate(lg: LineageGraph, args: argparse.Namespace) -> int:
    report = lg.validate()
    if args.format == "table":
        print(report)
    else:
        rows = [vars(v) for v in report.violations]
        _emit(rows, ["focus", "path", "value", "message", "severity"], args.format, empty="")
    return 0 if report.conforms else 1


def _describe(lg: LineageGraph, args: argparse.Namespace) -> int:
    rows: list[Row] = [
        {"property": f.property, "value": f.value, "iri": f.iri or ""}
        for f in lg.describe(args.name)
    ]
    _emit(rows, ["property", "value", "iri"], args.format, empty="")
    return 0


def _stats(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.stats import stats

    s = stats(lg)
    rows: list[Row] = [{"group": "triples", "key": "all", "count": s.triples}]
    rows += [{"group": "class", "key": k, "count": v} for k, v in s.classes.items()]
    rows += [{"group": "relation", "key": k, "count": v} for k, v in s.relations.items()]
    rows += [{"group": "models by year", "key": k, "count": v} for k, v in s.models_by_year.items()]
    rows += [{"group": "identified", "key": k, "count": v} for k, v in s.identified.items()]
    rows.append({"group": "facts without a source", "key": "all", "count": s.uncited})
    _emit(rows, ["group", "key", "count"], args.format, empty="")
    return 0


# ---------------------------------------------------------------------- output


def _usage(message: str) -> UsageError:
    return UsageError(message)


def _split_binding(item: str) -> tuple[str, str]:
    var, sep, value = item.partition("=")
    if not sep or not var.strip():
        raise _usage(f"a binding is VAR=VALUE, got {item!r}")
    return var.strip().lstrip("?$"), value


def _emit(rows: list[Row], columns: list[str], fmt: str, *, empty: str) -> None:
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(out.getvalue())
    elif not rows:
        if empty:
            print(f"({empty})")
    else:
        print(_table(rows, columns))


def _table(rows: list[Row], columns: list[str]) -> str:
    cells = [["" if row.get(c) is None else str(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _emit_result(result: Result, fmt: str) -> None:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph if result.graph is not None else Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, replace=True)
        sys.stdout.write(graph.serialize(format="nt" if fmt == "csv" else "turtle"))
        return
    if fmt == "json":
        sys.stdout.write(cast(bytes, result.serialize(format="json")).decode("utf-8") + "\n")
        return
    if result.type == "ASK":
        print(str(bool(result.askAnswer)).lower())
        return
    if fmt == "csv":
        sys.stdout.write(cast(bytes, result.serialize(format="csv")).decode("utf-8"))
        return
    columns = [str(v) for v in result.vars or []]
    rows = [
        {c: _show(row[i]) for i, c in enumerate(columns)}  # type: ignore[index]
        for row in result
    ]
    _emit(rows, columns, "table", empty="no results")


def _show(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return str(term)
    return str(term)
