"""Run a job with a quiet terminal: one line per stage, a progress bar, a summary; the full log on disk.

Dagster's console log (about 2,000 lines for a demo, most of them DEBUG events) and what libraries
print (Splink's training chatter) go to a log file: the process's stdout and stderr point at it
while the job runs. The terminal lines are read back from the run's event log in the instance,
so they say what the assets themselves recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

import dagster as dg
from tqdm import tqdm

STAGES = ("ingest", "linkage", "analysis", "measures_q1", "measures_q2", "publication", "reports")
TOKEN_TAG = "story/quiet_run"
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] ")  # what long assets log as they go ("[12/32] Fife: 40 pages")


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def stage_line(stage: str, facts: list[dict]) -> str:
    """One plain sentence for a stage, from its assets' materialization metadata."""
    total = defaultdict(int)
    for metadata in facts:
        for key, value in metadata.items():
            if isinstance(value, int) and not isinstance(value, bool):
                total[key] += value
    n = len(facts)
    if stage == "ingest":
        return (f"Intake: {total['files_accepted']:,} files taken in, {total['files_refused']:,} refused, "
                f"{total['files_already_processed']:,} already taken (same bytes), {total['rows_loaded']:,} rows")
    if stage == "linkage":
        return (f"Linkage: {total['records']:,} records linked to {total['persons']:,} people, "
                f"{total['clerical_review_pairs']:,} pairs held for clerical review")
    if stage == "analysis":
        return f"Analysis: {n} tables, {total['dagster/row_count']:,} rows"
    if stage.startswith("measures"):
        question = {"measures_q1": "Q1 (experience)", "measures_q2": "Q2 (national progress)"}[stage]
        return f"Measures {question}: {n} measures, {total['dagster/row_count']:,} rows"
    if stage == "publication":
        hidden = total["cells_primary_suppressed"] + total["cells_secondary_suppressed"]
        return f"Disclosure control: {hidden:,} cells hidden as [c], {total['cells_left_out']:,} left out; {n} tables published"
    if stage == "reports":
        reports = total["rendered"] + total["reports_rendered"]
        return f"Reports: {reports:,} rendered, {total['carried_unchanged']:,} carried unchanged, {total['website_pages']:,} website pages, {total['download_files']:,} downloads"
    return f"{stage}: {n} assets"


@dataclass
class Watch:
    """What the run has done so far, read from its event log."""

    expected: dict[str, set[dg.AssetKey]]
    group_of: dict[dg.AssetKey, str]
    facts: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    done_keys: set[dg.AssetKey] = field(default_factory=set)
    printed: set[str] = field(default_factory=set)
    failed_checks: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    steps_done: int = 0

    def take(self, entry) -> tuple[list[str], tuple[int, int] | None]:
        """Lines to print, and (done, total) for a long asset's progress, from one event."""
        event = entry.dagster_event
        if event is None:
            match = PROGRESS.match(entry.user_message or "")
            return [], (int(match[1]), int(match[2])) if match else None
        lines = []
        if event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED):
            self.steps_done += 1
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:  # Dagster wraps what the asset raised
                error = error.cause
            self.failed_steps.append(f"{event.step_key}: {error.message.strip().splitlines()[0] if error else 'failed'}")
            lines.append(f"FAILED {self.failed_steps[-1]}")
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            stage = self.group_of.get(materialization.asset_key)
            if stage and materialization.asset_key not in self.done_keys:
                self.done_keys.add(materialization.asset_key)
                self.facts[stage].append({k: v.value for k, v in materialization.metadata.items()})
                if self.expected[stage] <= self.done_keys and stage not in self.printed:
                    self.printed.add(stage)
                    lines.append(stage_line(stage, self.facts[stage]))
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                severity = "warning" if evaluation.severity == dg.AssetCheckSeverity.WARN else "error"
                self.failed_checks.append(f"{evaluation.asset_key.to_user_string()} {evaluation.check_name} ({severity})")
                listed = evaluation.metadata.get("refused")
                if evaluation.check_name == "no_files_refused" and listed is not None:
                    self.refused += [line[2:] for line in str(listed.value).splitlines() if line.startswith("- ")]
        return lines, None

    def unfinished(self) -> list[str]:
        return [stage_line(s, self.facts[s]) + " (not every asset ran)" for s in STAGES if s in self.expected and s not in self.printed and self.facts[s]]


def _watch(instance: dg.DagsterInstance, token: str, watch: Watch, terminal: TextIO, finished: threading.Event) -> None:
    """Follow the run's event log until it ends, printing stage lines and a progress bar."""
    run_id, cursor = None, None
    bar = tqdm(total=0, file=terminal, unit="step", leave=False, disable=not terminal.isatty(), dynamic_ncols=True)
    while True:
        ending = finished.is_set()
        if run_id is None:
            records = instance.get_run_records(filters=dg.RunsFilter(tags={TOKEN_TAG: token}), limit=1)
            if records:
                run_id = records[0].dagster_run.run_id
                plan = instance.get_execution_plan_snapshot(records[0].dagster_run.execution_plan_snapshot_id)
                bar.reset(total=len(plan.steps))
        if run_id is not None:
            while True:
                batch = instance.get_records_for_run(run_id, cursor=cursor, limit=500)
                cursor = batch.cursor
                for record in batch.records:
                    lines, progress = watch.take(record.event_log_entry)
                    for line in lines:
                        bar.clear()
                        print(line, file=terminal, flush=True)
                    bar.n = watch.steps_done
                    bar.set_postfix_str(f"{progress[0]}/{progress[1]}" if progress else "", refresh=False)
                    bar.refresh()
                if not batch.has_more:
                    break
        if ending:
            bar.close()
            return
        time.sleep(0.5)


def run_quietly(definitions: Callable[[], dg.Definitions], job_name: str, tags: dict[str, str], log_path: Path, published: Path | None) -> int:
    """Run ``job_name`` of ``definitions()`` on the instance in DAGSTER_HOME; return 0 if it succeeded.
    ``published``: the folder whose ``latest`` edition the summary points at."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started, token, finished = time.monotonic(), uuid.uuid4().hex, threading.Event()
    terminal = os.fdopen(os.dup(1), "w", buffering=1)  # the terminal, kept before stdout points at the log
    saved = os.dup(1), os.dup(2)
    with log_path.open("w", buffering=1) as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        sys.__stdout__.flush(), sys.__stderr__.flush()
        os.dup2(log.fileno(), 1), os.dup2(log.fileno(), 2)  # what libraries write to the descriptors, too
        try:
            defs = definitions()  # loading them may warn: that goes to the log too
            graph = defs.resolve_asset_graph()
            group_of = {key: graph.get(key).group_name for key in graph.materializable_asset_keys}
            expected: dict[str, set[dg.AssetKey]] = defaultdict(set)
            for key, group in group_of.items():
                expected[group].add(key)
            watch = Watch(expected=dict(expected), group_of=group_of)
            with dg.DagsterInstance.get() as instance:
                watcher = threading.Thread(target=_watch, args=(instance, token, watch, terminal, finished), daemon=True)
                watcher.start()
                job = defs.resolve_job_def(job_name)
                result = job.execute_in_process(instance=instance, tags={**tags, TOKEN_TAG: token}, raise_on_error=False)
                finished.set()
                watcher.join()
        except Exception as error:  # the traceback goes to the log; the terminal gets one line and where to look
            traceback.print_exc()
            print(f"FAILED before the run ended: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}\nFull log: {log_path}", file=terminal)
            return 1
        finally:
            os.dup2(saved[0], 1), os.dup2(saved[1], 2)
            finished.set()
    for line in watch.unfinished():
        print(line, file=terminal)
    _summary(terminal, result.success, result.run_id, time.monotonic() - started, watch, log_path, published)
    return 0 if result.success else 1


def _summary(out: TextIO, success: bool, run_id: str, seconds: float, watch: Watch, log_path: Path, published: Path | None) -> None:
    minutes, seconds = divmod(round(seconds), 60)
    print(f"\n{'Done' if success else 'FAILED'} in {minutes} min {seconds} s (run {run_id[:8]}).", file=out)
    if success and published is not None:
        print(f"Website:  {published / 'latest' / 'index.html'}", file=out)
        print(f"Report:   {published / 'latest' / 'national' / 'story-of-progress-scotland.pdf'}", file=out)
    print(f"Refused:  {len(watch.refused)} file(s){', each with a refusal report in the quarantine folder' if watch.refused else ''}", file=out)
    for line in watch.refused[:10]:
        print(f"  - {line[:160]}", file=out)
    errors = [line for line in watch.failed_checks if line.endswith("(error)")]
    warnings = Counter(line.split()[1] for line in watch.failed_checks if line.endswith("(warning)"))
    print(f"Checks:   {len(errors)} failed" + (f"; warnings: {', '.join(f'{name} x{n}' for name, n in warnings.most_common())}" if warnings else ""), file=out)
    for line in errors[:10] + [f"step {line[:200]}" for line in watch.failed_steps]:
        print(f"  - {line}", file=out)
    print(f"Full log: {log_path}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.quiet_run", description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True, help="where the full Dagster log goes")
    args = parser.parse_args(argv)
    from assets.partitions import council_partitions, every_council
    from orchestration.settings import Settings

    settings = Settings.from_env()
    # A whole edition: the council reports' step renders the national and organisation reports too, so a run needs its councils.
    tags = every_council(council_partitions(settings.reference_dir))

    def definitions() -> dg.Definitions:
        from orchestration.definitions import defs

        return defs

    return run_quietly(definitions, "story_of_progress", tags, args.log, settings.published_dir)


if __name__ == "__main__":
    raise SystemExit(main())
