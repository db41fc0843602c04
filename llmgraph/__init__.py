"""llmgraph: a knowledge graph of open-LLM lineage.

Models, organizations, backers and platforms live as RDF triples (the source of truth) and are
mirrored into a networkx graph for ancestry, descendant and "who backs whom" questions.

>>> import llmgraph
>>> lg = llmgraph.LineageGraph.load()
>>> [a.label for a in lg.ancestors("lmsys/vicuna-13b-v1.5")]
['Llama 2 13B']
"""

from importlib.metadata import version as _version

from llmgraph.compare import CommonAncestor, Comparison, common_ancestors, compare
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
from llmgraph.graph import LineageGraph
from llmgraph.licensing import Clause, Finding, Findings, license_check, license_conflicts
from llmgraph.lineage import ancestors, backers, descendants, path, portfolio
from llmgraph.mlbom import to_cyclonedx, write_cyclonedx
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
from llmgraph.terms import ALL_LINEAGE, BACKING_RELATIONS, IRI, PATH_RELATIONS, WEIGHT_RELATIONS
from llmgraph.validate import ValidationReport, Violation, validate
from llmgraph.vocab import LLM, LLMID, PREFIXES

__version__ = _version("llmgraph")

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
    "Clause",
    "CommonAncestor",
    "Comparison",
    "DataLoadError",
    "Diagram",
    "Finding",
    "Findings",
    "InvalidFactError",
    "LLMGraphError",
    "LineageCycleError",
    "LineageGraph",
    "Link",
    "Links",
    "Match",
    "Matches",
    "NoPathError",
    "QueryError",
    "RenderError",
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
