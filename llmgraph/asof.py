"""The graph as of a date: which models were known to be released by then.

A model counts as released by a date ``D`` when its release date, read with its precision,
is on or before ``D``:

- an exact day (no precision, or ``"day"``): the day itself;
- ``"month"`` (the sources give only the month; the data stores its first day): the **last**
  day of that month, because the model may have come out on any day of it; a model dated
  March 2024 is in the graph as of 2024-03-31, not as of 2024-03-15;
- ``"public-by"`` (the earliest day the model is attested public): that day, since the model
  was public by then at the latest.

Models without a release date are left out of an as-of answer and counted in its note. Other
entities (organizations, platforms, licences) have no release and are always kept.

>>> from llmgraph import LineageGraph
>>> lg = LineageGraph.load()
>>> cut = as_of_mask(lg.engine, "2023-07-17")
>>> bool(cut.keeps(lg.engine.find(lg.resolve("LLaMA 7B"))))
True
>>> bool(cut.keeps(lg.engine.find(lg.resolve("Llama 2 7B"))))
False
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from llmgraph.engine import NO_DATE, PRECISIONS, LineageIndex
from llmgraph.errors import UsageError
from llmgraph.terms import MODEL

__all__ = ["AsOf", "as_of_mask", "parse_date"]

_MONTH = PRECISIONS.index("month")
_EPOCH = np.datetime64("1970-01-01", "D")


def parse_date(value: str | dt.date, *, what: str = "as_of") -> dt.date:
    """Return ``value`` as a date; text must be ``YYYY-MM-DD``.

    Raises:
        UsageError: the text is not an ISO date (the value and the option are named).

    >>> parse_date("2023-07-18")
    datetime.date(2023, 7, 18)
    """
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from None


@dataclass(frozen=True)
class AsOf:
    """Which engine nodes the graph as of ``date`` keeps (see the module docstring).

    Attributes:
        date: the date.
        mask: one flag per engine node: kept.
        undated: how many models were left out because they have no release date.
        later: how many models were left out because they came out after ``date``.
    """

    date: dt.date
    mask: npt.NDArray[np.bool_]
    undated: int
    later: int

    def keeps(self, node: int) -> bool:
        """Return whether node ``node`` is in the graph as of the date."""
        return node >= 0 and bool(self.mask[node])

    @property
    def note(self) -> str:
        """One line on what the date left out."""
        text = f"as of {self.date.isoformat()}: {self.later:,} later models left out"
        if self.undated:
            text += f"; {self.undated:,} undated models left out"
        return text


def as_of_mask(engine: LineageIndex, date: str | dt.date) -> AsOf:
    """Return the nodes of ``engine`` that the graph as of ``date`` keeps.

    Vectorized over the engine's arrays: a million models take milliseconds.

    Raises:
        UsageError: ``date`` is not a ``YYYY-MM-DD`` date.

    >>> from llmgraph.engine import LineageIndex, MODEL
    >>> idx = LineageIndex.build(classes={"http://e/a": MODEL, "http://e/b": MODEL})
    >>> cut = as_of_mask(idx, "2024-01-01")
    >>> cut.mask.tolist(), cut.undated
    ([False, False], 2)
    """
    day = parse_date(date)
    a = engine.arrays
    released = np.asarray(a["released"]).astype(np.int64)
    precision = np.asarray(a["precision"]).astype(np.int64)
    models = (np.asarray(a["classes"]) & MODEL) != 0
    dated = released != NO_DATE
    effective = released.copy()
    month = dated & (precision == _MONTH)
    if month.any():
        starts = (_EPOCH + released[month]).astype("datetime64[M]")
        ends = (starts + 1).astype("datetime64[D]") - 1
        effective[month] = (ends - _EPOCH).astype(np.int64)
    cutoff = (np.datetime64(day.isoformat(), "D") - _EPOCH).astype(np.int64)
    known = dated & (effective <= cutoff)
    mask = ~models | known
    return AsOf(
        date=day,
        mask=mask,
        undated=int((models & ~dated).sum()),
        later=int((models & dated & ~known).sum()),
    )
