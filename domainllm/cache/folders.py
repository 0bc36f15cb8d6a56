"""Infrastructure: build a cache folder exactly once, safely: under a lock, in a staging folder, then renamed.

A folder counts as built only when its marker file exists. An interrupted build (a crash,
a killed kernel) leaves no folder with a marker behind, so the next call starts again
instead of loading something half-written. Several processes asking at once build it once.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MARKER = "domainllm-complete.json"


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (blocks other processes doing the same)."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_built(target: Path, marker: str = MARKER) -> bool:
    """Whether ``target`` was completely built."""
    return (target / marker).is_file()


def read_manifest(target: Path, marker: str = MARKER) -> dict[str, Any]:
    """The manifest a finished build wrote into its marker file."""
    return json.loads((target / marker).read_text(encoding="utf-8"))


def _manifest_if_built(target: Path, marker: str) -> dict[str, Any] | None:
    """The finished build's manifest, or None when the folder is not built or its marker is
    corrupt (then a warning names the file, and the folder is built again)."""
    if not is_built(target, marker):
        return None
    try:
        manifest = read_manifest(target, marker)
    except (OSError, ValueError) as exc:
        manifest = None
        reason = str(exc)
    else:
        reason = "not a JSON object"
    if isinstance(manifest, dict):
        return manifest
    from domainllm.cache.records import CorruptCacheFileWarning

    warnings.warn(
        f"Cache file {target / marker} is unreadable ({reason}); {target} is built again.",
        CorruptCacheFileWarning,
        stacklevel=3,
    )
    return None


def build_once(
    target: Path, build: Callable[[Path], dict[str, Any] | None], marker: str = MARKER
) -> dict[str, Any]:
    """Return the manifest of ``target``, calling ``build(staging_folder)`` first if it is not built.

    ``build`` fills the staging folder and may return a JSON-ready manifest; it is written to
    the marker file, then the staging folder is renamed to ``target`` in one step.
    """
    manifest = _manifest_if_built(target, marker)
    if manifest is not None:
        return manifest
    target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(target.parent / f".{target.name}.lock"):
        manifest = _manifest_if_built(target, marker)
        if manifest is not None:
            return manifest
        if target.exists():  # left over from an interrupted run, or a corrupt marker: start again
            shutil.rmtree(target)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        try:
            manifest = build(staging) or {}
            (staging / marker).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return manifest
