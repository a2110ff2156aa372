"""Workbooks made on all cores: the same bytes as one process makes, made by several processes
at once, and a Ctrl-C that ends every process with one line."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlptrace import MlptraceError, OutputConfig, parallel, train, write_workbooks
from mlptrace.run import write_run
from mlptrace.writers import xlsx as writer

from conftest import REPO


def _pid_after_a_while(shared, job):
    time.sleep(0.2)  # long enough that one worker cannot take every job
    return os.getpid(), shared, job


def test_jobs_run_in_several_processes_and_come_back_in_order(monkeypatch):
    monkeypatch.setattr(parallel, "workers_for", lambda jobs: 2)
    got = parallel.make_all(_pid_after_a_while, list(range(6)), shared="s")
    assert [job for _, _, job in got] == list(range(6)) and {s for _, s, _ in got} == {"s"}
    pids = {pid for pid, _, _ in got}
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_parallel_run_writes_the_bytes_of_a_serial_one(tmp_path, monkeypatch):
    trace = train(epochs=12, record="1,last", data="xor", batch_size=2, hidden=(3, 2))
    written = {}
    for workers in (1, 2):
        monkeypatch.setattr(parallel, "workers_for", lambda jobs, n=workers: n)
        out = tmp_path / f"w{workers}"
        paths = write_run(trace, OutputConfig(out=str(out), exercise="guided"))
        written[workers] = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    assert len(written[1]) == 2 * 3 + 2  # and the summary and the marking table
    assert written[1] == written[2]


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for t in os.listdir(f"/proc/{pid}/task")
                for c in Path(f"/proc/{pid}/task/{t}/children").read_text().split()}
    except OSError:
        return set()


@pytest.mark.skipif(not Path("/proc/self/task").exists() or (os.cpu_count() or 1) < 2,
                    reason="needs Linux's /proc and two cores")
def test_ctrl_c_ends_the_workers_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "mlptrace", "--epochs", "200", "--record", "all",
                             "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, text=True,
                            # as from a terminal, even when this test runs where Ctrl-C is ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "no workers started"
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        stdout, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert stdout == "" and err.count("\n") == 1 and "interrupted" in err, err
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "a worker outlived the run"
    assert not out.exists()


def test_a_book_refused_in_a_worker_is_one_error_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "workers_for", lambda jobs: 2)
    monkeypatch.setattr(writer, "MAX_COLS", 10)  # the forked workers see it too
    trace = train(epochs=6, record="1-6")
    with pytest.raises(MlptraceError, match="more rows or columns than a spreadsheet has"):
        write_workbooks(trace, str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()
