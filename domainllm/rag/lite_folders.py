"""Lab 3 (retrieval): where private Milvus Lite databases live, and how left-over ones are removed.

Each :class:`~domainllm.rag.vectorstore.MilvusIndex` without a ``uri`` gets a fresh folder
``index-<pid>-<random>`` under ``cache_dir("milvus")`` (or the system temporary folder when the
cache is not writable); :func:`cleanup` stops its embedded server and deletes the folder, and
:func:`remove_stale_indexes` deletes the folders of processes that are gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

from domainllm.paths import CacheNotWritableError, cache_dir

TEMPORARY_PREFIX = "index-"
STALE_UNOWNED_SECONDS = 24 * 3600  # a folder named by an older version (no process id) this old is left over


def _owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_indexes(parent: str) -> list[str]:
    """Delete temporary index folders under ``parent`` whose process is gone (killed, crashed),
    and ones without a process id in their name more than a day old; return what was removed.

    Folders are named ``index-<pid>-<random>``, so a live process's index is never touched.
    """
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(TEMPORARY_PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        owner = entry.name[len(TEMPORARY_PREFIX) :].split("-", 1)[0]
        if owner.isdigit():
            stale = int(owner) != os.getpid() and not _owner_alive(int(owner))
        else:
            try:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > STALE_UNOWNED_SECONDS
            except OSError:
                stale = False
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def temporary_uri() -> tuple[str, str]:
    try:
        parent = str(cache_dir("milvus"))
    except CacheNotWritableError:
        parent = None  # fall back to the system temporary folder
    remove_stale_indexes(parent or tempfile.gettempdir())
    folder = tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", dir=parent)
    return os.path.join(folder, "milvus.db"), folder


def cleanup(uri: str, folder: str | None) -> None:
    """Stop the embedded Milvus Lite server for ``uri`` and delete its temporary folder.

    The folder is deleted even when stopping the server fails (say, at interpreter exit).
    """
    if folder is None:
        return
    try:
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(uri)
    except Exception:  # pragma: no cover - milvus-lite missing or already shut down
        pass
    finally:
        shutil.rmtree(folder, ignore_errors=True)
