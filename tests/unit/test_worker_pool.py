"""The worker processes beside a run come from one fork server, which a run may start ahead of them."""

from __future__ import annotations

import os
from pathlib import Path

from assets.reports.worker_pool import start_fork_server, worker_pool


def _fork_servers() -> set[int]:
    """This process's children that run a fork server (read from /proc)."""
    mine = str(os.getpid())
    servers = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes()
        except OSError:  # the process ended meanwhile
            continue
        if fields.get("PPid", "").strip() == mine and b"multiprocessing.forkserver" in command:
            servers.add(int(status.parent.name))
    return servers


def test_the_fork_server_started_ahead_of_any_pool_forks_the_workers_of_every_pool():
    start_fork_server()
    start_fork_server()  # already running: not started again
    [server] = _fork_servers()  # before any pool asked for a worker
    parents = set()
    for _ in range(2):
        with worker_pool(1) as pool:
            parents.add(pool.submit(os.getppid).result())
    assert parents == {server}
