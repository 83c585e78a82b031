"""What a stage reports when it ends (reports processed, rows written per table, counts for the UI)
and what it is told while it runs (progress)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

# Told after each batch how far a stage has got: (items done, items to do).
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    pass


@dataclass
class StageStats:
    processed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add_rows(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n

    def tally(self, keys: pl.Series) -> None:
        """Count each value of `keys` (one Polars pass over the batch) into `counts`."""
        for key, n in keys.drop_nulls().value_counts().iter_rows():
            self.counts[key] = self.counts.get(key, 0) + n
