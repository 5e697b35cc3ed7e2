"""Worker processes beside a run: reports render in them, and the spreadsheet is written in one.

WeasyPrint and gptables are single-threaded, so an edition's files are made in worker
processes. A worker must not inherit the run process's open DuckDB connection or its threads,
so it is not forked from the run. A spawned worker is clean, but it imports again everything
it needs, the run's main module included (for a Dagster run, the ``dagster`` command's, and so
Dagster itself): about two seconds for each worker, five times an edition. Workers are forked
instead from a fork server: a clean process, started once per run process, that has imported
those modules already, so that each worker is ready in milliseconds.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

# What the fork server imports once: the run's main module (which each worker runs again as
# ``__mp_main__``, finding its imports done) and the modules whose functions workers run.
PRELOAD = ["__main__", "assets.reports.render", "weasyprint", "assets.publication.spreadsheet"]


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def worker_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=_context())


def start_fork_server() -> None:
    """Start the fork server now, without waiting for its imports, unless it runs already.

    A pool otherwise starts it when it starts its first worker, and that worker waits for the
    fork server's imports (4 s on the 2-core bench machine; 6.3 s while the edition was being
    sealed beside it): in a one-council run that was the spreadsheet's worker, the longest
    part of sealing the edition. Started when the run's first report step starts, the imports
    are done on the core the run's single-threaded steps leave idle, before a pool needs them.
    """
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def reap_fork_server() -> None:
    """Stop the fork server and wait for it, so that the CPU time of the workers it reaped is
    counted in this process's ``RUSAGE_CHILDREN`` (the benches read it; CPython has no public call for this)."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()
