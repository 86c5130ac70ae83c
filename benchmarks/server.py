"""gunicorn as in production (gunicorn.conf.py), on a free port, for one database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from benchmarks.settings import ROOT

CONFIG = ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn() -> list[str]:
    beside = Path(sys.executable).with_name("gunicorn")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gunicorn"]


def server_environment(url: str, secret: str, port: int) -> dict[str, str]:
    """Production settings plus what the bench needs: plain http on 127.0.0.1 (so the
    session cookie without Secure), the query count, and no login throttle in the way."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TRAJECTORY_SECRET_KEY": secret,
        "TRAJECTORY_SESSION_COOKIE_SECURE": "false",
        "TRAJECTORY_QUERY_COUNT_HEADER": "true",
        "TRAJECTORY_LOG_LEVEL": "INFO",
        "TRAJECTORY_LOG_JSON": "true",
        "TRAJECTORY_LOGIN_THROTTLE_FREE_FAILURES": "1000",
        "TRAJECTORY_LOGIN_THROTTLE_ADDRESS_FREE_FAILURES": "1000",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


def gunicorn_settings() -> str:
    """What the report says about the server (gunicorn.conf.py's values here)."""
    if not CONFIG.exists():
        return "gunicorn -w 2 (sync)"
    return (f"gunicorn -c gunicorn.conf.py: {os.environ.get('WEB_CONCURRENCY', '2')} workers "
            f"× {os.environ.get('GUNICORN_THREADS', '4')} threads (gthread)")


class Server:
    """``with Server(url, secret, log) as server:`` then ``server.base`` is the address."""

    def __init__(self, url: str, secret: str, log: Path) -> None:
        self.url, self.secret, self.log = url, secret, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = [*_gunicorn(), "-c", str(CONFIG), "wsgi:app"] if CONFIG.exists() else \
            [*_gunicorn(), "-w", "2", "-b", f"127.0.0.1:{self.port}", "wsgi:app"]
        self._out = self.log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own server
            command, cwd=ROOT, env=server_environment(self.url, self.secret, self.port),
            stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped (exit {self.process.returncode}); "
                                   f"see {self.log}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer /healthz within 90 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # our own process group only
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._out.close()
