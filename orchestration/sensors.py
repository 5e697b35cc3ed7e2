"""The landing sensor: a run for each new or replaced agency file, once it has stopped growing.

Each tick records every landing file's size and modification time in the cursor; a file is
ready when both are unchanged since the previous tick (an upload still in progress keeps
changing). The run key is the dataset and the file's sha256, so the same bytes never trigger
two runs, whatever the file is called and however often it is dropped.
"""

from __future__ import annotations

import json

import dagster as dg

from assets.ingest.contracts import Contract
from assets.ingest.landing import files_waiting, fingerprint
from orchestration.jobs import story_of_progress_job
from orchestration.resources import StoryFolders


def landing_run_requests(contracts: dict[str, Contract], folders: StoryFolders, previous: dict[str, list[int]]) -> tuple[list[dg.RunRequest], dict[str, list[int]]]:
    """Run requests for files that have settled since the last look, and the new observations."""
    seen: dict[str, list[int]] = {}
    requests: list[dg.RunRequest] = []
    for contract in contracts.values():
        for path in files_waiting(folders.settings.landing_dir, contract.id):
            stat = path.lstat()  # a symbolic link is judged as a link, never followed
            seen[str(path)] = [stat.st_size, stat.st_mtime_ns]
            if previous.get(str(path)) != seen[str(path)]:
                continue  # new or still changing: look again next tick
            digest = fingerprint(path)
            requests.append(dg.RunRequest(
                run_key=f"{contract.id}:{digest}",
                tags={"story/dataset": contract.id, "story/agency": path.parent.parent.name, "story/file": path.name, "story/sha256": digest},
            ))
    return requests, seen


def build_landing_sensor(contracts: dict[str, Contract]) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        job=story_of_progress_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a run for each new or corrected agency file once it has stopped growing; keyed on the file's content hash.",
    )
    def landing_files(context: dg.SensorEvaluationContext, folders: StoryFolders) -> dg.SensorResult:
        previous = json.loads(context.cursor) if context.cursor else {}
        requests, seen = landing_run_requests(contracts, folders, previous)
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen))

    return landing_files
