"""A killed crawl's progress folder is removed by the next start; a live one is kept."""

from __future__ import annotations

import os
import time
from pathlib import Path

from digest.progress import FOLDER, ChildOutput, remove_leftovers


def test_only_folders_older_than_any_live_crawl_are_removed(tmp_path: Path) -> None:
    old, live = tmp_path / FOLDER / "3", tmp_path / FOLDER / "4"
    for folder in (old, live):
        folder.mkdir(parents=True)
        (folder / "stdout.txt").write_text("profit: ok")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert remove_leftovers(tmp_path, older_than_seconds=1800) == 1
    assert not old.exists() and live.exists()


def test_a_crawls_output_is_read_back_and_its_folder_removed(tmp_path: Path) -> None:
    with ChildOutput(tmp_path, 7) as out:
        assert out.args() == ["--progress-dir", str(tmp_path / FOLDER / "7")]
        assert out.stdout is not None and out.stderr is not None
        out.stdout.write(b"profit: ok, 3 new pages\n")
        out.stderr.write("newsdesk: caf\u00e9 refused\n".encode())
        (out.folder / "profit.json").write_text('{"pages": 3, "requests": 8}')
        (out.folder / "other.json").write_text('{"pages": ')  # being replaced: skipped
        assert out.counts() == {"profit": {"pages": 3, "requests": 8}}
        assert out.printed() == ("profit: ok, 3 new pages\n", "newsdesk: caf\u00e9 refused\n")
    assert not (tmp_path / FOLDER / "7").exists()
