"""What a stage of the warehouse is: its name, the stage it reads from, the tables it writes and
the version of its code. Each stage module (`warehouse/stages/`) declares one; `warehouse/graph.py`
puts them in order, and the Dagster assets, the ledger and the marts are built from that."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stage:
    name: str  # in meta.processed and the logs: raw, cleaned, segmented, metrics, quality
    asset: str  # its Dagster asset
    upstream: str | None  # the stage whose output it reads (None: the inbox, or the code's catalogues)
    tables: tuple[str, ...]  # what it writes
    # The version of its code, for the stages that re-derive reports: bump it when its output would
    # change for the same input; the next run re-derives that stage, and every stage after it, for
    # every report (and nothing else). None: not tracked per report.
    version: str | None = None
