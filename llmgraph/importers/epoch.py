"""Epoch AI's tables of AI models (notable, all, large-scale; any release) → models and lineage.

The CSV is read with the standard ``csv`` module (quoted fields with line breaks, a byte-order
mark, comma-joined multi-values). Columns used, by header name (case and spacing ignored):

``System`` or ``Model``
    the name: the label of a new model, matched against loaded labels and aliases
    (``LLaMA-13B`` finds the curated ``LLaMA 13B``) — required.
``Domain``
    the filter: only **language models** become models, i.e. rows whose ``Domain`` contains
    ``Language`` (``"Multimodal,Language,Vision"`` counts). Other rows are skipped with their
    domain as the reason, except a row that an imported row names as its ``Base model``: it
    is imported too, so that the edge has its other end. ``domain=None`` imports every row.
``Organization`` (+ ``Organization categorization``)
    ``llm:developedBy``, one organization per comma-separated name; a new organization is
    typed from the matching categorization (Industry → Company, Academia → University,
    Research collective → ResearchLab, Government → GovernmentBody).
``Publication date``
    ``llm:releaseDate``.
``Parameters``
    ``llm:parameterCount``; floats such as ``70000000000.0`` or ``249000000.00000003`` are
    rounded to integers.
``Base model``
    ``llm:fineTunedFrom`` each comma-separated name, marked inferred (Epoch does not say how a
    model was built from its base). The column may be missing (older releases).
``Link``
    ``dcterms:source``: every URL in the cell.

Every fact is also cited by the row itself: ``<file URI>#row=N`` (the RFC 7111 row selector,
the header being row 1), or ``<cite>#row=N`` when the table's public URL is given as ``cite``.

Tables are untrusted input, read within the bounds of :mod:`llmgraph.limits`: a field longer
than :data:`~llmgraph.limits.MAX_LINE_CHARS` makes the file refused; a row naming more than
:data:`~llmgraph.limits.MAX_LINKS` base models or organizations is skipped with the reason; a
parameter count over ``10**18`` is not a count (noted).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import URIRef

from llmgraph.errors import DataLoadError
from llmgraph.graph import LineageGraph
from llmgraph.importers.build import Builder
from llmgraph.importers.records import ModelRecord, Parent, Ref
from llmgraph.importers.report import ImportReport
from llmgraph.limits import check_links, csv_error, csv_field_limit, shown
from llmgraph.names import normalize
from llmgraph.vocab import LLM

__all__ = ["EpochRow", "import_epoch", "read_epoch"]

BASE_MODEL_NOTE = (
    "inferred: Epoch AI's Base model column does not say how the model was built from its "
    "base; fine-tuning assumed"
)

_KINDS: dict[str, URIRef] = {
    "industry": LLM.Company,
    "academia": LLM.University,
    "researchcollective": LLM.ResearchLab,
    "government": LLM.GovernmentBody,
    "nonprofit": LLM.NonProfit,
}
_URL = re.compile(r"https?://[^\s,;<>\"{}|\\^`]+")
_MAX_PARAMETERS = Decimal(10) ** 18  # a billion billion; the largest models have ~2e12


class EpochRow:
    """One data row of an Epoch table: where it is and its cells by canonical column name."""

    def __init__(self, path: Path, line: int, row: int, cells: dict[str, str]):
        self.path = path
        self.line = line
        self.row = row
        self.cells = cells

    def get(self, column: str) -> str:
        """Return the stripped cell of ``column`` (a canonical name such as ``"basemodel"``)."""
        return (self.cells.get(column) or "").strip()

    @property
    def name(self) -> str:
        """The model's name, from ``System`` or ``Model``."""
        return self.get("system") or self.get("model")

    @property
    def where(self) -> str:
        """``path:line (row N)`` for reports."""
        return f"{self.path}:{self.line} (row {self.row})"


def _column(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def read_epoch(path: Path | str) -> list[EpochRow]:
    r"""Read an Epoch CSV into rows.

    Raises:
        DataLoadError: the file is missing, unreadable, not CSV, has a field longer than
            :data:`~llmgraph.limits.MAX_LINE_CHARS` (the line is given), or has neither a
            ``System`` nor a ``Model`` column (the message lists the columns found).

    >>> import pathlib, tempfile
    >>> table = pathlib.Path(tempfile.mkdtemp()) / "models.csv"
    >>> _ = table.write_text('Model,Abstract\nA,"two\nlines"\nB,\n', encoding="utf-8")
    >>> [(r.name, r.row, r.line) for r in read_epoch(table)]
    [('A', 2, 2), ('B', 3, 4)]
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataLoadError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataLoadError(f"cannot read: {exc}", path=path) from exc
    with csv_field_limit():
        return _rows(path, text)


def _rows(path: Path, text: str) -> list[EpochRow]:
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        raise DataLoadError(
            "empty file, expected an Epoch AI CSV with a header", path=path
        ) from None
    except csv.Error as exc:
        raise DataLoadError(csv_error(exc), path=path, line=1) from exc
    columns = [_column(h) for h in header]
    if "system" not in columns and "model" not in columns:
        found = ", ".join(shown(h) for h in header) or "none"
        raise DataLoadError(
            f"not an Epoch AI table: no 'System' or 'Model' column (columns: {found})",
            path=path,
            line=1,
        )
    rows: list[EpochRow] = []
    line = reader.line_num + 1
    number = 1
    try:
        for cells in reader:
            number += 1
            if any(c.strip() for c in cells):
                rows.append(EpochRow(path, line, number, dict(zip(columns, cells, strict=False))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise DataLoadError(csv_error(exc), path=path, line=line) from exc
    return rows


def _names(cell: str) -> list[str]:
    return [n.strip() for n in cell.split(",") if n.strip()]


def _parameters(cell: str) -> int | None:
    try:
        value = Decimal(cell.replace("_", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 1 or value > _MAX_PARAMETERS:
        return None  # checked before rounding: 1e999999999 would take gigabytes as an int
    return int(value.to_integral_value())


def _row_record(row: EpochRow, citation: str) -> ModelRecord:
    """Turn a row into a record; raise DataLoadError if it names too many bases or developers."""
    orgs = _names(row.get("organization"))
    bases = _names(row.get("basemodel"))
    check_links(len(set(orgs)), "names in Organization")
    check_links(len(set(bases)), "names in Base model")
    record = ModelRecord(where=row.where, sources=[], ref=Ref(name=row.name))
    record.sources = [*dict.fromkeys(_URL.findall(row.get("link"))), citation]
    kinds = _names(row.get("organizationcategorization"))
    if len(kinds) != len(orgs):
        kinds = [""] * len(orgs)
    record.developers = [
        Ref(name=org, kind=_KINDS.get(_column(kind))) for org, kind in zip(orgs, kinds, strict=True)
    ]
    date = row.get("publicationdate")
    if date:
        try:
            record.release_date = dt.date.fromisoformat(date[:10])
        except ValueError:
            record.report_notes.append(f"{row.where}: publication date {shown(date)} is not a date")
    params = row.get("parameters")
    if params:
        record.parameter_count = _parameters(params)
        if record.parameter_count is None:
            record.report_notes.append(f"{row.where}: parameters {shown(params)} is not a count")
    record.parents = [Parent(Ref(name=base), LLM.fineTunedFrom, BASE_MODEL_NOTE) for base in bases]
    return record


def import_epoch(
    lg: LineageGraph,
    paths: Sequence[Path | str],
    *,
    domain: str | None = "Language",
    cite: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    r"""Import Epoch AI tables into ``lg``.

    Args:
        lg: the graph; names resolve against it, and the new facts are added to it at once.
        paths: Epoch CSV files.
        domain: import rows whose ``Domain`` contains this (case-insensitive); ``None``: all.
        cite: the public URL of the table, cited as ``<cite>#row=N`` instead of the file.
        progress: called as ``progress(done, total)`` after each row.

    Returns:
        The :class:`ImportReport`.

    Raises:
        DataLoadError: a file is missing or is not an Epoch table.
        LineageCycleError: the facts would close a derivation cycle (nothing is added).

    >>> import pathlib, tempfile
    >>> from llmgraph import LineageGraph
    >>> table = pathlib.Path(tempfile.mkdtemp()) / "models.csv"
    >>> rows = "Model,Domain,Base model\nGoat-13B,Language,LLaMA-13B\nLLaMA 13B,Language,\n"
    >>> _ = table.write_text(rows)
    >>> lg = LineageGraph.load(bundled=False)
    >>> report = import_epoch(lg, [table])
    >>> [(a.label, a.relation) for a in lg.ancestors("Goat-13B")], report.records_read
    ([('LLaMA-13B', 'fineTunedFrom')], 2)
    """
    report = ImportReport("epoch")
    tables = [read_epoch(path) for path in paths]
    builder = Builder(lg, report, prefix="epoch")
    total = sum(len(rows) for rows in tables)
    done = 0
    for rows in tables:
        by_name: dict[str, EpochRow] = {}
        for row in rows:
            if row.name:
                by_name.setdefault(normalize(row.name), row)
        wanted: set[int] = set()
        queue = [
            r for r in rows if r.name and (domain is None or _in_domain(r.get("domain"), domain))
        ]
        while queue:
            row = queue.pop()
            if row.row in wanted:
                continue
            wanted.add(row.row)
            for base in _names(row.get("basemodel")):
                parent = by_name.get(normalize(base))
                if parent is not None and parent.row not in wanted:
                    queue.append(parent)
        for row in rows:
            report.records_read += 1
            done += 1
            if not row.name:
                report.skip(row.where, "no name in the System or Model column")
            elif row.row not in wanted:
                shown = row.get("domain") or "none given"
                report.skip(row.where, f"not a language model (Domain: {shown})")
            else:
                citation = f"{cite or row.path.resolve().as_uri()}#row={row.row}"
                try:
                    record = _row_record(row, citation)
                except DataLoadError as exc:
                    report.skip(row.where, str(exc))
                else:
                    report.notes.extend(record.report_notes)
                    builder.add_model(record)
            if progress is not None:
                progress(done, total)
    return builder.finish()


def _in_domain(cell: str, domain: str) -> bool:
    return any(domain.casefold() in d.casefold() for d in _names(cell))
