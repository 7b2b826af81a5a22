"""The landing sensor starts a run for new or changed files, and only for those."""

from pathlib import Path

import dagster as dg

from orchestration.defs.sensors import landing_files_sensor


def _drop_file(data_dir: Path, name: str, text: str) -> Path:
    target = data_dir / "landing" / "crm_exports" / "salesforce" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


HEADER = "Id,FirstName,LastName,Email,CreatedDate\n"


def _evaluate(cursor: str | None):
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, cursor=cursor)
        return landing_files_sensor(context), context


def test_empty_landing_folder_skips(data_dir):
    result, _ = _evaluate(None)
    assert isinstance(result, dg.SkipReason)


def test_new_file_requests_a_full_refresh(data_dir):
    _drop_file(data_dir, "leads.csv", HEADER + "00Q1,Anna,Schmidt,a@b.de,2025-01-01T00:00:00.000+0000\n")
    result, _ = _evaluate(None)
    assert isinstance(result, dg.SensorResult)
    assert len(result.run_requests) == 1
    assert result.run_requests[0].tags["leadwerk/trigger"] == "landing_sensor"


def test_seen_files_do_not_trigger_again(data_dir):
    _drop_file(data_dir, "leads.csv", HEADER + "00Q1,Anna,Schmidt,a@b.de,2025-01-01T00:00:00.000+0000\n")
    first, _ = _evaluate(None)
    second, _ = _evaluate(first.cursor)
    assert isinstance(second, dg.SkipReason)


def test_replaced_file_content_triggers_a_new_run(data_dir):
    path = _drop_file(data_dir, "leads.csv", HEADER + "00Q1,Anna,Schmidt,a@b.de,2025-01-01T00:00:00.000+0000\n")
    first, _ = _evaluate(None)
    path.write_text(HEADER + "00Q2,Ben,Meier,b@c.de,2025-01-02T00:00:00.000+0000\n", encoding="utf-8")
    second, _ = _evaluate(first.cursor)
    assert isinstance(second, dg.SensorResult)
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
