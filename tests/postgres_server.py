"""A throwaway PostgreSQL server for integration tests: Debian's binaries, a temporary cluster.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the cluster is
created and started as the ``postgres`` user that Debian's package creates. The server
listens on a free loopback port with trust authentication and is stopped and deleted after.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/install-system-packages.sh (make setup does)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def running_postgres(database: str = "story") -> Iterator[str]:
    """Start a server, create ``database`` and yield its SQLAlchemy URL (psycopg2 driver)."""
    bin_dir = _binaries()
    root = Path(tempfile.mkdtemp(prefix="story-pg-"))
    data = root / "cluster"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    run = lambda command: subprocess.run(_as_server_user(command), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"])
        try:
            run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database])
            yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{database}"
        finally:
            run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
