"""Hot-folder client for scanning stations: upload what the scanner drops in a folder.

Its log names document ids, never file names: a station may name scans after people.

A file moves to ``sent/`` only after the server confirmed receipt (HTTP 200/201 with an id),
to ``failed/`` (with a ``.reason.txt`` beside it) when the server refused it for good (4xx),
and stays where it is, to be tried again, when the server could not be reached (5xx, network).
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

SCAN_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}


def _stable(path: Path, settle_seconds: float) -> bool:
    """A scanner may still be writing: wait until the file has not changed for a moment."""
    return time.time() - path.stat().st_mtime >= settle_seconds


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{int(time.time() * 1000)}{path.suffix}"
    shutil.move(str(path), target)
    return target


def upload_once(folder: Path, client: httpx.Client, url: str, settle_seconds: float = 1.0) -> int:
    """One pass over the folder; returns how many files the server confirmed."""
    confirmed = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in SCAN_SUFFIXES:
            continue
        if not _stable(path, settle_seconds):
            continue
        try:
            with path.open("rb") as handle:
                response = client.post(url, files={"file": (path.name, handle)})
        except httpx.HTTPError as exc:
            log.warning("server not reachable (%s); will retry", exc)
            return confirmed
        if response.status_code in (200, 201) and "id" in response.json():
            target = _move(path, folder / "sent")
            log.info("file received as document %s", response.json()["id"])
            (target.parent / f"{target.name}.receipt.txt").write_text(response.json()["id"])
            confirmed += 1
        elif 400 <= response.status_code < 500 and response.status_code not in (401, 408, 429):
            target = _move(path, folder / "failed")
            (target.parent / f"{target.name}.reason.txt").write_text(response.text)
            log.warning("a file was refused (%s); see failed/", response.status_code)
        else:
            log.warning("server answered %s; will retry", response.status_code)
    return confirmed


def watch(
    folder: Path, base_url: str, token: str, interval: float = 2.0, once: bool = False
) -> None:
    """Upload new files from ``folder`` to ``base_url`` forever (or one pass with ``once``)."""
    url = base_url.rstrip("/") + "/api/v1/documents"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        while True:
            upload_once(folder, client, url, settle_seconds=0 if once else 1.0)
            if once:
                return
            time.sleep(interval)
