"""Making many files' bytes on all cores: one pool, one way, for a run's workbooks and for
exercise variants.

Workers are forked, so they start at once and share what the parent holds (the trace) without
copying it; each returns bytes, and the results come back in the order of the jobs, so a
parallel run writes exactly the bytes a serial one does.  Workers ignore Ctrl-C: the parent
alone is interrupted; it ends every worker and reports once.
"""
from __future__ import annotations

import gc
import os
import signal

#: fewer jobs than this are made in this process: forking, and the copies of memory that
#: the workers then touch, cost more CPU than a few books take
MIN_JOBS = 4

#: what every job reads (the trace, the options): set in the parent just before the workers fork
_shared = None


def _silent() -> None:
    """A worker leaves Ctrl-C to the run (which ends it) and dies quietly when ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(task):
    make, job = task
    return make(_shared, job)


def workers_for(jobs: int) -> int:
    """How many processes ``jobs`` jobs can be made by: one per core, at most one per job; one
    where processes cannot be forked."""
    if not hasattr(os, "fork"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(jobs, cores))


def make_all(make, jobs: list, shared=None, progress=None, min_jobs: int = MIN_JOBS) -> list:
    """``[make(shared, job) for job in jobs]``, made by ``workers_for(len(jobs))`` processes
    (by this one for fewer than ``min_jobs`` jobs); ``make`` is a module-level function.
    ``progress()`` is called after each result, in order.  An exception of a job is raised
    here, after every worker has ended."""
    global _shared
    results = []
    workers = workers_for(len(jobs)) if len(jobs) >= min_jobs else 1
    if workers == 1:
        for job in jobs:
            results.append(make(shared, job))
            if progress is not None:
                progress()
        return results
    import multiprocessing  # only here: most runs never need a pool

    _shared = shared
    # the workers' garbage collector leaves the parent's objects alone, so their memory stays
    # shared instead of being copied page by page into every worker
    gc.freeze()
    try:
        # Ctrl-C held back while the workers fork: an interrupt inside fork's own handlers
        # would be lost; held back, it comes right after, where the run can stop cleanly
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=_silent)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        with pool:  # leaving it (done, an error, Ctrl-C) ends every worker: none outlives the run
            for result in pool.imap(_call, [(make, job) for job in jobs]):
                results.append(result)
                if progress is not None:
                    progress()
    finally:
        gc.unfreeze()
        _shared = None
    return results
