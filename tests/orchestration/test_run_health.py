"""A run whose process was killed is marked failed, so the single run slot is never held forever."""

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
import yaml

from orchestration.instance import INSTANCE_CONFIG, prepare_dagster_home
from orchestration.run_health import IN_PROGRESS, PID_TAG, fail_stale_runs, stale_runs

REPO = Path(__file__).resolve().parents[2]

# A job that blocks until killed; run in its own process against the test's Dagster home.
SLOW_RUN = textwrap.dedent(
    """
    import sys, time
    import dagster as dg
    from orchestration.run_health import process_tags

    @dg.op
    def wait_forever():
        time.sleep(600)

    @dg.job
    def slow():
        wait_forever()

    tags = process_tags() if sys.argv[1] == "tagged" else {}
    slow.execute_in_process(instance=dg.DagsterInstance.get(), tags=tags)
    """
)


@pytest.fixture
def dagster_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    prepare_dagster_home()
    return home


def _start_slow_run(home: Path, tagged: bool) -> tuple[str, subprocess.Popen]:
    """Start the slow job in a child process; (run id, child) once its run is STARTED."""
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, "tagged" if tagged else "plain"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    instance = dg.DagsterInstance.get()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
        if runs:
            return runs[0].run_id, child
        time.sleep(0.5)
    child.send_signal(signal.SIGKILL)
    child.wait()
    pytest.fail("the slow run never started")


def _start_and_kill(home: Path, tagged: bool) -> str:
    """Start the slow job in a child process, wait until its run is STARTED, SIGKILL the child."""
    run_id, child = _start_slow_run(home, tagged)
    child.send_signal(signal.SIGKILL)
    child.wait()
    return run_id


def test_instance_config_enables_run_monitoring(dagster_home):
    config = yaml.safe_load((dagster_home / "dagster.yaml").read_text())
    assert config["run_monitoring"]["enabled"] is True
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    instance = dg.DagsterInstance.get()
    assert instance.run_monitoring_enabled


def test_an_older_home_gets_the_current_instance_settings(tmp_path, monkeypatch):
    home = tmp_path / "old_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "# Instance settings for Leadwerk's Dagster home (old)\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n"
    )
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == INSTANCE_CONFIG.read_text()


def test_an_operators_own_instance_file_is_left_alone(tmp_path, monkeypatch):
    home = tmp_path / "own_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    prepare_dagster_home()
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


@pytest.mark.parametrize("tagged", [True, False], ids=["leadwerk_run_tags", "run_start_event_pid"])
def test_a_killed_run_is_found_and_marked_failed(dagster_home, tagged):
    run_id = _start_and_kill(dagster_home, tagged)
    instance = dg.DagsterInstance.get()
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED  # what wedged the queue

    assert [s.run_id for s in stale_runs(instance)] == [run_id]
    assert [s.run_id for s in fail_stale_runs(instance)] == [run_id]
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS)) == []
    assert fail_stale_runs(instance) == []


def test_the_sweeper_sensor_frees_the_run_slot(dagster_home):
    from orchestration.defs.run_health import stale_run_sweeper

    run_id = _start_and_kill(dagster_home, tagged=True)
    instance = dg.DagsterInstance.get()
    result = stale_run_sweeper(dg.build_sensor_context(instance=instance))
    assert isinstance(result, dg.SkipReason) and "1 stale run" in result.skip_message
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE


def test_a_live_run_is_left_alone(dagster_home):
    instance = dg.DagsterInstance.get()

    @dg.op
    def look(context):
        return [s.run_id for s in stale_runs(context.instance)]

    @dg.job
    def inspect():
        look()

    from orchestration.run_health import process_tags

    result = inspect.execute_in_process(instance=instance, tags=process_tags())
    assert result.output_for_node("look") == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")
def test_a_killed_runs_pid_taken_by_a_later_process_does_not_keep_it_alive(dagster_home):
    run_id, child = _start_slow_run(dagster_home, tagged=True)
    instance = dg.DagsterInstance.get()
    try:
        assert stale_runs(instance) == []  # its own process, alive, started before the run
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The pid comes back for another program: one started after the run began holds it now.
    time.sleep(2.5)
    later = subprocess.Popen(["sleep", "120"])
    try:
        instance.add_run_tags(run_id, {PID_TAG: str(later.pid)})
        assert [s.run_id for s in stale_runs(instance)] == [run_id]
        assert [s.run_id for s in fail_stale_runs(instance)] == [run_id]
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert later.poll() is None  # the other program is left alone
    finally:
        later.kill()
        later.wait()
