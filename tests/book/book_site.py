"""Helpers for the browser tests: serve the built book locally and load pages in headless Chromium."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_HTML = REPO_ROOT / "_build" / "html"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
]


class RecordingServer:
    """A local HTTP server for the built book that records the status of every request."""

    def __init__(self, root: Path) -> None:
        self.requests: list[tuple[str, int]] = []
        log = self.requests

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, directory=str(root), **kwargs)

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                log.append((self.path, int(code) if str(code).isdigit() else 0))

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RecordingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def failures(self) -> list[tuple[str, int]]:
        """Requests the server answered with a 4xx or 5xx status."""
        return [(path, code) for path, code in self.requests if code >= 400]


@functools.cache
def chromium() -> str:
    """Path of the Chromium binary (installed by `make browser`)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed: run `make browser` (Debian package 'chromium').")


@contextmanager
def profile_dir() -> Iterator[str]:
    """A throwaway Chromium profile folder."""
    folder = tempfile.mkdtemp(prefix="book-chromium-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def rendered_dom(url: str, budget_ms: int = 3000) -> str:
    """The page's DOM after its scripts ran for ``budget_ms`` of virtual time."""
    with profile_dir() as profile:
        done = subprocess.run(
            [
                chromium(),
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0:
        raise RuntimeError(f"Chromium failed on {url}: {done.stderr[-2000:]}")
    return done.stdout


def toc_documents(toc_file: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """Every document named in the table of contents, root first (paths without extension)."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [str(Path(doc).with_suffix("")) if Path(doc).suffix in {".md", ".ipynb"} else doc for doc in found]
