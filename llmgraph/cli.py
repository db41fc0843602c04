# PYTHON_ARGCOMPLETE_OK
"""The ``llmgraph`` command line; :func:`main` is the only place exit codes live.

Exit status: 0 on success, 1 when llmgraph reports an error (or ``validate`` finds
violations), 2 for a command line that does not parse.
"""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import operator
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from llmgraph.errors import LLMGraphError, UsageError
from llmgraph.terms import ALL_LINEAGE

if TYPE_CHECKING:
    from rdflib.query import Result

    from llmgraph.graph import LineageGraph
    from llmgraph.render import Format
    from llmgraph.results import Links

# Heavy modules (rdflib's SPARQL engine, the renderer, pyshacl) are imported by the commands
# that use them, so that ``llmgraph ancestors …`` starts in a fraction of a second.

__all__ = ["main"]

Row = dict[str, Any]
_AS_OF_COMMANDS = frozenset(
    {"ancestors", "descendants", "license-check", "common-ancestors", "compare", "search", "export"}
)
_FORMATS = ("table", "json", "csv")
_DASH = Path("-")  # standard input or output, where a file is expected
_IMAGE_FORMATS = ("svg", "png", "pdf", "dot")


class _VersionAction(argparse.Action):
    """``--version``: the installed version, read only when asked (importlib.metadata is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import version

        print(f"llmgraph {version('llmgraph')}")
        parser.exit()


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
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (`llmgraph completion`)
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    for name, default in (
        ("data", []),
        ("format", "table"),
        ("debug", False),
        ("no_bundled", False),
        ("store", None),
        ("endpoint", None),
        ("update_endpoint", None),
        ("as_of", None),
        ("graph", None),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    try:
        if getattr(args, "no_graph", False):
            return cast("Callable[[None, argparse.Namespace], int]", args.handler)(None, args)
        if getattr(args, "as_of", None) is not None and args.command not in _AS_OF_COMMANDS:
            raise _usage(
                f"--as-of is not supported by {args.command} yet; it goes with "
                + ", ".join(sorted(_AS_OF_COMMANDS))
            )
        lg = _open_graph(args)
        try:
            handler = cast("Callable[[LineageGraph, argparse.Namespace], int]", args.handler)
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


def _rows_format(p: argparse.ArgumentParser) -> None:
    """``--format``: how a command that answers in rows prints them."""
    p.add_argument(
        "--format",
        choices=_FORMATS,
        default="table",
        help="table (aligned text, the default), json or csv",
    )


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
        "--as-of",
        metavar="YYYY-MM-DD",
        default=argparse.SUPPRESS,
        help="the graph as of a date: only models released by then (ancestors, descendants, "
        "license-check, common-ancestors, compare, search, export --format cyclonedx)",
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
    parser.add_argument("--version", action=_VersionAction, help="show llmgraph's version and exit")
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
        _rows_format(p)
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
    _rows_format(p)
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--directed", action="store_true", help="only walk from child to parent")

    for name, fn, text in (
        ("backers", _backers, "who backs an organization (investors, owners)"),
        ("portfolio", _portfolio, "whom an organization backs"),
    ):
        p = command(name, fn, text)
        _rows_format(p)
        p.add_argument("org")
        p.add_argument("--transitive", action="store_true", help="follow backing chains")

    p = command("query", _query, "run a SPARQL query (prefixes llm:, llmid:, rdfs: … are bound)")
    p.add_argument("sparql", nargs="?", help="the query text (or use -f)")
    p.add_argument(
        "--format",
        choices=(*_FORMATS, "ttl", "nt"),
        help="SELECT and ASK: table (default), json (SPARQL 1.1 Results JSON) or csv; "
        "CONSTRUCT and DESCRIBE: ttl (default) or nt",
    )
    p.add_argument(
        "--allow-service",
        action="store_true",
        help="let SERVICE clauses make llmgraph query other servers (refused by default)",
    )
    p.add_argument(
        "-f", "--file", type=Path, help="read the query from a .rq file ('-': standard input)"
    )
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
    p.add_argument(
        "-o", "--output", type=Path, required=True, help="file to write ('-': standard output)"
    )
    p.add_argument(
        "--format",
        "--image-format",
        dest="image_format",
        choices=_IMAGE_FORMATS,
        help="svg, png, pdf or dot (default: from the output's suffix; svg for '-')",
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
    p.add_argument(
        "--width",
        metavar="LENGTH",
        help="scale the figure to this width: 3.5in, 8.9cm, 89mm, 252pt (refused if its text "
        "would come out under 6 pt)",
    )
    p.add_argument(
        "--height", metavar="LENGTH", help="scale the figure to this height (as --width)"
    )
    p.add_argument(
        "--dpi",
        type=float,
        metavar="N",
        help="resolution of PNG output (default: 96; 300 for print)",
    )
    p.add_argument(
        "--font",
        default=None,
        metavar="NAME",
        help="font family of every text, such as 'Times New Roman' (default: Arial)",
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

    p = command("table", _lineage_table, "every model's roots, depth and licence chain")
    p.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="csv (the default) or json"
    )
    p.add_argument(
        "-o", "--output", type=Path, help="write it here (default, or '-': standard output)"
    )

    p = command(
        "show",
        _describe,
        "what the graph says about one entity, with its sources, and the facts pointing at it",
    )
    _rows_format(p)
    p.add_argument("name", help="a model, family, organization, platform or licence")
    _rows_format(command("validate", _validate, "check the graph against the SHACL shapes"))
    _rows_format(command("stats", _stats, "coverage: counts by class, relation and year"))
    p = command("completion", _completion, "print the shell completion script (argcomplete)")
    p.set_defaults(no_graph=True)
    p.add_argument("shell", choices=("bash", "zsh", "fish", "tcsh", "powershell"))
    p = command(
        "license-check",
        _license_check,
        "licence clauses along lineage: every conflicting edge, or what one model inherits",
    )
    _rows_format(p)
    p.add_argument("name", nargs="?", help="a model: every clause it inherits (default: all edges)")
    p.add_argument(
        "--problems",
        action="store_true",
        help="with a model: only conflict, restricted and unknown rows",
    )
    p = command(
        "common-ancestors",
        _common_ancestors,
        "the nearest models two models share, with both paths and the lineage distance",
    )
    _rows_format(p)
    p.add_argument("a", help="the first model")
    p.add_argument("b", help="the second model")
    p.add_argument("--all", action="store_true", help="also follow successorOf and teachers")

    p = command("compare", _compare, "two models side by side, and how they are related")
    _rows_format(p)
    p.add_argument("a", help="the first model")
    p.add_argument("b", help="the second model")
    p = command("search", _search, "find models, organizations … by label, alias or Hub id, ranked")
    _rows_format(p)
    p.add_argument("text", help="what to look for (case-insensitive; '' lists all)")
    p.add_argument("--developer", metavar="ORG", help="only models of this developer")
    p.add_argument("--family", metavar="F", help="only models of this family")
    p.add_argument("--license", metavar="L", help="only models under this licence (or SPDX id)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only models released on or after")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="only models released by this date")
    p.add_argument("--kind", choices=("model", "family", "organization", "platform", "licence"))
    p.add_argument("--limit", type=int, default=20, help="most matches shown (default 20)")
    _add_import_export(sub, common)
    return parser


def _add_import_export(sub: Any, common: argparse.ArgumentParser) -> None:
    from llmgraph.formats import EXPORT_FORMATS as FORMATS
    from llmgraph.formats import IMPORT_SOURCES as SOURCES

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
    p = sub.add_parser("export", parents=[common], help=text, description=text)
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
        "--organization",
        "--org",
        dest="org",
        action="append",
        default=[],
        metavar="NAME",
        help="select an organization and its models",
    )
    p.add_argument(
        "--prov", action="store_true", help="only prov:wasDerivedFrom / prov:wasAttributedTo"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="file (or folder, for csv) to write ('-': standard output, with --format)",
    )


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
    from llmgraph.exporters import export, format_of, select

    fmt = args.export_format or (format_of(args.output) if args.output.suffix else None)
    if fmt == "cyclonedx":
        from llmgraph.mlbom import write_cyclonedx

        if args.descendants or args.org or args.prov:
            raise _usage(
                "a CycloneDX BOM holds models and their ancestors: use --model NAME "
                "(repeatable), without --descendants, --org or --prov"
            )
        path = write_cyclonedx(lg, args.output, args.model or None, as_of=args.as_of)
        print(f"wrote {path}")
        return 0
    if args.as_of:
        raise _usage("--as-of goes with --format cyclonedx")

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
    if args.output == _DASH:
        _export_to_stdout(lg, args.export_format, entities, prov=args.prov)
        return 0
    written = export(lg, args.output, fmt=args.export_format, entities=entities, prov=args.prov)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _export_to_stdout(lg: LineageGraph, fmt: str | None, entities: Any, *, prov: bool) -> None:
    import networkx as nx

    from llmgraph.exporters import RDF_FORMATS, serialize, to_networkx, to_prov, to_rdf

    if fmt is None or fmt == "csv":
        raise _usage(
            "export -o - writes one file to standard output: pass --format ttl, nt, jsonld, "
            "graphml or gexf (csv writes two files into a folder)"
        )
    if prov and fmt not in RDF_FORMATS:
        raise _usage(f"--prov writes RDF: use --format {', '.join(RDF_FORMATS)}, not {fmt}")
    if fmt in RDF_FORMATS:
        graph = to_prov(lg, entities=entities) if prov else to_rdf(lg, entities=entities)
        sys.stdout.write(serialize(graph, fmt))
        return
    mirror = to_networkx(lg, entities=entities)
    sys.stdout.flush()
    if fmt == "graphml":
        nx.write_graphml(mirror, sys.stdout.buffer, named_key_ids=True)
    else:
        nx.write_gexf(mirror, sys.stdout.buffer)
    sys.stdout.buffer.flush()


# ---------------------------------------------------------------------- commands


def _open_graph(args: argparse.Namespace) -> LineageGraph:
    from llmgraph.graph import LineageGraph

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
    if args.format == "json":
        out = json.dumps(list(table.rows()), indent=2, ensure_ascii=False) + "\n"
    else:
        text = io.StringIO()
        table.to_csv(text)
        out = text.getvalue()
    if args.output is None or args.output == _DASH:
        sys.stdout.write(out)
        return 0
    try:
        args.output.write_text(out, encoding="utf-8")
    except OSError as exc:
        raise _usage(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output} ({len(table):,} models)")
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
    elif args.format == "json":  # streamed from the columns, never one object per row first
        links.to_json(sys.stdout)
        sys.stdout.write("\n")
    else:
        links.to_csv(sys.stdout)
    return 0


def _ancestors(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.ancestors(
        args.name,
        depth=args.depth,
        relations=_relations(args),
        family=args.family,
        as_of=args.as_of,
    )
    return _links(found, args, f"none for {args.name!r} (a root)")


def _descendants(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.descendants(
        args.name,
        depth=args.depth,
        relations=_relations(args),
        family=args.family,
        as_of=args.as_of,
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
    from llmgraph.sparql import to_term

    if (args.sparql is None) == (args.file is None):
        raise _usage("query takes the SPARQL text or -f FILE (one of them)")
    if args.file == _DASH:
        text = sys.stdin.read()
    elif args.file is not None:
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
    graphs = result.type in ("CONSTRUCT", "DESCRIBE")
    fmt = args.format or ("ttl" if graphs else "table")
    if graphs and fmt not in ("ttl", "nt"):
        raise _usage(f"a {result.type} query returns triples: use --format ttl or nt, not {fmt}")
    if not graphs and fmt in ("ttl", "nt"):
        raise _usage(
            f"a {result.type} query returns rows: use --format table, json or csv, not {fmt}"
        )
    _emit_result(result, fmt)
    return 0


def _render(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.render import (
        diagram,
        select_backing,
        select_family,
        select_lineage,
        select_organization,
        select_platform,
        select_sparql,
    )

    to_stdout = args.output == _DASH
    fmt = args.image_format or (
        "svg" if to_stdout else args.output.suffix.lstrip(".").lower() or "svg"
    )
    if fmt not in _IMAGE_FORMATS:
        raise _usage(f"cannot tell the image format from {args.output}; pass --format")
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
        width=args.width,
        height=args.height,
        dpi=args.dpi,
        **({"font": args.font} if args.font is not None else {}),
    )
    if to_stdout:
        sys.stdout.buffer.write(made.pipe(cast("Format", fmt)))
        sys.stdout.flush()
    else:
        made.save(args.output, fmt=cast("Format", fmt))
    where = "standard output" if to_stdout else str(args.output)
    summary = f"wrote {where} ({len(selection.nodes)} nodes, {len(selection.edges)} edges"
    collapsed = sum(len(m) for k, m in made.placeholders.items() if k.startswith("group:"))
    behind = sum(len(m) for k, m in made.placeholders.items() if not k.startswith("group:"))
    if collapsed:
        summary += f"; {collapsed} in collapsed groups"
    if behind:
        summary += f"; {behind} behind '…' nodes"
    print(summary + ")", file=sys.stderr if to_stdout else sys.stdout)
    return 0


def _completion(lg: LineageGraph | None, args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode(["llmgraph"], shell=args.shell))
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
    facts = lg.describe(args.name)
    if args.format == "table":  # facts pointing at the entity read "← relation"
        rows: list[Row] = [
            {
                "property": f"← {f.property}" if f.incoming else f.property,
                "value": f.value,
                "iri": f.iri or "",
            }
            for f in facts
        ]
        _emit(rows, ["property", "value", "iri"], "table", empty="", wrap={"value": 60})
        return 0
    rows = [
        {"property": f.property, "value": f.value, "iri": f.iri or "", "incoming": f.incoming}
        for f in facts
    ]
    _emit(rows, ["property", "value", "iri", "incoming"], args.format, empty="")
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


_LICENSE_COLUMNS = ["status", "model", "ancestor", "ancestor_licence", "kind", "reason"]


def _license_check(lg: LineageGraph, args: argparse.Namespace) -> int:
    if args.name is None:
        if args.problems:
            raise _usage(
                "--problems goes with a model name (without one, only problems are listed)"
            )
        found = lg.license_conflicts(as_of=args.as_of)
        empty = "no licence conflicts"
    else:
        found = lg.license_check(args.name, as_of=args.as_of)
        empty = f"{args.name!r} inherits no licence clauses"
    for note in found.notes:
        print(f"llmgraph: note: {note}", file=sys.stderr)
    rows = found.rows()
    if args.problems:
        rows = [r for r in rows if r["status"] in ("conflict", "restricted", "unknown")]
    columns = (
        _LICENSE_COLUMNS
        if args.name is None
        else [*_LICENSE_COLUMNS[:1], *_LICENSE_COLUMNS[2:], "path"]
    )
    if args.format == "table":
        _emit(rows, columns, "table", empty=empty)
        counts = found.counts()
        if counts and rows:
            print(", ".join(f"{n} {s}" for s, n in counts.items()))
    else:
        _emit(rows, list(found.columns), args.format, empty=empty)
    return 0


def _common_ancestors(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.common_ancestors(args.a, args.b, everything=args.all, as_of=args.as_of)
    rows = [c.row() for c in found]
    columns = ["label", "distance", "path_a", "path_b"]
    empty = f"{args.a!r} and {args.b!r} share no ancestor" + (
        "" if args.all else " along weight lineage (--all adds succession and teachers)"
    )
    if args.format == "table":
        _emit(rows, columns, "table", empty=empty)
    else:
        _emit(rows, [*columns[:2], "depth_a", "depth_b", *columns[2:], "id"], args.format, empty="")
    return 0


def _compare(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.compare(args.a, args.b, as_of=args.as_of)
    rows: list[Row] = list(found.table())
    if found.path:
        rows.append({"field": "path", "a": " ; ".join(found.path), "b": ""})
    if args.format == "json":
        print(
            json.dumps(
                {
                    "a": str(found.a),
                    "b": str(found.b),
                    "facts": {f: {"a": x, "b": y} for f, x, y in found.rows},
                    "related": found.relation,
                    "common_ancestors": [c.row() for c in found.common],
                    "path": found.path,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        _emit(rows, ["field", "a", "b"], args.format, empty="")
    return 0


def _search(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.search(
        args.text,
        developer=args.developer,
        family=args.family,
        license=args.license,
        since=args.since,
        until=args.until,
        kind=args.kind,
        as_of=args.as_of,
        limit=args.limit,
    )
    for note in found.notes:
        print(f"llmgraph: note: {note}", file=sys.stderr)
    rows = found.rows()
    if args.format == "table":
        for row in rows:
            released = row["release_date"] or ""
            if released and row["release_date_precision"] == "month":
                released = released[:7]
            elif released and row["release_date_precision"] == "public-by":
                released = f"by {released}"
            row["released"] = released
        columns = ["score", "label", "kind", "developer", "released", "licence", "matched"]
        _emit(rows, columns, "table", empty=f"nothing matches {args.text!r}")
    else:
        _emit(rows, list(found.columns), args.format, empty="")
    return 0


# ---------------------------------------------------------------------- output


def _usage(message: str) -> UsageError:
    return UsageError(message)


def _split_binding(item: str) -> tuple[str, str]:
    var, sep, value = item.partition("=")
    if not sep or not var.strip():
        raise _usage(f"a binding is VAR=VALUE, got {item!r}")
    return var.strip().lstrip("?$"), value


def _emit(
    rows: list[Row],
    columns: list[str],
    fmt: str,
    *,
    empty: str,
    wrap: dict[str, int] | None = None,
) -> None:
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
        print(_table(rows, columns, wrap or {}))


def _table(rows: list[Row], columns: list[str], wrap: dict[str, int] | None = None) -> str:
    """Align ``rows`` in columns; a column named in ``wrap`` is wrapped at that width."""
    cells: list[list[str]] = []
    for row in rows:
        texts = ["" if row.get(c) is None else str(row[c]) for c in columns]
        parts = [
            textwrap.wrap(t, (wrap or {})[c], break_on_hyphens=False) or [""]
            if c in (wrap or {}) and len(t) > (wrap or {})[c]
            else [t]
            for c, t in zip(columns, texts, strict=True)
        ]
        for line in range(max(len(p) for p in parts)):
            cells.append([p[line] if line < len(p) else "" for p in parts])
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def _emit_result(result: Result, fmt: str) -> None:
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        from rdflib import Graph

        from llmgraph.vocab import PREFIXES

        graph = result.graph if result.graph is not None else Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, replace=True)
        sys.stdout.write(graph.serialize(format="nt" if fmt == "nt" else "turtle"))
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
    return str(term)
