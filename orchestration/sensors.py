"""The landing sensor: a run for each new or replaced agency file, once it has stopped changing.

Method notes: docs/architecture.md, "Notes on `orchestration/sensors.py`".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence

import dagster as dg

from assets.folders import IndexFolders
from assets.ingest.intake import answers_for
from assets.ingest.landing import LandedFile, StillChanging, files_waiting, identify
from assets.ingest.raw_zone import ANSWERED, LEDGER
from assets.model.contracts import Contract
from assets.model.keys import raw_key
from assets.model.reference import councils as load_councils
from assets.partitions import every_council
from orchestration.database_lock import DatabaseLocked, connect_waiting

# Runs the sensor asks for one file's bytes when each ends without answering it; then it stops
# asking (every failed run has raised an alert) and `story ingest` or a re-execution takes it.
MAX_ATTEMPTS = 3
REQUEST_TAG = "story/request"  # the request a run was asked for, before any attempt number
_ENDED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def landing_run_requests(
    contracts: dict[str, Contract],
    folders: IndexFolders,
    previous: dict[str, list],
    *,
    councils: dg.StaticPartitionsDefinition | None = None,
    downstream: Mapping[str, Sequence[dg.AssetKey]] | None = None,
    clock: Callable[[], float] = time.time,
    earlier_runs: Callable[[str], list[dg.DagsterRunStatus]] = lambda request: [],
) -> tuple[list[dg.RunRequest], dict[str, list]]:
    """Run requests for files that have settled since the last look, and the new observations.

    A council's file gets that council's partition of ``councils``, anyone else's every
    council's; ``downstream`` gives each dataset's assets after its intake (those its files can
    change), to which each request adds the dataset's intake. ``earlier_runs(request)`` gives the status of each run already asked for
    the request (its ``REQUEST_TAG``).
    """
    council_codes = set(councils.get_partition_keys()) if councils else set()
    every = every_council(councils) if councils else {}
    layout = folders.layout
    codes = load_councils(layout.reference_dir).codes
    now = clock()
    seen: dict[str, list] = {}
    ready: list[LandedFile] = []
    for contract in contracts.values():
        for entry in files_waiting(layout.landing_dir, contract.id, answers_for(contract, contracts, codes)):
            key = f"{contract.id}:{entry.path}"  # an agency-level entry is listed under each dataset it concerns
            before = previous.get(key) or []
            since = before[2] if before[:2] == list(entry.observed) and len(before) > 2 else now
            seen[key] = [*entry.observed, since]
            if before[:2] != list(entry.observed) or now - since < folders.settle_seconds:
                continue  # new or still changing: look again next tick
            try:
                ready.append(identify(entry, layout.landing_dir))
            except StillChanging:
                seen[key][2] = now
    try:
        answers = _ledger_answers(layout.linkage_zone_path, ready)
    except DatabaseLocked:
        return [], seen  # a run is writing: the files stay ready and are asked for at the next tick
    requests = []
    for landed in ready:
        outcome, superseded_by = answers.get((landed.dataset, landed.agency, landed.sha256), (None, None))
        if outcome in ANSWERED or outcome == "waiting":
            continue  # answered already, by an earlier run or `story ingest`; a half of a split return waiting is taken with its other half's run
        request = f"{landed.dataset}:{landed.agency}:{landed.sha256}"
        if outcome == "superseded":
            request += f":sent-again-after:{superseded_by}"  # its first run key is spent
        statuses = earlier_runs(request)
        if len(statuses) >= MAX_ATTEMPTS or any(s not in _ENDED for s in statuses):
            continue  # asked for enough times, or a run for it is queued or under way
        run_key = f"{request}:attempt-{len(statuses) + 1}" if statuses else request
        partition = landed.agency if landed.agency in council_codes else None
        tags = {"story/dataset": landed.dataset, "story/agency": landed.agency, "story/file": landed.name, "story/sha256": landed.sha256, REQUEST_TAG: request}
        intake_only = not landed.readable  # only its answer to write: nothing downstream changes
        requests.append(dg.RunRequest(
            run_key=run_key,
            asset_selection=[raw_key(landed.dataset), *([] if intake_only else (downstream or {}).get(landed.dataset, ()))],
            partition_key=None if intake_only else partition,
            tags=tags if partition or intake_only else tags | every,
        ))
    return requests, seen


def _ledger_answers(linkage_zone, files: list[LandedFile]) -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """The ledger's answer for each file, by dataset, agency and sha256 (read-only, without waiting)."""
    if not files or not linkage_zone.exists():
        return {}
    with connect_waiting(linkage_zone, 0, read_only=True) as con:
        if not con.execute("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", [LEDGER]).fetchone():
            return {}
        rows = con.execute(
            f"SELECT dataset, agency, sha256, outcome, superseded_by FROM {LEDGER} WHERE sha256 IN (SELECT unnest(?))",
            [sorted({f.sha256 for f in files})],
        ).fetchall()
    return {(dataset, agency, sha): (outcome, superseded_by) for dataset, agency, sha, outcome, superseded_by in rows}


def build_landing_sensor(contracts: dict[str, Contract], story_job: dg.UnresolvedAssetJobDefinition, councils: dg.StaticPartitionsDefinition, downstream: Mapping[str, Sequence[dg.AssetKey]]) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        job=story_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a run for each new or corrected agency file once it has stopped changing; keyed on the agency and the file's content hash.",
    )
    def landing_files(context: dg.SensorEvaluationContext, index_folders: IndexFolders) -> dg.SensorResult:
        previous = json.loads(context.cursor) if context.cursor else {}

        def earlier_runs(request: str) -> list[dg.DagsterRunStatus]:
            if context.instance_ref is None:  # evaluated outside a Dagster instance (tests, the bench)
                return []
            return [r.dagster_run.status for r in context.instance.get_run_records(filters=dg.RunsFilter(tags={REQUEST_TAG: request}))]

        requests, seen = landing_run_requests(contracts, index_folders, previous, councils=councils, downstream=downstream, earlier_runs=earlier_runs)
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen))

    return landing_files
