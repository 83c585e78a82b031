"""A sensor on the inbox: starts a run of the whole graph when files arrive, change or leave.

Off by default (turn it on in the UI under Automation, or `dagster sensor start inbox_sensor`):
a team that loads corpora in bulk starts runs by hand; one that drops reports in as they are
scraped lets the sensor pick them up. The run itself is incremental, so a tick costs what is new.
"""

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    sensor,
)

from orchestration.resources import InboxResource
from transforms.ingest import inbox_fingerprint

materialize_everything = define_asset_job(
    "materialize_everything",
    selection=AssetSelection.all(),
    description="Every stage from the inbox to the marts, with all asset checks.",
)


@sensor(
    job=materialize_everything,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Runs the whole graph when the inbox's files change (path, size or mtime).",
)
def inbox_sensor(context: SensorEvaluationContext, inbox: InboxResource) -> SensorResult | SkipReason:
    count, fingerprint = inbox_fingerprint(inbox.folder())
    if fingerprint == context.cursor:
        return SkipReason(f"inbox unchanged: {count} file(s)")
    return SensorResult(
        run_requests=[RunRequest(run_key=fingerprint, tags={"nianbao/inbox_files": str(count)})],
        cursor=fingerprint,
    )
