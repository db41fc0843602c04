"""The ``llmgraph`` command line; :func:`main` is the only place exit codes live.

Exit status: 0 on success, 1 when llmgraph reports an error (or ``validate`` finds
violations), 2 for a command line that does not parse.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from rdflib import Graph, URIRef
from rdflib.query import Result

from llmgraph.errors import LLMGraphError, UsageError
from llmgraph.graph import LineageGraph
from llmgraph.lineage import ALL_LINEAGE, Link
from llmgraph.render import Format, render, select_backing, select_lineage
from llmgraph.sparql import to_term
from llmgraph.vocab import PREFIXES

__all__ = ["main"]

Row = dict[str, Any]
_FORMATS = ("table", "json", "csv")
_IMAGE_FORMATS = ("svg", "png", "pdf", "dot")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Args:
        argv: the arguments after the program name (default ``sys.argv[1:]``).

    >>> main(["ancestors", "Vicuna 13B v1.5", "--format", "csv"])
    depth,relation,label,via,id
    1,fineTunedFrom,Llama 2 13B,Vicuna 13B v1.5,https://w3id.org/llmgraph/id/llama-2-13b
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    for name, default in (
        ("data", []),
        ("format", "table"),
        ("debug", False),
        ("no_bundled", False),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    try:
        lg = LineageGraph.load(*args.data, bundled=not args.no_bundled)
        handler = cast(Callable[[LineageGraph, argparse.Namespace], int], args.handler)
        return handler(lg, args)
    except LLMGraphError as exc:
        if args.debug:
            raise
        print(f"llmgraph: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `llmgraph descendants X | head`
        return 0


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

    p = command("render", _render, "draw a lineage or backing diagram with Graphviz")
    p.add_argument("names", nargs="+", help="models or families (or organizations with --backing)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--ancestors", action="store_true", help="only the ancestry")
    group.add_argument("--descendants", action="store_true", help="only the descendants")
    group.add_argument(
        "--backing", action="store_true", help="the backing network around organizations"
    )
    p.add_argument("--depth", type=int, help="limit lineage to this many steps")
    p.add_argument("--transitive", action="store_true", help="with --backing: follow chains")
    p.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    p.add_argument(
        "--image-format",
        choices=_IMAGE_FORMATS,
        help="svg, png, pdf or dot (default: from the output's suffix)",
    )
    p.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR")
    p.add_argument("--title", help="a title over the diagram")

    command("validate", _validate, "check the graph against the SHACL shapes")
    command("stats", _stats, "coverage: counts by class, relation and year")
    return parser


# ---------------------------------------------------------------------- commands


def _relations(args: argparse.Namespace) -> Any:
    if args.relations:
        return [r.strip() for r in args.relations.split(",") if r.strip()]
    return ALL_LINEAGE if args.all else None


def _links(lg: LineageGraph, links: list[Link], args: argparse.Namespace, name: str) -> int:
    rows = [
        {
            "depth": link.depth,
            "relation": link.relation,
            "label": link.label,
            "via": lg.label(link.via),
            "id": link.id,
        }
        for link in links
    ]
    _emit(rows, ["depth", "relation", "label", "via", "id"], args.format, empty=f"none for {name}")
    return 0


def _ancestors(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.ancestors(args.name, depth=args.depth, relations=_relations(args))
    return _links(lg, found, args, f"{args.name!r} (a root)")


def _descendants(lg: LineageGraph, args: argparse.Namespace) -> int:
    found = lg.descendants(args.name, depth=args.depth, relations=_relations(args))
    return _links(lg, found, args, repr(args.name))


def _backers(lg: LineageGraph, args: argparse.Namespace) -> int:
    return _links(lg, lg.backers(args.org, transitive=args.transitive), args, repr(args.org))


def _portfolio(lg: LineageGraph, args: argparse.Namespace) -> int:
    return _links(lg, lg.portfolio(args.org, transitive=args.transitive), args, repr(args.org))


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
    result = lg.query(text, bindings=bindings)
    _emit_result(result, args.format)
    return 0


def _render(lg: LineageGraph, args: argparse.Namespace) -> int:
    fmt = args.image_format or args.output.suffix.lstrip(".").lower() or "svg"
    if fmt not in _IMAGE_FORMATS:
        raise _usage(f"cannot tell the image format from {args.output}; pass --image-format")
    if args.backing:
        selection = select_backing(lg, args.names, transitive=args.transitive)
    else:
        selection = select_lineage(
            lg, args.names[0], up=not args.descendants, down=not args.ancestors, depth=args.depth
        )
        for name in args.names[1:]:
            more = select_lineage(
                lg, name, up=not args.descendants, down=not args.ancestors, depth=args.depth
            )
            selection.nodes |= more.nodes
            selection.edges |= more.edges
            selection.focus |= more.focus
    render(
        lg,
        selection,
        fmt=cast(Format, fmt),
        out=args.output,
        rankdir=args.rankdir,
        title=args.title,
    )
    print(f"wrote {args.output} ({len(selection.nodes)} nodes, {len(selection.edges)} edges)")
    return 0


def _validate(lg: LineageGraph, args: argparse.Namespace) -> int:
    report = lg.validate()
    if args.format == "table":
        print(report)
    else:
        rows = [vars(v) for v in report.violations]
        _emit(rows, ["focus", "path", "value", "message", "severity"], args.format, empty="")
    return 0 if report.conforms else 1


def _stats(lg: LineageGraph, args: argparse.Namespace) -> int:
    from llmgraph.stats import stats

    s = stats(lg)
    rows: list[Row] = [{"group": "triples", "key": "all", "count": s.triples}]
    rows += [{"group": "class", "key": k, "count": v} for k, v in s.classes.items()]
    rows += [{"group": "relation", "key": k, "count": v} for k, v in s.relations.items()]
    rows += [{"group": "models by year", "key": k, "count": v} for k, v in s.models_by_year.items()]
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
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
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
