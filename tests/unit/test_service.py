from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.service import AlreadyRunning, ServiceLock, _yield_warning, read_state, service_running


def test_a_second_lock_on_one_data_dir_names_the_holder(tmp_path: Path) -> None:
    first = ServiceLock(tmp_path)
    first.acquire()
    assert service_running(tmp_path)
    with pytest.raises(AlreadyRunning, match=f"PID {os.getpid()}"):
        ServiceLock(tmp_path).acquire()
    first.release()
    assert not service_running(tmp_path)
    second = ServiceLock(tmp_path)
    second.acquire()  # free again once released (as after the holder's death)
    second.write_state({"next_runs": {"digest": "2026-11-27T07:00:00+05:00"}})
    assert read_state(tmp_path / "newsdesk.lock")["next_runs"] == {
        "digest": "2026-11-27T07:00:00+05:00"
    }
    second.release()


@pytest.mark.parametrize(
    ("last_week", "before", "warned"),
    [(7, 210, True), (60, 210, False), (0, 20, False), (0, 0, False)],
)
def test_a_sharp_fall_in_yield_is_flagged(last_week: int, before: int, warned: bool) -> None:
    warning = _yield_warning(last_week, before)
    assert (warning is not None) is warned
    if warned:
        assert "fell to 1.0 from 10.0" in warning


def test_service_install_writes_a_systemd_unit_for_this_config(tmp_path: Path) -> None:
    from tests.conftest import newsdesk

    (tmp_path / "newsdesk.toml").write_text('timezone = "UTC"\n')
    result = newsdesk(
        "service", "install", "--user", "--unit-dir", str(tmp_path / "units"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    unit = (tmp_path / "units" / "newsdesk.service").read_text()
    assert f"--config {tmp_path / 'newsdesk.toml'} run" in unit
    assert "Restart=on-failure" in unit and "KillSignal=SIGTERM" in unit
    assert "systemctl --user enable --now newsdesk" in result.stdout
