"""The hot-folder client against a real HTTP server: a file leaves the folder only after the
server confirmed receipt."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from intake.commands.tokens import create_token
from intake.hotfolder import upload_once
from intake.settings import Settings
from ocr.layout import FORMS_DIR


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(service_env: Settings) -> Iterator[str]:
    from api import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


def test_sent_failed_and_retry(server: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "slip.png").write_bytes((FORMS_DIR / "blank" / "nenkin_kojinbetsu.png").read_bytes())
    (outbox / "notes.pdf").write_bytes(b"not really a pdf")
    (outbox / "ignored.txt").write_text("not a scan suffix")
    token = create_token("station-hf", "station")
    url = f"{server}/api/v1/documents"

    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        assert upload_once(outbox, client, url, settle_seconds=0) == 1

    assert (outbox / "sent" / "slip.png").exists()
    receipt = (outbox / "sent" / "slip.png.receipt.txt").read_text()
    assert len(receipt) == 32
    assert (outbox / "failed" / "notes.pdf").exists()
    assert "unsupported_type" in (outbox / "failed" / "notes.pdf.reason.txt").read_text()
    assert (outbox / "ignored.txt").exists()


def test_unreachable_server_keeps_the_file(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "slip.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    url = f"http://127.0.0.1:{_free_port()}/api/v1/documents"
    with httpx.Client() as client:
        assert upload_once(outbox, client, url, settle_seconds=0) == 0
    assert (outbox / "slip.png").exists()
    assert not (outbox / "sent").exists()


def test_bad_token_keeps_the_file(server: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "slip.png").write_bytes((FORMS_DIR / "blank" / "shinkoku_p1.png").read_bytes())
    with httpx.Client(headers={"Authorization": "Bearer wrong"}) as client:
        assert upload_once(outbox, client, f"{server}/api/v1/documents", settle_seconds=0) == 0
    assert (outbox / "slip.png").exists()
