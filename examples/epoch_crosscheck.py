"""Research script: cross-check llmgraph's models against Epoch AI's notable-models table.

Epoch AI publishes a table of notable AI models (CC BY 4.0) with, for each system, its
organization(s), publication date and, for fine-tunes, its base model. This script reads that
table, matches its language-model rows to the models in llmgraph's bundled data, and lists every
disagreement on three fields:

``base model``
    Epoch's ``Base model`` cell against our weight lineage. Epoch's base agrees when it is one of
    our ``llm:derivedFrom`` ancestors (Epoch names the foundation model, which for a chain of
    fine-tunes is an ancestor rather than the direct parent). A row where only one side names a
    base is a disagreement too.
``organization``
    Epoch's ``Organization`` cell (comma-joined) against our ``llm:developedBy``. Each Epoch name
    is resolved through our labels and aliases (case and punctuation ignored), so "Meta AI" is
    Meta when Meta has that alias; the two sets must be equal.
``date``
    Epoch's ``Publication date`` against our ``llm:releaseDate``. Differences of at most
    ``--tolerance-days`` (default 7) are the same event seen twice (a blog post and the paper a
    few days later) and agree; so does any day of the month for a date of
    ``llm:releaseDatePrecision "month"``, and any earlier day for a "public-by" date. A missing
    ``llm:releaseDate`` is a disagreement.

A row matches one of our models when one of these names resolves to an ``llm:Model`` through
``LineageGraph.resolve`` (labels, aliases and Hugging Face ids, compared with
:func:`llmgraph.names.normalize`, so "LLaMA-65B" is "LLaMA 65B" but "OPT-1.3B" is not "OPT-13B"):
the system name; the name without a parenthesised part ("GPT-3 175B (davinci)" → "GPT-3 175B");
the parenthesised part ("GPT-3.5 (text-davinci-003)" → "text-davinci-003"); and each of these
with " Base" appended (Epoch's "Nemotron-4 340B" is our "Nemotron-4 340B Base").

Every disagreement must be explained in ``data/epoch-explained.csv`` (columns ``epoch_system,
field, ours, epoch, verdict, explanation, source_url``). A line explains a disagreement when its
first four cells equal the disagreement's, so an explanation goes stale as soon as either side's
value changes. Verdicts: ``epoch differs`` (Epoch is wrong or uses another event),
``convention`` (both are right under different conventions), ``ours follows source`` (sources
disagree and we follow the one named), and ``fixed in llmgraph data`` (the data was corrected;
the line records the old value, and the script checks the disagreement is really gone).

Exit status: 0 when every disagreement is explained and no explanation is stale, 1 otherwise,
2 for bad input.

    python examples/epoch_crosscheck.py                      # table of everything
    python examples/epoch_crosscheck.py --format json        # machine-readable report
    python examples/epoch_crosscheck.py --format csv         # the disagreements as CSV
    python examples/epoch_crosscheck.py PATH/TO/epoch.csv --tolerance-days 14
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from rdflib import RDF, RDFS, SKOS, URIRef
from rdflib import Literal as RDFLiteral

from llmgraph import LLM, AmbiguousNameError, DataLoadError, LineageGraph, UnknownEntityError
from llmgraph.names import normalize

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EPOCH_CSV = REPO.parent / "shared" / "realdata" / "epoch_notable_ai_models_2024-07-16.csv"
DEFAULT_EXPLAINED = REPO / "data" / "epoch-explained.csv"
DEFAULT_TOLERANCE_DAYS = 7
FIRST_YEAR = 2018
"""Unmatched Epoch rows published before this year are outside the dataset's scope."""

Field = Literal["base model", "organization", "date"]
FIELDS: tuple[Field, ...] = ("base model", "organization", "date")
Format = Literal["table", "json", "csv"]
EXPLAINED_COLUMNS = (
    "epoch_system",
    "field",
    "ours",
    "epoch",
    "verdict",
    "explanation",
    "source_url",
)
VERDICTS = ("epoch differs", "convention", "ours follows source", "fixed in llmgraph data")
FIXED = "fixed in llmgraph data"
OPEN_WEIGHTS = ("Open source", "Open access (restricted use)", "Open access (non-commercial)")

_PARENTHESISED = re.compile(r"\s*\(([^)]*)\)")


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class EpochRow:
    """One record of Epoch's table (only the columns the cross-check uses)."""

    system: str
    line: int
    domains: tuple[str, ...]
    organizations: tuple[str, ...]
    organization_cell: str
    published: date | None
    base_models: tuple[str, ...]
    base_model_cell: str
    accessibility: str

    @property
    def is_language(self) -> bool:
        """Whether Epoch lists "Language" among the row's domains."""
        return "Language" in self.domains


def split_multi(cell: str) -> tuple[str, ...]:
    """Split one of Epoch's comma-joined multi-value cells.

    >>> split_multi("Hugging Face,BigScience")
    ('Hugging Face', 'BigScience')
    >>> split_multi("")
    ()
    """
    return tuple(part.strip() for part in cell.split(",") if part.strip())


def read_epoch(path: Path) -> list[EpochRow]:
    """Read Epoch's notable-models CSV.

    Handles quoted multi-line fields, the ``System`` column (renamed ``Model`` in later
    releases) and an absent ``Base model`` column.

    Raises:
        DataLoadError: the file is missing, lacks a needed column, or has a malformed date
            (the message names the file and the line where the record starts).
    """
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataLoadError(f"cannot read Epoch table: {exc.strerror}", path=path) from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        name_column = next((c for c in ("System", "Model") if c in columns), None)
        missing = [c for c in ("Domain", "Organization", "Publication date") if c not in columns]
        if name_column is None or missing:
            needed = missing + ([] if name_column else ["System (or Model)"])
            raise DataLoadError(
                f"not an Epoch notable-models table: missing column(s) {', '.join(needed)}; "
                f"found {', '.join(columns) or 'no header'}",
                path=path,
                line=1,
            )
        rows: list[EpochRow] = []
        start = reader.line_num + 1
        for record in reader:
            published_cell = (record.get("Publication date") or "").strip()
            try:
                published = date.fromisoformat(published_cell) if published_cell else None
            except ValueError as exc:
                raise DataLoadError(
                    f"bad Publication date {published_cell!r} (expected YYYY-MM-DD)",
                    path=path,
                    line=start,
                ) from exc
            base_cell = (record.get("Base model") or "").strip()
            organization_cell = (record.get("Organization") or "").strip()
            rows.append(
                EpochRow(
                    system=(record.get(name_column) or "").strip(),
                    line=start,
                    domains=split_multi(record.get("Domain") or ""),
                    organizations=split_multi(organization_cell),
                    organization_cell=organization_cell,
                    published=published,
                    base_models=split_multi(base_cell),
                    base_model_cell=base_cell,
                    accessibility=(record.get("Model accessibility") or "").strip(),
                )
            )
            start = reader.line_num + 1
    return rows


@dataclass(frozen=True)
class Explanation:
    """One line of ``data/epoch-explained.csv``."""

    epoch_system: str
    field: str
    ours: str
    epoch: str
    verdict: str
    explanation: str
    source_url: str
    line: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The cells that identify the disagreement this line explains."""
        return (self.epoch_system, self.field, self.ours, self.epoch)


def read_explanations(path: Path) -> list[Explanation]:
    """Read the explanations file.

    Raises:
        DataLoadError: missing file or columns, an unknown field or verdict, an empty
            explanation, a source that is not an http(s) URL, or a duplicate line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataLoadError(f"cannot read explanations: {exc.strerror}", path=path) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in EXPLAINED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataLoadError(f"missing column(s) {', '.join(missing)}", path=path, line=1)
    found: list[Explanation] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    start = reader.line_num + 1
    for record in reader:
        cells = {c: (record.get(c) or "").strip() for c in EXPLAINED_COLUMNS}
        item = Explanation(**cells, line=start)
        problem = None
        if item.field not in FIELDS:
            problem = f"field {item.field!r} is not one of {', '.join(FIELDS)}"
        elif item.verdict not in VERDICTS:
            problem = f"verdict {item.verdict!r} is not one of {', '.join(VERDICTS)}"
        elif not item.explanation:
            problem = "empty explanation"
        elif not item.source_url.startswith(("https://", "http://")):
            problem = f"source_url {item.source_url!r} is not an http(s) URL"
        elif item.key in seen:
            problem = f"duplicate of line {seen[item.key]}"
        if problem:
            raise DataLoadError(problem, path=path, line=start)
        seen[item.key] = start
        found.append(item)
        start = reader.line_num + 1
    return found


# ---------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """An Epoch row and the llmgraph model it names."""

    row: EpochRow
    model: URIRef
    label: str
    matched_name: str


def candidate_names(system: str) -> list[str]:
    """Return the names under which an Epoch system may be known to llmgraph, best first.

    >>> candidate_names("GPT-3 175B (davinci)")[:3]
    ['GPT-3 175B (davinci)', 'GPT-3 175B', 'davinci']
    >>> candidate_names("Nemotron-4 340B")
    ['Nemotron-4 340B', 'Nemotron-4 340B Base']
    """
    names = [system]
    stripped = _PARENTHESISED.sub("", system).strip()
    if stripped and stripped != system:
        names.append(stripped)
    names += [inner.strip() for inner in _PARENTHESISED.findall(system) if inner.strip()]
    names += [f"{name} Base" for name in list(names)]
    return list(dict.fromkeys(names))


def known_names(lg: LineageGraph) -> frozenset[str]:
    """Return the loose forms (:func:`~llmgraph.names.normalize`) of every model name in ``lg``.

    :func:`resolve_model` checks this set before calling ``LineageGraph.resolve``, whose
    failures are slow (they look for close matches to suggest).

    >>> normalize("LLaMA-65B") in known_names(LineageGraph.load())
    True
    """
    names: set[str] = set()
    for model in lg.rdf.subjects(RDF.type, LLM.Model):
        for predicate in (RDFS.label, SKOS.altLabel, LLM.huggingFaceId):
            names.update(normalize(str(v)) for v in lg.rdf.objects(model, predicate))
    return frozenset(names)


def resolve_model(
    lg: LineageGraph,
    system: str,
    *,
    exclude: Collection[URIRef] = (),
    known: Collection[str] | None = None,
) -> tuple[URIRef, str] | None:
    """Return our model named like Epoch's ``system`` and the name that matched, or ``None``.

    Args:
        lg: the graph to search.
        system: Epoch's name; every name of :func:`candidate_names` is tried in turn.
        exclude: models that cannot be the answer (a row's own base models: Epoch's
            "SPHINX (Llama 2 13B)" is built on Llama 2 13B, it is not Llama 2 13B).
        known: the result of :func:`known_names`, when resolving many names.

    >>> lg = LineageGraph.load()
    >>> resolve_model(lg, "LLaMA-65B")
    (rdflib.term.URIRef('https://w3id.org/llmgraph/id/llama-65b'), 'LLaMA-65B')
    >>> resolve_model(lg, "Mistral Large") is None  # the 2024 API model, not Mistral Large 2
    True
    """
    if known is None:
        known = known_names(lg)
    for name in candidate_names(system):
        if normalize(name) not in known:
            continue
        try:
            iri = URIRef(lg.resolve(name, kind="model"))
        except (UnknownEntityError, AmbiguousNameError):
            continue
        if (iri, RDF.type, LLM.Model) in lg.rdf and iri not in exclude:
            return iri, name
    return None


def match_rows(lg: LineageGraph, rows: Iterable[EpochRow]) -> tuple[list[Match], list[EpochRow]]:
    """Match Epoch's language-model rows to our models.

    Returns:
        The matches, and the language-model rows that match none of our models (rows of
        other domains are ignored).
    """
    known = known_names(lg)
    matches: list[Match] = []
    unmatched: list[EpochRow] = []
    for row in rows:
        if not row.is_language or not row.system:
            continue
        bases = {hit[0] for b in row.base_models if (hit := resolve_model(lg, b, known=known))}
        found = resolve_model(lg, row.system, exclude=bases, known=known)
        if found is None:
            unmatched.append(row)
        else:
            matches.append(Match(row, found[0], lg.label(found[0]), found[1]))
    return matches, unmatched


def built_on_ours(lg: LineageGraph, rows: Iterable[EpochRow]) -> dict[int, list[str]]:
    """Return, for Epoch rows built on one of our models, the labels of those models.

    Keys are the rows' line numbers. These are coverage candidates: derivatives of models that
    llmgraph holds (Epoch's "FinGPT-13B" is built on Llama 2 13B).
    """
    known = known_names(lg)
    found: dict[int, list[str]] = {}
    for row in rows:
        bases = [hit for b in row.base_models if (hit := resolve_model(lg, b, known=known))]
        if bases:
            found[row.line] = sorted({lg.label(iri) for iri, _ in bases})
    return found


# ---------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Disagreement:
    """One field on which Epoch and llmgraph differ for a matched model."""

    epoch_system: str
    model: str
    field: Field
    ours: str
    epoch: str
    detail: str
    status: str = "UNEXPLAINED"
    verdict: str = ""
    explanation: str = ""
    source_url: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The cells an explanation must repeat to explain this disagreement."""
        return (self.epoch_system, self.field, self.ours, self.epoch)


def _labels(lg: LineageGraph, entities: Iterable[URIRef]) -> str:
    return "; ".join(sorted(lg.label(e) for e in entities))


def _resolve_org(lg: LineageGraph, name: str) -> URIRef | None:
    try:
        iri = URIRef(lg.resolve(name, kind="organization"))
    except (UnknownEntityError, AmbiguousNameError):
        return None
    return iri if (iri, RDF.type, LLM.Organization) in lg.rdf else None


def compare_base(lg: LineageGraph, match: Match) -> Disagreement | None:
    """Compare Epoch's base model with our weight lineage; ``None`` when they agree."""
    g = lg.rdf
    parents = {p for p in g.objects(match.model, LLM.derivedFrom) if isinstance(p, URIRef)}
    lineage = {p for p in g.transitive_objects(match.model, LLM.derivedFrom) if p != match.model}
    row = match.row
    if not row.base_models and not parents:
        return None
    resolved = {name: resolve_model(lg, name) for name in row.base_models}
    if row.base_models and all(
        found is not None and found[0] in lineage for found in resolved.values()
    ):
        return None
    notes: list[str] = []
    if not row.base_models:
        notes.append("Epoch names no base model")
    for name, found in resolved.items():
        if found is None:
            notes.append(f"Epoch's base {name!r} is not in llmgraph")
            continue
        relations = [
            local
            for local in ("successorOf", "trainedOnOutputsOf")
            if (match.model, LLM[local], found[0]) in g
        ]
        if relations:
            notes.append(f"Epoch's base {name!r} is our {'/'.join(relations)} target")
        elif found[0] not in lineage:
            notes.append(f"Epoch's base {name!r} is our {lg.label(found[0])!r}, not an ancestor")
    return Disagreement(
        row.system,
        match.label,
        "base model",
        _labels(lg, parents),
        row.base_model_cell,
        "; ".join(notes),
    )


def compare_organization(lg: LineageGraph, match: Match) -> Disagreement | None:
    """Compare Epoch's organizations with our developers; ``None`` when the sets are equal."""
    g = lg.rdf
    ours = {d for d in g.objects(match.model, LLM.developedBy) if isinstance(d, URIRef)}
    theirs: set[URIRef] = set()
    unknown: list[str] = []
    for name in match.row.organizations:
        iri = _resolve_org(lg, name)
        if iri is None:
            unknown.append(name)
        else:
            theirs.add(iri)
    if theirs == ours and not unknown:
        return None
    notes: list[str] = [f"{name!r} is not in llmgraph" for name in unknown]
    for iri in sorted(theirs - ours):
        owned = [o for o in ours if (iri, LLM.owns, o) in g]
        owner = [o for o in ours if (o, LLM.owns, iri) in g]
        text = f"Epoch adds {lg.label(iri)}"
        if owned:
            text += f" (parent of our {_labels(lg, owned)})"
        if owner:
            text += f" (owned by our {_labels(lg, owner)})"
        notes.append(text)
    if ours - theirs:
        notes.append(f"Epoch omits {_labels(lg, ours - theirs)}")
    return Disagreement(
        match.row.system,
        match.label,
        "organization",
        _labels(lg, ours),
        match.row.organization_cell,
        "; ".join(notes),
    )


def compare_date(
    lg: LineageGraph, match: Match, *, tolerance_days: int = DEFAULT_TOLERANCE_DAYS
) -> Disagreement | None:
    """Compare Epoch's publication date with our release date, within ``tolerance_days``.

    Our date's ``llm:releaseDatePrecision`` widens what agrees: a "month" date agrees with any
    day of that month, a "public-by" date with any earlier day (the release may be earlier).
    """
    value = lg.rdf.value(match.model, LLM.releaseDate)
    parsed = value.toPython() if isinstance(value, RDFLiteral) else None
    ours = parsed if isinstance(parsed, date) else None
    theirs = match.row.published
    if ours is None and theirs is None:
        return None
    if ours is not None and theirs is not None:
        precision = str(lg.rdf.value(match.model, LLM.releaseDatePrecision) or "day")
        gap = (theirs - ours).days
        if abs(gap) <= tolerance_days:
            return None
        if precision == "month" and (theirs.year, theirs.month) == (ours.year, ours.month):
            return None
        if precision == "public-by" and gap < 0:
            return None
        detail = f"Epoch is {abs(gap)} days {'later' if gap > 0 else 'earlier'}"
    else:
        detail = "no llm:releaseDate in llmgraph" if ours is None else "Epoch gives no date"
    return Disagreement(
        match.row.system,
        match.label,
        "date",
        ours.isoformat() if ours else "",
        theirs.isoformat() if theirs else "",
        detail,
    )


def disagreements(
    lg: LineageGraph, matches: Iterable[Match], *, tolerance_days: int = DEFAULT_TOLERANCE_DAYS
) -> list[Disagreement]:
    """Return every disagreement on base model, organization and date, in table order."""
    found: list[Disagreement] = []
    for match in matches:
        for item in (
            compare_base(lg, match),
            compare_organization(lg, match),
            compare_date(lg, match, tolerance_days=tolerance_days),
        ):
            if item is not None:
                found.append(item)
    return found


# ---------------------------------------------------------------------------- reconciling


@dataclass(frozen=True)
class Report:
    """The outcome of a cross-check."""

    rows_read: int
    language_rows: int
    matches: list[Match]
    unmatched: list[EpochRow]
    disagreements: list[Disagreement]
    stale: list[Explanation] = field(default_factory=list)
    fixed: list[Explanation] = field(default_factory=list)
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS
    built_on: dict[int, list[str]] = field(default_factory=dict)

    @property
    def unexplained(self) -> list[Disagreement]:
        """The disagreements that no line of the explanations file covers."""
        return [d for d in self.disagreements if d.status != "explained"]

    @property
    def reconciled(self) -> bool:
        """Whether every disagreement is explained and no explanation is stale."""
        return not self.unexplained and not self.stale


def reconcile(
    found: Sequence[Disagreement], explanations: Sequence[Explanation]
) -> tuple[list[Disagreement], list[Explanation], list[Explanation]]:
    """Mark each disagreement explained or not.

    Returns:
        The disagreements with ``status`` ("explained" or "UNEXPLAINED") and the explanation
        filled in; the stale explanations (they match no current disagreement, or claim a fix
        whose disagreement is still there); and the explanations of fixes that hold.
    """
    by_key = {e.key: e for e in explanations}
    marked: list[Disagreement] = []
    for item in found:
        line = by_key.get(item.key)
        if line is None or line.verdict == FIXED:
            marked.append(item)
        else:
            marked.append(
                replace(
                    item,
                    status="explained",
                    verdict=line.verdict,
                    explanation=line.explanation,
                    source_url=line.source_url,
                )
            )
    current = {d.key for d in found}
    stale: list[Explanation] = []
    fixed: list[Explanation] = []
    for line in explanations:
        if line.verdict == FIXED:
            (stale if line.key in current else fixed).append(line)
        elif line.key not in current:
            stale.append(line)
    return marked, stale, fixed


def crosscheck(
    lg: LineageGraph,
    epoch_csv: Path = DEFAULT_EPOCH_CSV,
    explained: Path | None = DEFAULT_EXPLAINED,
    *,
    tolerance_days: int = DEFAULT_TOLERANCE_DAYS,
) -> Report:
    """Run the whole cross-check: read, match, compare, reconcile.

    Args:
        lg: the graph whose models are checked.
        epoch_csv: Epoch's table.
        explained: the explanations file, or ``None`` to mark everything unexplained.
        tolerance_days: date differences up to this many days agree.

    Raises:
        DataLoadError: a file is missing or malformed.
    """
    rows = read_epoch(epoch_csv)
    matches, unmatched = match_rows(lg, rows)
    found = disagreements(lg, matches, tolerance_days=tolerance_days)
    lines = read_explanations(explained) if explained is not None else []
    marked, stale, fixed = reconcile(found, lines)
    return Report(
        rows_read=len(rows),
        language_rows=sum(1 for r in rows if r.is_language and r.system),
        matches=matches,
        unmatched=unmatched,
        disagreements=marked,
        stale=stale,
        fixed=fixed,
        tolerance_days=tolerance_days,
        built_on=built_on_ours(lg, unmatched),
    )


# ---------------------------------------------------------------------------- output


def _in_scope(row: EpochRow) -> bool:
    return row.published is not None and row.published.year >= FIRST_YEAR


def report_dict(report: Report) -> dict[str, Any]:
    """Return the report as plain JSON-ready data."""
    return {
        "summary": {
            "rows_read": report.rows_read,
            "language_rows": report.language_rows,
            "matched": len(report.matches),
            "unmatched": len(report.unmatched),
            "unmatched_open_weights_since_2018": sum(
                1 for r in report.unmatched if _in_scope(r) and r.accessibility in OPEN_WEIGHTS
            ),
            "disagreements": len(report.disagreements),
            "unexplained": len(report.unexplained),
            "stale_explanations": len(report.stale),
            "fixed_in_llmgraph_data": len(report.fixed),
            "tolerance_days": report.tolerance_days,
        },
        "matched": [
            {
                "epoch_system": m.row.system,
                "model": m.label,
                "id": str(m.model),
                "matched_name": m.matched_name,
                "epoch_line": m.row.line,
            }
            for m in report.matches
        ],
        "unmatched": [
            {
                "epoch_system": r.system,
                "organization": r.organization_cell,
                "published": r.published.isoformat() if r.published else "",
                "accessibility": r.accessibility,
                "built_on": "; ".join(report.built_on.get(r.line, [])),
                "in_scope": _in_scope(r),
                "epoch_line": r.line,
            }
            for r in report.unmatched
        ],
        "disagreements": [asdict(d) for d in report.disagreements],
        "stale_explanations": [asdict(e) for e in report.stale],
        "fixed_in_llmgraph_data": [asdict(e) for e in report.fixed],
    }


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def format_report(report: Report, fmt: Format = "table") -> str:
    """Render the report: a readable table, the JSON of :func:`report_dict`, or CSV.

    The CSV holds the disagreements only, one per line, with their status.
    """
    data = report_dict(report)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    columns = ["epoch_system", "model", "field", "ours", "epoch", "status", "verdict", "detail"]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, [*columns, "explanation", "source_url"], lineterminator="\n")
        writer.writeheader()
        for row in data["disagreements"]:
            writer.writerow({k: row[k] for k in writer.fieldnames})
        return out.getvalue()
    s = data["summary"]
    parts = [
        f"Epoch rows read: {s['rows_read']}; language-model rows: {s['language_rows']}; "
        f"matched to llmgraph models: {s['matched']}; not in llmgraph: {s['unmatched']} "
        f"({s['unmatched_open_weights_since_2018']} of them open-weight and from "
        f"{FIRST_YEAR} on).",
        "",
        "Matched rows:",
        _table(data["matched"], ["epoch_system", "model", "matched_name", "epoch_line"]),
        "",
        f"Epoch language models not in llmgraph, {FIRST_YEAR} on:",
        _table(
            [
                {**r, "organization": _clip(r["organization"])}
                for r in data["unmatched"]
                if r["in_scope"]
            ],
            ["epoch_system", "published", "accessibility", "built_on", "organization"],
        ),
        "",
        f"Disagreements (dates within {s['tolerance_days']} days agree): "
        f"{s['disagreements']}, unexplained: {s['unexplained']}",
        _table(data["disagreements"], columns) if data["disagreements"] else "(none)",
    ]
    if report.fixed:
        parts += ["", "Fixed in llmgraph data (the disagreement is gone):"]
        parts.append(_table(data["fixed_in_llmgraph_data"], ["epoch_system", "field", "epoch"]))
    if report.stale:
        parts += ["", "STALE explanations (they match no current disagreement, or a fix "]
        parts[-1] += "that did not happen); update data/epoch-explained.csv:"
        parts.append(
            _table(data["stale_explanations"], ["line", "epoch_system", "field", "ours", "epoch"])
        )
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the cross-check report; return 0 when reconciled, 1 when not, 2 on bad input."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "epoch_csv", nargs="?", type=Path, default=DEFAULT_EPOCH_CSV, help="Epoch's table"
    )
    parser.add_argument(
        "--explained",
        type=Path,
        default=DEFAULT_EXPLAINED,
        help="the explanations file (default: data/epoch-explained.csv)",
    )
    parser.add_argument(
        "--tolerance-days",
        type=int,
        default=DEFAULT_TOLERANCE_DAYS,
        help=f"dates this many days apart still agree (default: {DEFAULT_TOLERANCE_DAYS})",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table (default), json (the whole report) or csv (the disagreements)",
    )
    args = parser.parse_args(argv)
    if args.tolerance_days < 0:
        parser.error(f"--tolerance-days must be 0 or more, got {args.tolerance_days}")
    try:
        report = crosscheck(
            LineageGraph.load(),
            args.epoch_csv,
            args.explained,
            tolerance_days=args.tolerance_days,
        )
    except DataLoadError as exc:
        print(f"epoch_crosscheck: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(format_report(report, args.format))
    return 0 if report.reconciled else 1


if __name__ == "__main__":
    sys.exit(main())
