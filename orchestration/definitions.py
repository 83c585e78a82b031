"""The Dagster definitions: `dagster asset materialize -m orchestration.definitions --select '*'`."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.resources import InboxResource, WarehouseResource
from orchestration.sensors import inbox_sensor, materialize_everything

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=list(ALL_CHECKS),
    jobs=[materialize_everything],
    sensors=[inbox_sensor],  # off by default: see orchestration/sensors.py
    resources={"warehouse": WarehouseResource(), "inbox": InboxResource()},
    # One process: the stages share the run's staging warehouse, and GX's import is paid once.
    executor=in_process_executor,
)
