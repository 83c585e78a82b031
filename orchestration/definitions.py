"""The Dagster definitions: `dagster asset materialize -m orchestration.definitions --select '*'`."""

from __future__ import annotations

import os

from dagster import Definitions, EnvVar, in_process_executor

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.resources import InboxResource, WarehouseResource, default_inbox, default_warehouse
from orchestration.sensors import inbox_sensor, materialize_everything

# Configuration is the environment's, as EnvVar (the UI shows which variable set a value, never
# its value baked into the definitions); a variable left unset takes the default the README names.
for variable, default in (("NIANBAO_INBOX", default_inbox()), ("NIANBAO_WAREHOUSE", default_warehouse())):
    os.environ.setdefault(variable, default)

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=list(ALL_CHECKS),
    jobs=[materialize_everything],
    sensors=[inbox_sensor],  # off by default: see orchestration/sensors.py
    resources={
        "warehouse": WarehouseResource(path=EnvVar("NIANBAO_WAREHOUSE")),
        "inbox": InboxResource(path=EnvVar("NIANBAO_INBOX")),
    },
    # One process: the stages share the run's staging warehouse, and GX's import is paid once.
    executor=in_process_executor,
)
