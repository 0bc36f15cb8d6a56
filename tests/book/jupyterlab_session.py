"""Helpers for the interactive test: a headless JupyterLab server and Chromium driven by Selenium.

The server runs from the book's ``.venv`` on a free loopback port with a random token, with its
configuration, settings, workspaces and runtime files in a temporary folder, and is always
stopped: first through its shutdown API (which shuts the kernels down cleanly), then by killing
its process group and every process it started (kernels run in their own sessions).
The browser is the same Debian Chromium the book tests use (``book_site.chromium``), driven
through Debian's ``chromedriver`` (package ``chromium-driver``, installed by ``make browser``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import psutil

from tests.book.book_site import CHROMIUM_FLAGS, chromium, profile_dir

T = TypeVar("T")

# JupyterLab settings for a quiet, fully rendered page: no news or update toasts, and every
# notebook cell kept in the page (no windowing), so the test can reach each widget.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def jupyter_executable() -> Path:
    """The ``jupyter`` command of the environment running the tests (the book's ``.venv``)."""
    found = Path(sys.executable).with_name("jupyter")
    if not found.is_file():
        raise RuntimeError(f"{found} is missing: JupyterLab is not installed (run `make setup`).")
    return found


def chromedriver() -> str:
    """Path of Debian's chromedriver (package ``chromium-driver``)."""
    found = shutil.which("chromedriver")
    if found:
        return found
    if os.access("/usr/lib/chromium/chromedriver", os.X_OK):
        return "/usr/lib/chromium/chromedriver"
    raise RuntimeError(
        "chromedriver is not installed: run `make browser` (Debian package 'chromium-driver')."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class JupyterLabServer:
    """A JupyterLab server on 127.0.0.1 serving ``root``; use as a context manager."""

    def __init__(self, root: Path, home: Path, startup_timeout: float = 90.0) -> None:
        self.root = root
        self.home = home
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "jupyterlab.log"
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name, folder in {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "settings",
            "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython",
        }.items():
            env[name] = str(self.home / folder)
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        for name, settings in LAB_SETTINGS.items():
            path = self.home / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings), encoding="utf-8")
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def __enter__(self) -> JupyterLabServer:
        command = [
            str(jupyter_executable()),
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--MappingKernelManager.default_kernel_name=python3",
            "--LabApp.extension_manager=readonly",  # no look-ups in a package index
        ]
        if os.geteuid() == 0:  # CI and containers run as root
            command.append("--allow-root")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole in stop()
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def api(self, path: str, method: str = "GET", timeout: float = 10.0) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                self.api("/api/status", timeout=2.0)
                return
            time.sleep(0.3)
        raise RuntimeError(
            f"JupyterLab did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}"
        )

    def lab_url(self, notebook: str) -> str:
        return f"{self.base_url}/lab/tree/{notebook}?token={self.token}"

    def stop(self) -> None:
        """Shut down kernels and server; whatever is still running after that is killed."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            started = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            started = []
        if process.poll() is None:
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                self.api("/api/shutdown", method="POST", timeout=5.0)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)  # the server's group (pgid == its pid)
            alive = [p for p in started if _running(p)]
            for child in alive:
                with contextlib.suppress(psutil.Error):
                    child.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            psutil.wait_procs(alive, timeout=5)
            if process.poll() is not None and not any(_running(p) for p in started):
                break


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@contextmanager
def chromium_driver(width: int = 1400, height: int = 1800) -> Iterator[Any]:
    """A Selenium WebDriver for headless Chromium with a throwaway profile; always quit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    with profile_dir() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver()))
        try:
            yield driver
        finally:
            driver.quit()


def wait_for(condition: Callable[[], T | None], timeout: float, what: str, poll: float = 0.25) -> T:
    """Poll ``condition`` until it returns something truthy (returned), or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as error:  # stale elements and the like while the page updates
            last_error = error
        else:
            if value:
                return value
        time.sleep(poll)
    raise TimeoutError(
        f"timed out after {timeout:.0f} s waiting for {what}" + (f" ({last_error!r})" if last_error else "")
    )
