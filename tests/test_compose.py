"""The scale-out deployment file is valid compose and holds every part the README promises."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = shutil.which("docker-compose")

pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose is not installed")


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    assert COMPOSE is not None
    return subprocess.run(
        [COMPOSE, "-f", str(ROOT / "docker-compose.yml"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_is_valid() -> None:
    done = _compose("config", "-q")
    assert done.returncode == 0, done.stderr


def test_compose_has_every_service_and_the_shared_store() -> None:
    services = _compose("config", "--services").stdout.split()
    assert {"postgres", "redis", "migrate", "web", "worker", "scheduler"} <= set(services)
    volumes = _compose("config", "--volumes").stdout.split()
    assert "store" in volumes


def test_compose_rejects_a_broken_file(tmp_path: Path) -> None:
    """The check can fail: a service with an unknown key is refused."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        (ROOT / "docker-compose.yml").read_text() + "\n  oops:\n    imagee: nothing\n"
    )
    assert COMPOSE is not None
    done = subprocess.run(
        [COMPOSE, "-f", str(broken), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
