"""Benchmark: the whole pipeline from empty at a scale; print each stage's wall time and peak memory.

    .venv/bin/python bench/end_to_end.py --scale national [--seed 7] [--out DIR] [--keep] [--verbose]

Method notes: docs/benchmarks.md, "Notes on `bench/end_to_end.py`".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

BENCH_KEY = secrets.token_hex(32)  # one key for every stage of a run; a key written here would be one anyone could read, and is refused
BENCH_SEALING_KEY = secrets.token_hex(32)  # likewise, for sealing the agencies' kept files
RESULT = "@@end_to_end "  # prefix of the one JSON line a stage prints for the parent
GLASGOW = "S12000049"
DATASET = "looked_after_episodes"
WITHDRAWN = 20  # open episodes removed from Glasgow's latest return by the incremental stage

TARGET_EDITION_S = 300  # generate to published edition (stages 1-6)
TARGET_PEAK_GIB = 6.0
TARGET_REPORTS_S = 90
TARGET_INCREMENTAL_S = 60
TARGET_RELINK_DIFFERENT = 0.001  # share of records whose incremental and full person ids differ

# name, what it does (the assets each materializes: _in_stage)
STAGES = (
    ("generate", "synthetic agency files"),
    ("ingest", "every asset in group ingest (raw/*)"),
    ("link", "linkage/person_links"),
    ("analysis+measures", "analysis/* and measures/*"),
    ("publish", "publication/* (disclosure control, mart)"),
    ("reports", "reports/* (national, all council partitions, organisations, edition, digest)"),
    ("incremental", f"Glasgow corrects its {DATASET} return; landing sensor; the run it requests"),
    ("relink", "a full relink of a copy of the linkage zone, compared with the incremental ids"),
)
EDITION_STAGES = ("generate", "ingest", "link", "analysis+measures", "publish", "reports")
STAGE_NAMES = [name for name, _ in STAGES]

# What a child's output shows of its progress: counted steps, Dagster's finished steps, the selection.
COUNTED = re.compile(r"^(?:\S+ \S+ \+\d{4} - dagster - INFO - \S+ - [0-9a-f-]{36} - (?P<step>\S+) - )?(?P<progress>\[\d+/\d+\] .*)$")
STEP_DONE = re.compile(r' - STEP_SUCCESS - Finished execution of step "(?P<step>[^"]+)" in (?P<took>.+?)\.?$')
SELECTED = re.compile(r"^(?P<count>\d+) assets: ")


# --- memory ------------------------------------------------------------------------------

def _gib(kib: float) -> float:
    return kib / 1024**2  # ru_maxrss and /proc report KiB on Linux


class TreeMemory:
    """Peak RSS of a process and all its descendants together, sampled from /proc by a thread.

    The parent samples its child from outside: a sampling thread inside the stage process would
    compete with the stage for the GIL and slow it down.
    """

    def __init__(self, root: int, interval: float = 0.25) -> None:
        self.root, self.interval, self.peak_kib = root, interval, 0
        self._stop = threading.Event()
        self._page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        children, rss = defaultdict(list), {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{entry.name}/statm") as f:
                    rss[int(entry.name)] = int(f.read().split()[1]) * self._page_kib
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            children[ppid].append(int(entry.name))
        total, todo = 0, [self.root]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo.extend(children.get(pid, ()))
        self.peak_kib = max(self.peak_kib, total)


# --- stages (run in the child) -----------------------------------------------------------

def _in_stage(name: str, key) -> bool:
    top = key.path[0]
    return {
        "link": key.to_user_string() == "linkage/person_links",
        "analysis+measures": top in ("analysis", "measures"),
        "publish": top == "publication",
        "reports": top == "reports",
    }.get(name, False)


def _definitions():
    from orchestration.definitions import build_definitions
    from orchestration.settings import Settings

    return build_definitions(Settings.from_env())


def _materialize(name: str) -> dict:
    import dagster as dg

    from assets.partitions import every_council
    from assets.reports.factory import COUNCIL_REPORTS

    defs = _definitions()
    graph = defs.resolve_asset_graph()
    everything = graph.get_all_asset_keys()
    if name == "ingest":
        keys = [k for k in everything if graph.get(k).group_name == "ingest"]
        unstaged = [k.to_user_string() for k in everything if graph.get(k).group_name != "ingest" and not any(_in_stage(s, k) for s in STAGE_NAMES)]
        if unstaged:
            print(f"warning: assets in no stage of this benchmark: {sorted(unstaged)}", flush=True)
    else:
        keys = [k for k in everything if _in_stage(name, k)]
    job = defs.resolve_job_def("story_of_progress")
    print(f"{len(keys)} assets: {', '.join(sorted(k.to_user_string() for k in keys))}", flush=True)
    loaded = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        # Every council's report partition in one run, as the quarterly edition asks for.
        result = job.execute_in_process(instance=instance, asset_selection=keys, tags=every_council(job.partitions_def))
    done = [e.event_specific_data.materialization for e in result.get_asset_materialization_events()]
    return {
        "run_id": result.run_id,
        "loaded": loaded,
        # As the intake's own metadata counts them (kept copies are sealed, so no longer named *.csv).
        "accepted": sum(m.metadata["files_accepted"].value for m in done if "files_accepted" in m.metadata) if name == "ingest" else None,
        "refused": sum(m.metadata["files_refused"].value for m in done if "files_refused" in m.metadata) if name == "ingest" else None,
        "materializations": len(done),
        "council_partitions": len([m for m in done if m.asset_key == COUNCIL_REPORTS]),
    }


def _generate(args: argparse.Namespace) -> dict:
    from synthetic.__main__ import main as synthetic_main

    loaded = time.perf_counter()
    data = os.environ["STORY_DATA_DIR"]
    print(f"python -m synthetic --scale {args.scale} --seed {args.seed} --out {data}", flush=True)
    synthetic_main(["--scale", args.scale, "--seed", str(args.seed), "--out", data])
    # Glasgow keeps its own copy of what it sends (a taken file leaves landing): the corrected return starts from it.
    shutil.copytree(Path(data, "landing", GLASGOW, DATASET), _sent_by_glasgow(data), dirs_exist_ok=True)
    files = [p for p in Path(data, "landing").rglob("*") if p.is_file()]
    return {"loaded": loaded, "landing_files": len(files), "landing_mib": round(sum(p.stat().st_size for p in files) / 1024**2, 1)}


def _sent_by_glasgow(data: str | Path) -> Path:
    return Path(data).parent / "sent_by_glasgow"


def _council_files(manifest: Path) -> dict[str, str]:
    return {f["path"]: f["sha256"] for f in json.loads(manifest.read_text())["files"] if f["path"].startswith("councils/")}


def _incremental(args: argparse.Namespace) -> dict:
    import dagster as dg

    from assets.folders import IndexFolders
    from assets.reports.factory import COUNCIL_REPORTS
    from orchestration.settings import Settings
    from synthetic.corrections import withdraw_open_episodes

    settings = Settings.from_env()
    defs = _definitions()
    job = defs.resolve_job_def("story_of_progress")
    sensor = defs.resolve_sensor_def("landing_files")
    folders = IndexFolders(data_dir=str(settings.data_dir), shared_dir=str(settings.shared_dir), settle_seconds=settings.settle_seconds)
    manifest = settings.published_dir / "latest" / "manifest.json"
    before = _council_files(manifest)
    returns = sorted(_sent_by_glasgow(settings.data_dir).glob(f"{DATASET}_{GLASGOW}_*.csv"), key=lambda p: p.stem.rsplit("_", 1)[1])
    latest = returns[-1]
    year = latest.stem.rsplit("_", 1)[1]

    started = time.perf_counter()
    withdrawn = withdraw_open_episodes(latest, year, WITHDRAWN)
    shutil.copy(latest, settings.landing_dir / GLASGOW / DATASET / latest.name)  # Glasgow sends the corrected return
    print(f"corrected {latest.name}: {withdrawn} open episodes withdrawn", flush=True)
    first_look = sensor(dg.build_sensor_context(resources={"index_folders": folders}))
    if first_look.run_requests:
        raise RuntimeError(f"the first look should only record the files, it asked for {len(first_look.run_requests)} runs")
    settling = time.perf_counter()
    time.sleep(settings.settle_seconds + 0.5)  # in deployment, inside the sensor's interval between looks
    settled = time.perf_counter() - settling
    requests = sensor(dg.build_sensor_context(cursor=first_look.cursor, resources={"index_folders": folders})).run_requests
    if len(requests) != 1:
        raise RuntimeError(f"the second look should ask for one run (Glasgow's corrected file), it asked for {len(requests)}")
    [request] = requests
    print(f"sensor asks for partition {request.partition_key}, tags {request.tags}", flush=True)
    print(f"{len(request.asset_selection)} assets: {', '.join(sorted(k.to_user_string() for k in request.asset_selection))}", flush=True)
    requested = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, partition_key=request.partition_key, asset_selection=request.asset_selection)
    finished = time.perf_counter()

    done = [e.event_specific_data.materialization for e in result.get_asset_materialization_events()]
    after = _council_files(manifest)
    changed = sorted(p for p in after if after[p] != before.get(p))
    return {
        "run_id": result.run_id,
        "loaded": started,
        "seconds_to_report": finished - started - settled,  # corrected file -> refreshed report, but for the settle wait between the looks
        "sensor_seconds": requested - started - settled,  # the correction written and both looks
        "settle_wait_seconds": settled,
        "dagster_run_seconds": finished - requested,
        "withdrawn": withdrawn,
        "file": latest.name,
        "partition": request.partition_key,
        "raw_materialized": sorted(m.asset_key.to_user_string() for m in done if m.asset_key.path[0] == "raw"),
        "council_partitions": sorted(m.partition for m in done if m.asset_key == COUNCIL_REPORTS),
        "council_files_changed": changed,
        "council_files": len(after),
    }


def _relink(args: argparse.Namespace) -> dict:
    import dagster as dg
    import duckdb
    from dagster_duckdb import DuckDBResource

    from assets.folders import IndexFolders
    from assets.linkage.person_links import FULL_RELINK, LINKAGE_TAG
    from assets.linkage.quality import compare_registries
    from assets.model.keys import PERSON_LINKS
    from orchestration.resources import pseudonymisation_key
    from orchestration.settings import Settings

    settings = Settings.from_env()
    asset = _definitions().get_assets_def(PERSON_LINKS)
    copy = settings.data_dir.parent / "relink" / "linkage_zone.duckdb"
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(settings.linkage_zone_path, copy)
    started = time.perf_counter()
    # The relink's person index goes beside its copy of the zone, so the edition's is left as it is.
    index_folders = IndexFolders(data_dir=str(copy.parent), shared_dir=str(settings.shared_dir))
    resources = {"linkage_zone": DuckDBResource(database=str(copy)), "index_folders": index_folders, "pseudonymisation_key": pseudonymisation_key()}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([asset], resources=resources, instance=instance, tags={LINKAGE_TAG: FULL_RELINK})
    seconds = time.perf_counter() - started
    if not result.success:
        raise RuntimeError("the full relink failed")
    registries = []
    for zone in (settings.linkage_zone_path, copy):
        with duckdb.connect(str(zone), read_only=True) as con:
            registries.append(con.execute("SELECT record_key, person_id FROM linkage.person_registry").df())
    agreement = compare_registries(*registries)
    shutil.rmtree(copy.parent)
    return {
        "loaded": started,
        "relink_seconds": seconds,
        "records": agreement.records,
        "different_person_id": agreement.different_person_id,
        "precision": agreement.pairwise.precision,
        "recall": agreement.pairwise.recall,
    }


def run_stage(args: argparse.Namespace) -> None:
    """In the child: run one stage, then print one JSON line of figures for the parent."""
    if args.stage == "generate":
        extra = _generate(args)
    elif args.stage == "incremental":
        extra = _incremental(args)
    elif args.stage == "relink":
        extra = _relink(args)
    else:
        extra = _materialize(args.stage)
    seconds = time.perf_counter() - extra.pop("loaded")
    from assets.reports.worker_pool import reap_fork_server

    reap_fork_server()  # report workers' CPU time, counted below
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "stage": args.stage,
        "scale": args.scale,
        "work_seconds": seconds,  # after start-up (interpreter, imports, loading the definitions)
        "cpu_seconds": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
        "maxrss_kib": own.ru_maxrss,
        "largest_worker_kib": workers.ru_maxrss,
        **extra,
    }
    print(RESULT + json.dumps(figures), flush=True)


# --- the parent --------------------------------------------------------------------------

def _environment(out: Path) -> dict[str, str]:
    from orchestration.settings import Settings

    home = out / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = dict(os.environ)
    for name in ("STORY_MART_URL", "STORY_KEY_FILE", "STORY_DAGSTER_PG_URL", "STORY_CONTRACTS_DIR"):
        env.pop(name, None)
    env.update({
        "STORY_DATA_DIR": str(out / "data"),
        "STORY_SHARED_DIR": str(Settings.from_env().shared_dir),  # as set, else the repository's default
        "DAGSTER_HOME": str(home),
        "STORY_PSEUDONYMISATION_KEY": BENCH_KEY,
        "STORY_SEALING_KEY": BENCH_SEALING_KEY,
        "STORY_DEPLOYMENT": "local",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _run_child(name: str, args: argparse.Namespace, env: dict[str, str], log: Path) -> tuple[float, dict | None, int]:
    """Run one stage in a child process; all its output goes to ``log``, its progress to the terminal.

    Progress is the counted steps the code prints itself (the generator's, the report renderers'
    ``[n/m]`` log lines) and one line per finished Dagster step; ``--verbose`` shows everything.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", name, "--scale", args.scale, "--seed", str(args.seed)]
    figures, assets, steps = None, "?", 0
    started = time.perf_counter()
    with log.open("w") as sink, subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as child, TreeMemory(child.pid) as tree:
        for line in child.stdout:
            if line.startswith(RESULT):
                figures = json.loads(line[len(RESULT):])
                continue
            sink.write(line)
            if args.verbose:
                print("      " + line, end="", flush=True)
            elif counted := COUNTED.match(line):
                where = f"{counted['step'].replace('__', '/')}: " if counted["step"] else ""
                print(f"      {where}{counted['progress']}", flush=True)
            elif finished := STEP_DONE.search(line):
                steps += 1
                print(f"      [{steps}/{assets}] {finished['step'].replace('__', '/')} done in {finished['took']} ({time.perf_counter() - started:.0f} s)", flush=True)
            elif selected := SELECTED.match(line):
                assets = selected["count"]
        child.wait()
    if figures:
        figures["tree_peak_kib"] = max(tree.peak_kib, figures["maxrss_kib"])
    return time.perf_counter() - started, figures, child.returncode


def _describe(name: str, figures: dict) -> str:
    if name == "generate":
        return f"{figures['landing_files']:,} landing files, {figures['landing_mib']:,} MiB"
    if name == "incremental":
        return (f"{figures['file']}: {figures['withdrawn']} episodes withdrawn; intake {figures['raw_materialized']}, "
                f"council partitions {figures['council_partitions']}; report files changed {figures['council_files_changed']} "
                f"of {figures['council_files']}; sensor {figures['sensor_seconds']:.1f} s + run {figures['dagster_run_seconds']:.1f} s "
                f"(and {figures['settle_wait_seconds']:.1f} s between the sensor's looks for the file to settle, left out)")
    if name == "relink":
        return (f"full relink {figures['relink_seconds']:.1f} s; {figures['different_person_id']:,} of {figures['records']:,} records hold "
                f"another person id than the incremental linkage gave (pairwise precision {figures['precision']:.5f}, recall {figures['recall']:.5f})")
    text = f"{figures['materializations']} materializations"
    if name == "ingest":
        text += f", {figures['accepted']:,} files accepted, {figures['refused']:,} refused"
    return text + (f" ({figures['council_partitions']} council report partitions)" if figures["council_partitions"] else "")


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _table(rows: list[tuple[str, float, dict | None]], load_at_start: float) -> None:
    print()
    print(f"{'stage':<19} {'wall s':>8} {'start-up s':>11} {'CPU s':>8} {'peak RSS GiB':>13} {'with workers GiB':>17}")
    for name, wall, figures in rows:
        if figures is None:
            print(f"{name:<19} {wall:>8.1f} {'FAILED':>11}")
            continue
        print(f"{name:<19} {wall:>8.1f} {wall - figures['work_seconds']:>11.1f} {figures['cpu_seconds']:>8.1f} "
              f"{_gib(figures['maxrss_kib']):>13.2f} {_gib(figures['tree_peak_kib']):>17.2f}")
    total = sum(wall for _, wall, _ in rows)
    done = [f for _, _, f in rows if f]
    peak = max((_gib(f["tree_peak_kib"]) for f in done), default=0.0)
    own_peak = max((_gib(f["maxrss_kib"]) for f in done), default=0.0)
    startup = sum(wall - f["work_seconds"] for _, wall, f in rows if f)
    print(f"{'total':<19} {total:>8.1f} {startup:>11.1f} {'':>8} {'max ' + format(own_peak, '.2f'):>13} {'max ' + format(peak, '.2f'):>17}")
    if len(done) < len(rows) or len(rows) < len(STAGES):
        print("targets: not judged, the run did not finish")
        return
    by_name = {name: (wall, figures) for name, wall, figures in rows}
    edition = sum(by_name[name][0] for name in EDITION_STAGES)
    reports = by_name["reports"][0]
    incremental, settled = by_name["incremental"][1]["seconds_to_report"], by_name["incremental"][1]["settle_wait_seconds"]
    incremental_wall = by_name["incremental"][0] - settled
    relink = by_name["relink"][1]
    different = relink["different_person_id"] / relink["records"]
    cores = len(os.sched_getaffinity(0))
    print(f"target: from empty to a published edition (stages 1-6) under {TARGET_EDITION_S // 60} minutes: {_verdict(edition < TARGET_EDITION_S)} ({edition:.0f} s)")
    print(f"target: peak memory under {TARGET_PEAK_GIB:.0f} GiB: {_verdict(peak < TARGET_PEAK_GIB)} ({peak:.2f} GiB, stage process and its workers together)")
    print(f"target: every report of the edition (stage 6) under {TARGET_REPORTS_S} s: {_verdict(reports < TARGET_REPORTS_S)} ({reports:.1f} s with process start)")
    print(f"target: corrected council file to refreshed report under {TARGET_INCREMENTAL_S} s: {_verdict(incremental < TARGET_INCREMENTAL_S)} "
          f"({incremental:.1f} s; {incremental_wall:.1f} s with process start and loading the definitions; the {settled:.1f} s settle wait between the sensor's looks left out)")
    print(f"target: incremental and full linkage differ on at most {TARGET_RELINK_DIFFERENT:.1%} of records: {_verdict(different <= TARGET_RELINK_DIFFERENT)} "
          f"({relink['different_person_id']:,} of {relink['records']:,}, {different:.3%})")
    print(f"(targets are for national scale on 2 cores; this run: scale {rows[0][2]['scale']}, {cores} cores, "
          f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=("tiny", "demo", "national"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="an empty or new folder for data, Dagster home and logs (default: a fresh temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder after a successful run")
    parser.add_argument("--verbose", action="store_true", help="show each stage's whole output (Dagster's debug log included), not only its progress")
    parser.add_argument("--stage", choices=STAGE_NAMES, help=argparse.SUPPRESS)  # internal: run one stage in this process
    args = parser.parse_args()
    if args.stage:
        run_stage(args)
        return

    if args.out:
        out = args.out.resolve()
        if out.exists() and any(out.iterdir()):
            parser.error(f"{out} is not empty: the benchmark starts from nothing")
    else:
        out = Path(tempfile.mkdtemp(prefix="story-e2e-"))
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = _environment(out)
    print(f"end to end at scale {args.scale}, seed {args.seed}: data {env['STORY_DATA_DIR']}, Dagster home {env['DAGSTER_HOME']}, logs {logs}", flush=True)
    load_at_start = os.getloadavg()[0]
    print(f"{len(os.sched_getaffinity(0))} cores, load average {load_at_start:.1f}", flush=True)

    rows: list[tuple[str, float, dict | None]] = []
    for step, (name, what) in enumerate(STAGES, start=1):
        print(f"[{step}/{len(STAGES)}] {name}: {what} ...", flush=True)
        wall, figures, code = _run_child(name, args, env, logs / f"{name}.log")
        rows.append((name, wall, figures if code == 0 else None))
        if code != 0 or figures is None:
            print(f"      FAILED (exit code {code}) after {wall:.1f} s; last lines of {logs / f'{name}.log'}:", flush=True)
            for line in (logs / f"{name}.log").read_text().splitlines()[-40:]:
                print("      | " + line)
            _table(rows, load_at_start)
            print(f"kept for inspection: {out}")
            sys.exit(1)
        print(f"      {wall:.1f} s, peak {_gib(figures['tree_peak_kib']):.2f} GiB: {_describe(name, figures)}", flush=True)

    _table(rows, load_at_start)
    if args.out or args.keep:
        print(f"data, Dagster home and logs in {out}")
    else:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
