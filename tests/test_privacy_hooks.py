"""Nothing is kept and nothing leaves (R12, R22, R24), proven with Python audit hooks.

* The OCR job writes files only under the document store (and a job's scratch folder,
  which is gone afterwards): no copy of an image, crop or text anywhere else.
* No socket connects to anything but this machine during ingest, OCR, review and export.

Audit hooks see what Python code does (``open``, ``os.*``, ``socket.connect``, subprocesses);
native libraries writing through their own C calls (OpenCV, OpenVINO, ONNX Runtime) are held
to the same rule by the store-only design and by the scratch-folder check.
"""

from __future__ import annotations

import io
import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from intake.commands.documents import ingest_file
from intake.commands.users import add_user
from intake.security import new_token, token_digest
from intake.settings import Settings
from ocr.synth import make_sample
from storage.db import session_scope
from storage.models import ApiToken, Document
from storage.status import DocumentStatus

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@dataclass
class Recorder:
    """What the process did while recording: files written, connections, programs run."""

    writes: list[str] = field(default_factory=list)
    connects: list[Any] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)


_active: Recorder | None = None


def _path(value: Any) -> str | None:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    return None  # a file descriptor: its path was checked when it was opened


def _hook(event: str, args: tuple[Any, ...]) -> None:
    recorder = _active
    if recorder is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (
            any(c in mode for c in "wax+") if isinstance(mode, str) else bool(flags & _WRITE_FLAGS)
        )
        if writing and (p := _path(path)) is not None:
            recorder.writes.append(p)
    elif event in ("os.rename", "os.replace", "os.link", "os.symlink", "shutil.copyfile"):
        if (p := _path(args[1])) is not None:
            recorder.writes.append(p)
    elif event in ("os.mkdir", "os.truncate", "tempfile.mkstemp", "tempfile.mkdtemp"):
        if (p := _path(args[0])) is not None:
            recorder.writes.append(p)
    elif event == "socket.connect":
        recorder.connects.append(args[1])
        if _outbound(args[1]):
            raise PermissionError(f"outbound connection to {args[1]!r} (R24)")
    elif event == "socket.getaddrinfo":
        recorder.lookups.append(str(args[0]))
    elif event == "subprocess.Popen":
        recorder.programs.append(os.path.basename(os.fsdecode(args[0])))


sys.addaudithook(_hook)  # hooks cannot be removed; it records only inside ``recording()``


class recording:
    def __enter__(self) -> Recorder:
        global _active
        _active = Recorder()
        return _active

    def __exit__(self, *exc: object) -> None:
        global _active
        _active = None


def _under(path: str, roots: list[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(root) for root in roots)


def _outbound(address: Any) -> bool:
    """True for a connection to anything but this machine (unix sockets are local)."""
    if not isinstance(address, tuple):
        return False
    host = address[0]
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


@pytest.fixture
def pdf_slip(tmp_path: Path) -> Path:
    sample = make_sample("kyuyo_kojinbetsu", 3, condition="clean")
    path = tmp_path / "slip.pdf"
    buffer = io.BytesIO()
    sample.image.convert("RGB").save(buffer, format="PDF", resolution=sample.dpi)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def warm_extractor() -> None:
    """Models load (and their libraries import) before recording: what is checked is what a
    job does, not what starting a worker does."""
    from intake.pipeline import get_extractor

    get_extractor()


@pytest.mark.slow
def test_ocr_job_writes_only_to_the_store(
    service_env: Settings, pdf_slip: Path, warm_extractor: None
) -> None:
    from intake.pipeline import process_document

    document_id, _ = ingest_file(pdf_slip)
    with recording() as seen:
        assert process_document(document_id) == "done"
    store = service_env.resolved_store_dir
    code = [Path(sys.prefix).resolve(), Path(__file__).resolve().parents[1]]
    data_writes = [w for w in seen.writes if "__pycache__" not in Path(w).parts]
    allowed = [store.resolve(), service_env.scratch_dir]
    assert data_writes, "the hook saw no write at all"
    assert [w for w in data_writes if not _under(w, allowed)] == []
    assert [w for w in seen.writes if w not in data_writes and not _under(w, code)] == []
    # The page image went to the store (sealed), and a PDF was read with poppler's tools only.
    assert any(Path(w).parent.name == document_id for w in data_writes)
    # (poppler's tools answer on their standard output; ocr.pages gives them no file to write)
    assert set(seen.programs) <= {"pdfinfo", "pdfimages", "pdftoppm"} and seen.programs
    # A job's scratch folder does not outlive the job.
    scratch = service_env.scratch_dir
    assert not scratch.exists() or not any(scratch.iterdir())


def _token(kind: str) -> dict[str, str]:
    token = new_token()
    with session_scope() as db:
        db.add(ApiToken(name=f"{kind}-1", kind=kind, token_sha256=token_digest(token)))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app(service_env: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from api import create_app
    from intake.export.settings import get_export_settings

    monkeypatch.setenv("TAX_INTAKE_EXPORT_MUNICIPALITY_CODE", "130001")
    monkeypatch.setenv("TAX_INTAKE_EXPORT_CREATION_KIND", "2")
    get_export_settings.cache_clear()
    yield create_app()
    get_export_settings.cache_clear()


@pytest.mark.slow
def test_no_outbound_connection_from_ingest_to_export(
    app: Any, service_env: Settings, pdf_slip: Path, warm_extractor: None
) -> None:
    from intake.export.batches import create_all_export_batches
    from intake.pipeline import process_document

    add_user("boss", "supervisor", "correct horse battery", may_see_my_number=True)
    station, feed = _token("station"), _token("feed")
    client = TestClient(app)
    with recording() as seen:
        # Ingest through the capture API, then OCR as the worker does.
        response = client.post(
            "/api/v1/documents",
            files={"file": ("slip.pdf", pdf_slip.read_bytes(), "application/pdf")},
            headers=station,
        )
        assert response.status_code == 201, response.text
        document_id = response.json()["id"]
        assert process_document(document_id) == "done"
        # Review: log in, open the document and its page image.
        login = client.post(
            "/login",
            data={"username": "boss", "password": "correct horse battery"},
            follow_redirects=False,
        )
        assert login.status_code == 303
        assert client.get(f"/documents/{document_id}").status_code == 200
        assert client.get(f"/documents/{document_id}/pages/1/image").status_code == 200
        # Export: the approved record into a batch, pulled by the filing system.
        with session_scope() as db:
            doc = db.get(Document, document_id)
            assert doc is not None
            doc.move_to(DocumentStatus.APPROVED)
        with session_scope() as db:
            create_all_export_batches(db, "boss")
        listing = client.get("/api/v1/feed/exports", headers=feed)
        assert listing.status_code == 200
        [batch] = listing.json()["exports"]
        assert (
            client.get(f"/api/v1/feed/exports/{batch['seq']}.csv", headers=feed).status_code == 200
        )
    assert [a for a in seen.connects if _outbound(a)] == []
    local = {"localhost", "127.0.0.1", "::1"}
    assert [h for h in seen.lookups if h not in local] == []
    # The hook did watch: Redis (unix socket) or PostgreSQL (loopback) was connected to.
    assert seen.connects


def test_the_hook_catches_an_outbound_connection() -> None:
    """The check above can fail: a connection attempt to a public address is recorded."""
    with recording() as seen, socket.socket() as sock, pytest.raises(PermissionError):
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1; the hook stops it before any packet
    assert [a for a in seen.connects if _outbound(a)] == [("192.0.2.1", 9)]


def test_configuration_has_no_switch_for_training_or_telemetry() -> None:
    """R22/R24 are not settings: nothing can turn on learning, retention or telemetry."""
    names = " ".join(Settings.model_fields)
    for word in ("train", "learn", "retain", "telemetry", "upload_url", "remote", "cloud"):
        assert word not in names
