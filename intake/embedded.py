"""The embedded set-up of ``serve``: a private Redis and the worker and scheduler processes."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis

from intake.errors import ConfigurationError
from intake.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _die_with_parent() -> None:
    """Runs in the child before exec: Linux sends it SIGTERM when ``serve`` dies, however it
    dies, so no worker or private Redis outlives the service."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start_private_redis(settings: Settings) -> subprocess.Popen[bytes]:
    """Start a redis-server that listens only on a unix socket under ``var/`` (no TCP port)
    and keeps nothing on disk: the database, not the queue, is the source of truth."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ConfigurationError("redis-server is not installed (apt-get install redis-server)")
    socket = settings.redis_socket
    socket.parent.mkdir(parents=True, exist_ok=True)
    socket.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(socket.parent),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(f"redis-server exited with {process.returncode}")
        try:
            if Redis(unix_socket_path=str(socket)).ping():
                return process
        except Exception:
            time.sleep(0.1)
    process.kill()
    raise ConfigurationError("redis-server did not start within 10 seconds")


def child_environment(settings: Settings) -> dict[str, str]:
    """What a worker or scheduler started by ``serve`` needs to find the same services."""
    env = dict(os.environ)
    env["TAX_INTAKE_VAR_DIR"] = str(settings.var_dir.resolve())
    env["DATABASE_URL"] = settings.resolved_database_url
    env["REDIS_URL"] = settings.resolved_redis_url
    env["STORE_DIR"] = str(settings.resolved_store_dir)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if settings.development and settings.master_key is None and settings.master_key_file is None:
        # The children get an explicit DATABASE_URL, so they would not count as development:
        # hand them the key file ``serve`` made under var/.
        env["TAX_INTAKE_MASTER_KEY_FILE"] = str(settings.development_key_file)
    return env


def start_python(args: list[str], settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=child_environment(settings)
    )


def stop_all(processes: list[subprocess.Popen[bytes]], timeout: float = 10) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
