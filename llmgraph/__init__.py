"""llmgraph: a knowledge graph of open-LLM lineage.

Models, organizations, backers and platforms live as RDF triples (the source of truth) and are
mirrored into a networkx graph for ancestry, descendant and "who backs whom" questions.

>>> import llmgraph
>>> lg = llmgraph.LineageGraph.load()
>>> [a.label for a in lg.ancestors("lmsys/vicuna-13b-v1.5")]
['Llama 2 13B']
"""

import sys as _sys
import types as _types
from importlib import import_module as _import_module
from typing import TYPE_CHECKING
from typing import Any as _Any

from llmgraph.errors import (
    AmbiguousNameError,
    DataLoadError,
    InvalidFactError,
    LineageCycleError,
    LLMGraphError,
    NoPathError,
    QueryError,
    RenderError,
    UnknownEntityError,
    UsageError,
    WrongKindError,
)
from llmgraph.terms import ALL_LINEAGE, BACKING_RELATIONS, IRI, PATH_RELATIONS, WEIGHT_RELATIONS

if TYPE_CHECKING:
    __version__: str

    from llmgraph.backends import Backend
    from llmgraph.compare import CommonAncestor, Comparison, common_ancestors, compare
    from llmgraph.describe import Fact
    from llmgraph.engine import LineageIndex
    from llmgraph.graph import LineageGraph
    from llmgraph.importers.report import ImportReport
    from llmgraph.licensing import Clause, Finding, Findings, license_check, license_conflicts
    from llmgraph.lineage import ancestors, backers, descendants, path, portfolio
    from llmgraph.mlbom import to_cyclonedx, write_cyclonedx
    from llmgraph.names import NameSource, Resolved
    from llmgraph.render import (
        Diagram,
        Selection,
        diagram,
        render,
        select_backing,
        select_family,
        select_lineage,
        select_organization,
        select_platform,
        select_sparql,
        to_dot,
    )
    from llmgraph.results import Link, Links, Step
    from llmgraph.search import Match, Matches, search
    from llmgraph.sparql import query
    from llmgraph.stats import Stats, stats, uncited
    from llmgraph.table import LineageTable
    from llmgraph.validate import ValidationReport, Violation, validate
    from llmgraph.vocab import LLM, LLMID, PREFIXES
del TYPE_CHECKING

# Imported on first use (PEP 562), so that a command pays only for what it runs: the renderer,
# the SHACL validator and the SPARQL engine are not loaded to answer ``ancestors``.
_LAZY = {
    "LineageGraph": "llmgraph.graph",
    **dict.fromkeys(
        ("CommonAncestor", "Comparison", "common_ancestors", "compare"), "llmgraph.compare"
    ),
    **dict.fromkeys(
        ("Clause", "Finding", "Findings", "license_check", "license_conflicts"),
        "llmgraph.licensing",
    ),
    **dict.fromkeys(("to_cyclonedx", "write_cyclonedx"), "llmgraph.mlbom"),
    **dict.fromkeys(("Match", "Matches", "search"), "llmgraph.search"),
    "Backend": "llmgraph.backends",
    "Fact": "llmgraph.describe",
    "LineageIndex": "llmgraph.engine",
    "ImportReport": "llmgraph.importers.report",
    "Resolved": "llmgraph.names",
    "NameSource": "llmgraph.names",
    "LineageTable": "llmgraph.table",
    **dict.fromkeys(
        ("ancestors", "backers", "descendants", "path", "portfolio"), "llmgraph.lineage"
    ),
    **dict.fromkeys(
        (
            "Diagram",
            "Selection",
            "diagram",
            "render",
            "select_backing",
            "select_family",
            "select_lineage",
            "select_organization",
            "select_platform",
            "select_sparql",
            "to_dot",
        ),
        "llmgraph.render",
    ),
    **dict.fromkeys(("Link", "Links", "Step"), "llmgraph.results"),
    "query": "llmgraph.sparql",
    **dict.fromkeys(("Stats", "stats", "uncited"), "llmgraph.stats"),
    **dict.fromkeys(("ValidationReport", "Violation", "validate"), "llmgraph.validate"),
    **dict.fromkeys(("LLM", "LLMID", "PREFIXES"), "llmgraph.vocab"),
}


def __getattr__(name: str) -> _Any:
    if name == "__version__":  # read from the installed metadata, the one place it is kept
        from importlib.metadata import version

        globals()["__version__"] = version("llmgraph")
        return globals()["__version__"]
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'llmgraph' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


class _Package(_types.ModuleType):
    """The package object: ``llmgraph.render`` stays the function when its module loads.

    Importing a submodule sets it as an attribute of its package; three of llmgraph's public
    functions (``render``, ``validate``, ``stats``) share a name with their module, and the
    public name is the function.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _types.ModuleType) and _LAZY.get(name) == value.__name__:
            return  # the module stays in sys.modules; the package's name is the function
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


__all__ = [
    "ALL_LINEAGE",
    "BACKING_RELATIONS",
    "IRI",
    "LLM",
    "LLMID",
    "PATH_RELATIONS",
    "PREFIXES",
    "WEIGHT_RELATIONS",
    "AmbiguousNameError",
    "Backend",
    "Clause",
    "CommonAncestor",
    "Comparison",
    "DataLoadError",
    "Diagram",
    "Fact",
    "Finding",
    "Findings",
    "ImportReport",
    "InvalidFactError",
    "LLMGraphError",
    "LineageCycleError",
    "LineageGraph",
    "LineageIndex",
    "LineageTable",
    "Link",
    "Links",
    "Match",
    "Matches",
    "NameSource",
    "NoPathError",
    "QueryError",
    "RenderError",
    "Resolved",
    "Selection",
    "Stats",
    "Step",
    "UnknownEntityError",
    "UsageError",
    "ValidationReport",
    "Violation",
    "WrongKindError",
    "__version__",
    "ancestors",
    "backers",
    "common_ancestors",
    "compare",
    "descendants",
    "diagram",
    "license_check",
    "license_conflicts",
    "path",
    "portfolio",
    "query",
    "render",
    "search",
    "select_backing",
    "select_family",
    "select_lineage",
    "select_organization",
    "select_platform",
    "select_sparql",
    "stats",
    "to_cyclonedx",
    "to_dot",
    "uncited",
    "validate",
    "write_cyclonedx",
]
