"""The stage graph (warehouse/graph.py) against what is built from it: the Dagster definitions'
assets and their dependencies, the ledger's stages and the tables the DDL and the marts create."""

from __future__ import annotations

import re

from dagster import AssetKey

from orchestration.definitions import defs
from warehouse import graph
from warehouse.stages.marts import marts_sql
from warehouse.store import schema_sql


def test_the_definitions_are_the_graph() -> None:
    """A snapshot of the asset graph: its assets in the stages' order, each depending on the one
    before it, and nothing else."""
    asset_graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in asset_graph.get_all_asset_keys()}
    assert keys == set(graph.ASSET_ORDER)
    for asset in graph.ASSET_ORDER:
        upstream = graph.upstream_asset(asset)
        parents = asset_graph.get(AssetKey(asset)).parent_keys
        assert parents == ({AssetKey(upstream)} if upstream else set()), asset


def test_every_stage_reads_an_earlier_stage_and_writes_declared_tables() -> None:
    ddl = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+\.\w+)", schema_sql()))
    marts = set(re.findall(r"CREATE (?:OR REPLACE )?TABLE (?:IF NOT EXISTS )?(marts\.\w+)", marts_sql()))
    seen: set[str] = set()
    for stage in graph.STAGES:
        assert stage.upstream is None or stage.upstream in seen, stage.name
        assert set(stage.tables) <= ddl | marts, stage.name
        seen.add(stage.name)
    # Every table the DDL and the marts create is some stage's (the ledger's own meta tables aside).
    written = {table for stage in graph.STAGES for table in stage.tables}
    assert (ddl | marts) - written == {"meta.processed", "meta.marts_built", "meta.contract_checks"}


def test_the_stages_that_rederive_reports_carry_a_version() -> None:
    versioned = [stage.name for stage in graph.STAGES if stage.version is not None]
    assert versioned == ["cleaned", "segmented", "metrics", "quality"]
