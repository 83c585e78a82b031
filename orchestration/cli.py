"""`bin/materialize`: every asset and check materialized through Dagster (recorded in
DAGSTER_HOME's run history, as `dagster asset materialize --select '*'` records it), printing the
warehouse's summary, or on failure the one error that stopped the run. Everything Dagster and the
libraries print goes to a log file, whose path is printed."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import warnings
from datetime import datetime
from pathlib import Path

from dagster import DagsterInstance, materialize
from dagster._core.errors import DagsterError

from orchestration.definitions import defs
from warehouse import summary
from warehouse.store import warehouse_path


def log_path() -> Path:
    """A new log file in `logs/` beside the warehouse."""
    folder = warehouse_path().resolve().parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"materialize-{datetime.now():%Y%m%d-%H%M%S}.log"


def root_cause(error: object) -> str:
    """The innermost cause of a Dagster error info, as `Class: message` (what went wrong, not the
    framework's wrapping of it)."""
    while getattr(error, "cause", None) is not None:
        error = error.cause  # type: ignore[attr-defined]
    name = getattr(error, "cls_name", None) or type(error).__name__
    message = str(getattr(error, "message", error)).strip().splitlines()[-1]
    return message if message.startswith(f"{name}:") else f"{name}: {message}"


def run(log: Path) -> tuple[bool, str]:
    """Materialize everything with the output sent to `log`; (success, the failure's words)."""
    with open(log, "w", encoding="utf-8") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        handler = logging.StreamHandler(out)
        logging.getLogger().addHandler(handler)
        warnings.simplefilter("default")
        logging.captureWarnings(True)
        try:
            with DagsterInstance.get() as instance:
                result = materialize(
                    [*(defs.assets or []), *(defs.asset_checks or [])],  # type: ignore[list-item]
                    instance=instance,
                    resources=defs.resources,
                    raise_on_error=False,
                )
                if result.success:
                    return True, ""
                failures = [event for event in result.all_events if event.is_step_failure]
                if not failures:
                    return False, "the run failed before any step ran"
                first = failures[0]
                cause = root_cause(first.step_failure_data.error) if first.step_failure_data else "unknown error"
                return False, f"{first.step_key}: {cause}"
        except DagsterError as err:
            return False, root_cause(err)
        finally:
            logging.getLogger().removeHandler(handler)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    log = log_path()
    ok, failure = run(log)
    if not ok:
        print(f"materialize failed: {failure}", file=sys.stderr)
        print(f"log: {log}", file=sys.stderr)
        return 1
    status = summary.main()
    print(f"log: {log}")
    return status


if __name__ == "__main__":
    sys.exit(main())
