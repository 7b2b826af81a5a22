"""A killed run whose pid now belongs to a later process is still found dead, and a live one is not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.instance import prepare_dagster_home
from orchestration.run_health import PID_TAG, fail_stale_runs, stale_runs

REPO = Path(__file__).resolve().parents[2]

# A `leadwerk run`-like job (tagged with its host and pid) that blocks until killed.
SLOW_RUN = textwrap.dedent(
    """
    import time
    import dagster as dg
    from orchestration.run_health import process_tags

    @dg.op
    def wait_forever():
        time.sleep(600)

    @dg.job
    def slow():
        wait_forever()

    slow.execute_in_process(instance=dg.DagsterInstance.get(), tags=process_tags())
    """
)


@pytest.fixture
def instance(tmp_path, monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    prepare_dagster_home()
    return dg.DagsterInstance.get()


@pytest.fixture
def slow_run(instance):
    """(run id, child process) of a run that is STARTED in a live child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", SLOW_RUN], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
            if runs:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the slow run never started")
        yield runs[0].run_id, child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")
def test_a_killed_runs_pid_taken_by_a_later_process_does_not_keep_it_alive(instance, slow_run):
    run_id, child = slow_run
    assert stale_runs(instance) == []  # its own process, alive, started before the run

    child.send_signal(signal.SIGKILL)
    child.wait()
    # The pid comes back for another program: one started after the run began holds it now.
    time.sleep(2.5)
    later = subprocess.Popen(["sleep", "120"])
    try:
        instance.add_run_tags(run_id, {PID_TAG: str(later.pid)})
        assert later.poll() is None
        assert [s.run_id for s in stale_runs(instance)] == [run_id]
        assert [s.run_id for s in fail_stale_runs(instance)] == [run_id]
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert later.poll() is None  # the other program is left alone
    finally:
        later.kill()
        later.wait()
