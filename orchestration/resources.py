"""Resources: where the inbox is and where the warehouse lives."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from warehouse import reviews
from warehouse.parallel import default_workers
from warehouse.store import WarehouseStore, warehouse_path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_inbox() -> str:
    return os.environ.get("NIANBAO_INBOX") or str(PROJECT_ROOT / "samples")


def default_warehouse() -> str:
    return str(warehouse_path())


class InboxResource(ConfigurableResource):
    """The folder tree of report files to read (NIANBAO_INBOX; default: the bundled samples)."""

    path: str = Field(default_factory=default_inbox)

    def folder(self) -> Path:
        folder = Path(self.path).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"NIANBAO_INBOX {folder} is not a folder")
        return folder


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse file (NIANBAO_WAREHOUSE; default: data/warehouse.duckdb).

    Our own resource rather than dagster-duckdb's: runs write a staging copy and publish it
    atomically, so read-only readers never meet a lock (see warehouse/store.py)."""

    path: str = Field(default_factory=default_warehouse)
    batch_size: int = Field(default=2000, description="reports per transform batch (bounds memory)")
    duckdb_memory_limit: str = Field(
        default="1GB", description="DuckDB's buffer pool limit while a run writes (it spills to disk beyond it)"
    )
    duckdb_checkpoint_threshold: str = Field(
        default="1GB",
        description="write-ahead log size at which DuckDB checkpoints while a run writes (each stage ends with one)",
    )
    quality_batch_size: int = Field(
        default=5000, description="reports whose validation frames the quality stage reads at a time"
    )
    quality_rows_per_run: int = Field(
        default=400_000,
        description="rows of one frame per GX checkpoint run, gathered across batches (a run's cost is mostly fixed)",
    )
    workers: int = Field(
        default=0,
        description="processes computing batches in parallel (0: one per core; 1: all in the run's own process)",
    )

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else default_workers()

    def store(self) -> WarehouseStore:
        return WarehouseStore(Path(self.path).expanduser(), self.duckdb_memory_limit, self.duckdb_checkpoint_threshold)

    reviews: str = Field(
        default_factory=lambda: os.environ.get("NIANBAO_REVIEWS", ""),
        description="the review decisions' CSV file (NIANBAO_REVIEWS; empty: reviews.csv beside the warehouse)",
    )

    def reviews_file(self) -> Path:
        """Where the review decisions are kept: NIANBAO_REVIEWS, else reviews.csv beside the warehouse."""
        if self.reviews:
            return Path(self.reviews).expanduser()
        return reviews.default_path(Path(self.path).expanduser())

    def docs_dir(self) -> Path:
        """Where GX Data Docs are built: a folder named after the warehouse file, beside it
        (`data/warehouse.docs/` by default), so that it never meets a user's own `docs/`."""
        warehouse = Path(self.path).expanduser().resolve()
        return warehouse.with_name(f"{warehouse.stem}.docs")
