"""Issue #23 (h): temporary Milvus folders are removed on every exit path, also after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from domainllm.paths import REPO_ROOT
from domainllm.rag import lite_folders
from domainllm.rag.vectorstore import MilvusIndex


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOMAINLLM_CACHE", str(tmp_path))
    return tmp_path


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_folder_left_by_a_killed_process_is_removed_by_the_next_index(cache: Path) -> None:
    milvus = cache / "milvus"
    leftover = milvus / f"index-{_dead_pid()}-abc123"
    (leftover / "milvus.db").mkdir(parents=True)
    alive = milvus / f"index-{os.getppid()}-def456"  # a live process's index is never touched
    alive.mkdir()
    with MilvusIndex(dim=4) as index:
        assert Path(index.uri).parent.name.startswith(f"index-{os.getpid()}-")
        assert not leftover.exists() and alive.exists()
    assert sorted(p.name for p in milvus.iterdir()) == [alive.name]


def test_folder_is_removed_even_when_stopping_the_server_fails(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from milvus_lite.server_manager import server_manager_instance

    index = MilvusIndex(dim=4)
    folder = Path(index.uri).parent
    real_release = server_manager_instance.release_server

    def failing_release(uri: str) -> None:
        real_release(uri)
        raise RuntimeError("server already shut down")

    monkeypatch.setattr(server_manager_instance, "release_server", failing_release)
    index.close()
    assert not folder.exists()


def test_sigterm_during_a_command_removes_the_temporary_index(cache: Path) -> None:
    script = textwrap.dedent(
        """
        import signal, sys, time
        from domainllm.cli import commands
        from domainllm.rag.vectorstore import MilvusIndex

        signal.signal(signal.SIGTERM, commands._terminated)  # what main() installs
        index = MilvusIndex(dim=4)
        print(index.uri, flush=True)
        time.sleep(120)
        """
    )
    env = {**os.environ, "DOMAINLLM_CACHE": str(cache)}
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        folder = Path(process.stdout.readline().strip()).parent
        assert folder.is_dir()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        process.kill()
    deadline = time.time() + 5
    while folder.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert not folder.exists()


def test_old_style_folders_are_kept_unless_a_day_old(cache: Path) -> None:
    milvus = cache / "milvus"
    recent, old = milvus / "index-recent_x", milvus / "index-old_xyz"
    recent.mkdir(parents=True)
    old.mkdir()
    os.utime(old, (time.time() - 2 * lite_folders.STALE_UNOWNED_SECONDS,) * 2)
    assert lite_folders.remove_stale_indexes(str(milvus)) == [str(old)]
    assert recent.exists()
