"""Infrastructure: where things live: the repository's data folder and the user's cache folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
CACHE_ENV_VAR = "DOMAINLLM_CACHE"


class CacheNotWritableError(PermissionError):
    """The cache folder cannot be written; the message names it and the variable that moves it."""


def cache_dir(*parts: str) -> Path:
    """Return (and create) a folder under the cache root.

    The root is ``$DOMAINLLM_CACHE`` when set, else ``$XDG_CACHE_HOME/domainllm``,
    else ``~/.cache/domainllm``.
    """
    root_env = os.environ.get(CACHE_ENV_VAR)
    if root_env:
        root = Path(root_env).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "domainllm"
    folder = root.joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CacheNotWritableError(
            f"Cannot write to the cache folder {folder} ({exc.strerror}). "
            f"Point the cache elsewhere with: export {CACHE_ENV_VAR}=/a/writable/folder"
        ) from exc
    return folder
