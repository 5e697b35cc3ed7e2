"""The landing sensor: a run for each new or replaced agency file, once it has stopped growing.

Each tick records every landing file's size and modification time in the cursor; a file is
ready when both are unchanged since the previous tick (an upload still in progress keeps
changing), and is skipped when its bytes were already accepted or refused. The run key is
the dataset and the file's sha256, so the same bytes never trigger two runs, whatever the
file is called and however often it is dropped.

A run does only the work the file makes necessary: its own dataset's intake (not the other
datasets'), then everything downstream; a council's file re-renders that council's report
partition alone, a national body's file every council's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import dagster as dg

from assets.ingest.contracts import Contract
from assets.ingest.intake import kept_before
from assets.ingest.landing import files_waiting, fingerprint
from assets.keys import raw_key
from assets.partitions import every_council
from orchestration.resources import StoryFolders


def landing_run_requests(
    contracts: dict[str, Contract],
    folders: StoryFolders,
    previous: dict[str, list[int]],
    *,
    councils: dg.StaticPartitionsDefinition | None = None,
    downstream: Sequence[dg.AssetKey] = (),
) -> tuple[list[dg.RunRequest], dict[str, list[int]]]:
    """Run requests for files that have settled since the last look, and the new observations.

    A council's file gets that council's partition of ``councils``, anyone else's every
    council's; ``downstream`` is every asset after intake, to which each request adds its own
    dataset's intake.
    """
    council_codes = set(councils.get_partition_keys()) if councils else set()
    every = every_council(councils) if councils else {}
    seen: dict[str, list[int]] = {}
    requests: list[dg.RunRequest] = []
    settings = folders.settings
    for contract in contracts.values():
        for path in files_waiting(settings.landing_dir, contract.id):
            stat = path.lstat()  # a symbolic link is judged as a link, never followed
            seen[str(path)] = [stat.st_size, stat.st_mtime_ns]
            if previous.get(str(path)) != seen[str(path)]:
                continue  # new or still changing: look again next tick
            digest = fingerprint(path)
            agency = path.parent.parent.name
            if kept_before(settings.accepted_dir, settings.quarantine_dir, agency, contract.id, digest):
                continue  # taken in (or refused) already, by an earlier run or `story ingest`
            partition = agency if agency in council_codes else None
            tags = {"story/dataset": contract.id, "story/agency": agency, "story/file": path.name, "story/sha256": digest}
            requests.append(dg.RunRequest(
                run_key=f"{contract.id}:{digest}",
                asset_selection=[raw_key(contract.id), *downstream],
                partition_key=partition,
                tags=tags if partition else tags | every,
            ))
    return requests, seen


def build_landing_sensor(contracts: dict[str, Contract], story_job: dg.UnresolvedAssetJobDefinition, councils: dg.StaticPartitionsDefinition, downstream: list[dg.AssetKey]) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        job=story_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a run for each new or corrected agency file once it has stopped growing; keyed on the file's content hash.",
    )
    def landing_files(context: dg.SensorEvaluationContext, folders: StoryFolders) -> dg.SensorResult:
        previous = json.loads(context.cursor) if context.cursor else {}
        requests, seen = landing_run_requests(contracts, folders, previous, councils=councils, downstream=downstream)
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen))

    return landing_files
