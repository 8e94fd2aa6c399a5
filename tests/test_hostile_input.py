"""Hostile input: every bad file gets a clear reason — HTTP 4xx at capture, or REJECTED with a
reason after a real worker has looked at it — no worker crashes, and nothing is left behind.

The files are generated here (never stored in the repository): corrupt and truncated PDFs, an
encrypted PDF, an empty file, a PNG decompression bomb, a huge TIFF page, multi-page files over
the page limit, content that does not match its extension, path tricks in file names and a
1 GB upload sent from a generator.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from intake.commands.tokens import create_token
from intake.settings import Settings
from ocr.pages import iter_pages, split_pages
from storage.db import session_scope
from storage.models import Document
from storage.status import DocumentStatus

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
GIB = 1024 * MIB


# --- generated hostile files ----------------------------------------------------------


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A minimal PDF with a correct cross-reference table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    return bytes(out) + b"startxref\n%d\n%%%%EOF\n" % xref


def _page_objects(width_pt: float, height_pt: float, content: bytes) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents 4 0 R >>"
        % (width_pt, height_pt),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]


_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def encrypted_pdf(user_password: bytes = b"secret") -> bytes:
    """A real password-protected PDF (standard security handler, revision 2, RC4 40-bit),
    built by the algorithms of the PDF reference: with the password poppler opens it."""
    padded = (user_password + _PASSWORD_PAD)[:32]
    owner = _rc4(hashlib.md5(padded).digest()[:5], padded)
    permissions = -4
    file_id = hashlib.md5(b"tax-intake hostile input").digest()
    key = hashlib.md5(padded + owner + struct.pack("<i", permissions) + file_id).digest()[:5]
    user = _rc4(key, _PASSWORD_PAD)
    objects = _page_objects(595, 842, b"")
    object_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little"))
    content = _rc4(object_key.digest()[:10], b"0 0 0 rg 100 100 300 300 re f")
    objects[3] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
    objects.append(
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (owner.hex().encode(), user.hex().encode(), permissions)
    )
    ids = b"/ID [<%s> <%s>] " % (file_id.hex().encode(), file_id.hex().encode())
    return _pdf(objects, trailer=b"/Encrypt 5 0 R " + ids)


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A valid 1-bit PNG of width × height white-on-nothing pixels: about 400 KB that
    decodes to gigapixels."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def multipage_tiff(pages: int, size: tuple[int, int] = (620, 877)) -> bytes:
    frames = [Image.new("1", size, 1) for _ in range(pages)]
    return _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="group4")


def multipage_pdf(pages: int) -> bytes:
    frames = [Image.new("L", (62, 88), 255) for _ in range(pages)]
    return _encode(frames[0], "PDF", save_all=True, append_images=frames[1:], resolution=7.5)


def _slip_pdf() -> bytes:
    return _encode(Image.new("RGB", (1240, 1754), "white"), "PDF", resolution=150.0)


#: (name, file name sent, bytes, reason code of the REJECTED document)
REJECTED_BY_WORKER: list[tuple[str, str, bytes, str]] = [
    ("corrupt pdf", "slip.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40, "corrupt_file"),
    ("truncated pdf", "slip.pdf", _slip_pdf()[:-300], "corrupt_file"),
    ("encrypted pdf", "locked.pdf", encrypted_pdf(), "encrypted_pdf"),
    ("png bomb", "bomb.png", png_bomb(), "image_too_large"),
    ("huge tiff page", "huge.tif", multipage_tiff(1, (40_000, 40_000)), "image_too_large"),
    ("tiff over page limit", "many.tif", multipage_tiff(51), "too_many_pages"),
    ("pdf over page limit", "many.pdf", multipage_pdf(51), "too_many_pages"),
    ("pdf page of 5 m", "poster.pdf", _pdf(_page_objects(14400, 14400, b"")), "image_too_large"),
    (
        "truncated png",
        "cut.png",
        _encode(Image.new("L", (800, 1100), 128), "PNG", compress_level=0)[:400_000],
        "corrupt_file",
    ),
    (
        "jpeg named pdf",
        "not-really.pdf",
        _encode(Image.new("RGB", (2480, 3508), "white"), "JPEG", dpi=(300, 300)),
        "blank_page",
    ),
]

#: (name, file name sent, bytes, error code of the HTTP 415)
REFUSED_AT_CAPTURE: list[tuple[str, str, bytes, str]] = [
    ("zero bytes", "empty.pdf", b"", "empty_file"),
    ("text named pdf", "letter.pdf", b"Dear tax office,\n" * 20, "unsupported_type"),
    (
        "html named png",
        "page.png",
        b"<!doctype html><html><body>hi</body></html>",
        "unsupported_type",
    ),
    ("zip named tif", "scan.tif", b"PK\x03\x04" + b"\x00" * 200, "unsupported_type"),
    ("executable named jpg", "photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "unsupported_type"),
]

PATH_TRICKS = [
    "../../../../etc/passwd.png",
    "..\\..\\windows\\system32\\drivers.png",
    "/etc/cron.d/job.png",
    "C:\\scans\\outbox\\slip.png",
    "..",
    ".",
    "slip\x00.exe.png",
    "\u202egnp.exe",
    "a/" * 200 + "deep.png",
    "名前" * 300 + ".png",
    "line\r\nX-Injected: 1.png",
]


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def client(service_env: Settings) -> TestClient:
    from api import create_app

    return TestClient(create_app())


@pytest.fixture
def station(service_env: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token('station-hostile', 'station')}"}


def _upload(client: TestClient, headers: dict[str, str], name: str, data: bytes) -> httpx.Response:
    return client.post("/api/v1/documents", headers=headers, files={"file": (name, data)})


def _files_under(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    # The documents' wrapped data keys (storage.keys) live in the store's "_keys" folder.
    files = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    return sorted(str(f) for f in files if f.parts[0] != "_keys")


def _run_worker_burst(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The real worker (models loaded once, SimpleWorker) until the queue is empty."""
    scratch = tmp_path / "worker-tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}
    return subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


# --- tests ----------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "name", "data", "code"), REFUSED_AT_CAPTURE)
def test_refused_at_capture_with_a_reason_and_nothing_kept(
    client, station, service_env: Settings, case: str, name: str, data: bytes, code: str
) -> None:
    response = _upload(client, station, name, data)
    assert response.status_code == 415, (case, response.text)
    assert response.json()["detail"]["code"] == code
    assert response.json()["detail"]["reason"]
    assert _files_under(service_env.resolved_store_dir) == []
    with session_scope() as session:
        assert session.query(Document).count() == 0


@pytest.mark.slow
def test_hostile_files_are_rejected_by_a_real_worker_that_survives(
    client, station, service_env: Settings, tmp_path: Path
) -> None:
    ids = {}
    for case, name, data, _ in REJECTED_BY_WORKER:
        response = _upload(client, station, name, data)
        assert response.status_code == 201, (case, response.text)
        ids[case] = response.json()["id"]

    done = _run_worker_burst(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]

    with session_scope() as session:
        for case, _, _, code in REJECTED_BY_WORKER:
            doc = session.get(Document, ids[case])
            assert doc is not None
            assert (doc.status, doc.reason_code) == (DocumentStatus.REJECTED, code), (
                case,
                doc.status,
                doc.reason,
            )
            assert doc.reason and len(doc.reason) > 20  # a sentence an operator can act on
        jpeg = session.get(Document, ids["jpeg named pdf"])
        assert jpeg is not None and jpeg.content_type == "image/jpeg"  # sniffed, not the name
    # Nothing but the originals (kept until the deadline, R10): no temporary files anywhere.
    assert _files_under(service_env.resolved_store_dir) == sorted(
        f"{document_id}/original" for document_id in ids.values()
    )
    # onnxruntime leaves a session marker (a time stamp and a random id) in TMPDIR at import;
    # nothing else, and nothing of a document, may be there.
    assert [f for f in _files_under(tmp_path / "worker-tmp") if f != ".ses"] == []


def test_encrypted_pdf_fixture_is_really_encrypted() -> None:
    """The fixture is a PDF poppler opens with its password, not merely a broken file."""
    data = encrypted_pdf(b"secret")
    opened = subprocess.run(
        ["pdfinfo", "-upw", "secret", "-"], input=data, capture_output=True, check=False
    )
    assert opened.returncode == 0, opened.stderr
    assert re.search(rb"Encrypted:\s+yes", opened.stdout)
    rendered = subprocess.run(
        ["pdftoppm", "-upw", "secret", "-r", "20", "-gray", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    with Image.open(io.BytesIO(rendered.stdout)) as page:
        darkest = page.getextrema()[0]
        assert isinstance(darkest, int) and darkest < 50  # the square in the encrypted content
    refused = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False)
    assert refused.returncode != 0


def test_path_tricks_in_file_names_stay_names(client, station, service_env: Settings) -> None:
    for index, name in enumerate(PATH_TRICKS):
        data = _encode(Image.new("L", (40 + index, 40), 255), "PNG")
        response = _upload(client, station, name, data)
        assert response.status_code == 201, (name, response.text)
        with session_scope() as session:
            doc = session.get(Document, response.json()["id"])
            assert doc is not None
            stored = doc.filename
        assert stored not in ("", ".", ".."), name
        assert "/" not in stored and "\\" not in stored, name
        assert all(ch.isprintable() for ch in stored), name
        assert len(stored) <= 200
    # Every file is where the store puts it: <document id>/original, and nowhere else.
    files = _files_under(service_env.resolved_store_dir)
    assert len(files) == len(PATH_TRICKS)
    assert all(f.endswith("/original") and f.count("/") == 1 for f in files)
    assert not (service_env.resolved_store_dir.parent / "etc").exists()


def _peak_traced_bytes(consume: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        consume()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_pages_are_decoded_one_at_a_time() -> None:
    """A long file of large pages holds one decoded page at a time, not all of them."""
    pages, size = 6, (3000, 4000)  # 12 MB per decoded page
    data = multipage_tiff(pages, size)
    shapes: list[tuple[int, ...]] = []

    def one_at_a_time() -> None:
        for page in iter_pages(data, "long.tif", 50):
            shapes.append(page.image.shape)
            del page

    lazy = _peak_traced_bytes(one_at_a_time)
    eager = _peak_traced_bytes(lambda: split_pages(data, "long.tif", 50))
    assert shapes == [(size[1], size[0])] * pages
    assert eager > pages * size[0] * size[1]  # all six at once: the comparison can fail
    assert lazy < eager / 2


def test_whole_file_is_checked_before_the_first_page_is_decoded() -> None:
    from intake.errors import UnsupportedFile

    frames = [Image.new("1", (620, 877), 1), Image.new("1", (40_000, 40_000), 1)]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="group4")
    with pytest.raises(UnsupportedFile) as caught:
        iter_pages(data, "second-page-bomb.tif", 50)
    assert caught.value.code == "image_too_large"


# --- the 1 GB upload ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _body(total: int) -> Iterator[bytes]:
    """``total`` bytes of 'PDF' in 64 KiB pieces, generated as they are sent."""
    piece = b"\x00" * (64 * 1024)
    yield b"%PDF-1.4\n"
    sent = 9
    while sent < total:
        part = piece[: total - sent]
        sent += len(part)
        yield part


def _post_huge(port: int, token: str, total: int, declare_length: bool) -> tuple[int, dict, int]:
    """POST a multipart body of ``total`` file bytes over a raw socket; stop sending as soon
    as the server answers. Returns (status, JSON body, file bytes sent)."""
    boundary = "hostile-upload-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    lines = [
        "POST /api/v1/documents HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Authorization: Bearer {token}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        "Connection: close",
        f"Content-Length: {len(head) + total + len(tail)}"
        if declare_length
        else "Transfer-Encoding: chunked",
    ]
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        for piece in [head, *_body(total), tail]:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered: stop sending, as a browser would
            frame = piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece)
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        response = bytearray()
        try:
            while chunk := sock.recv(65536):
                response += chunk
        except ConnectionResetError:
            pass
    header, _, body = bytes(response).partition(b"\r\n\r\n")
    status = int(header.split(b" ", 2)[1])
    return status, json.loads(body), sent


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.slow
def test_one_gigabyte_upload_is_refused_early(service_env: Settings, tmp_path: Path) -> None:
    token = create_token("station-big", "station")
    port = _free_port()
    scratch = tmp_path / "server-tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api:app", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.2)
        limit = service_env.max_upload_bytes

        status, body, sent = _post_huge(port, token, GIB, declare_length=True)
        assert (status, body["detail"]["code"]) == (413, "too_large")
        # Refused on the header: what was sent fits in the socket buffers, far below the limit.
        assert sent < 16 * MIB

        status, body, sent = _post_huge(port, token, GIB, declare_length=False)
        assert (status, body["detail"]["code"]) == (413, "too_large")
        assert body["detail"]["reason"]
        assert sent < limit + 32 * MIB  # cut off at the limit, not read to the end

        assert _peak_rss_mb(server.pid) < 400  # never held in memory
        assert server.poll() is None  # still serving
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(30)
    assert _files_under(scratch) == []
    assert _files_under(service_env.resolved_store_dir) == []
    with session_scope() as session:
        assert session.query(Document).count() == 0
