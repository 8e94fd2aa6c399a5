"""End to end on real components: ``serve`` starts the web app, a real Redis and a real worker;
a slip goes in over HTTP, is corrected, double-checked, approved and comes out as 統一CSV.

Runs on the embedded defaults (SQLite and the private Redis that ``serve`` starts itself) and,
when TEST_DATABASE_URL is set, on PostgreSQL with an external Redis.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from ocr.synth import make_sample, write_sample

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
MUNICIPALITY = "132080"
BACKENDS = ["embedded"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    def __init__(self, env: dict[str, str], base_url: str, database_url: str) -> None:
        self.env, self.base_url, self.database_url = env, base_url, database_url

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "intake", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def fields(self, document_id: str) -> dict[str, dict[str, Any]]:
        """Field ids and values as stored (read-only look into the service's database)."""
        engine = create_engine(self.database_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, name, field_type FROM field_value WHERE document_id = :d"),
                {"d": document_id},
            ).all()
        engine.dispose()
        return {name: {"id": fid, "type": ftype} for fid, name, ftype in rows}


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    port = _free_port()
    # As a new user starts it: no database, Redis, store or master key configured.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "STORE_DIR")
        and not k.startswith("TAX_INTAKE_MASTER_KEY")
    }
    env.update(
        TAX_INTAKE_VAR_DIR=str(tmp_path / "var"),
        TAX_INTAKE_PORT=str(port),
        TAX_INTAKE_EXPORT_MUNICIPALITY_CODE=MUNICIPALITY,
        TAX_INTAKE_LOG_FORMAT="text",
    )
    database_url = f"sqlite:///{tmp_path / 'var' / 'tax-intake.sqlite3'}"
    if request.param == "postgresql":
        database_url = request.getfixturevalue("clean_postgres_url")
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL=request.getfixturevalue("redis_url"),
            TAX_INTAKE_MASTER_KEY=os.environ["TAX_INTAKE_MASTER_KEY"],  # external: key required
        )
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "intake", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "service did not become ready"
            time.sleep(0.3)
        yield Service(env, base_url, database_url)
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def login(base_url: str, username: str, password: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base_url, follow_redirects=True, timeout=30)
    page = client.post("/login", data={"username": username, "password": password, "next": "/"})
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, "no CSRF token on the first screen after login"
    return client, match.group(1)


def as_typed(value: Any) -> str:
    """What a person types for a normalized value."""
    if value is True:
        return "1"
    return "" if value is None else str(value)


def test_slip_from_scan_to_csv(service: Service, tmp_path: Path) -> None:
    station = service.cli("tokens", "add", "station-e2e", "--kind", "station")
    feed = service.cli("tokens", "add", "filing-e2e", "--kind", "feed")
    service.cli(
        "users",
        "add",
        "corrector1",
        "--role",
        "corrector",
        "--may-see-my-number",
        "--password-stdin",
        stdin="Correct-Horse-42\n",
    )
    service.cli(
        "users",
        "add",
        "checker1",
        "--role",
        "checker",
        "--may-see-my-number",
        "--password-stdin",
        stdin="Battery-Staple-42\n",
    )

    # 1. A scanning station uploads a slip.
    sample = make_sample("kyuyo_kojinbetsu", seed=7, condition="clean")
    scan = write_sample(sample, tmp_path / "slip.pdf")
    with scan.open("rb") as handle:
        upload = httpx.post(
            f"{service.base_url}/api/v1/documents",
            headers={"Authorization": f"Bearer {station}"},
            files={"file": ("slip.pdf", handle)},
            timeout=60,
        )
    assert upload.status_code == 201, upload.text
    document_id = upload.json()["id"]

    # 2. The worker reads it.
    deadline = time.monotonic() + 180
    while True:
        status = httpx.get(
            f"{service.base_url}/api/v1/documents/{document_id}",
            headers={"Authorization": f"Bearer {station}"},
        ).json()
        if status["status"] not in ("received", "processing"):
            break
        assert time.monotonic() < deadline, "worker did not finish the slip"
        time.sleep(0.5)
    assert status["status"] == "needs_review", status
    assert status["form_id"] == "kyuyo_kojinbetsu"

    # 3. A corrector fixes what is wrong, confirms the rest and approves.
    fields = service.fields(document_id)
    corrector, csrf = login(service.base_url, "corrector1", "Correct-Horse-42")
    screen = corrector.get(f"/documents/{document_id}")
    assert screen.status_code == 200
    headers = {"X-CSRF-Token": csrf}
    for name, field in fields.items():
        response = corrector.post(
            f"/documents/{document_id}/fields/{field['id']}",
            json={"text": as_typed(sample.truth.get(name))},
            headers=headers,
        )
        assert response.status_code == 200, (name, response.text)
    confirmed = corrector.post(
        f"/documents/{document_id}/confirm",
        headers=headers,
        json={"field_ids": [f["id"] for f in fields.values()]},
    )
    assert confirmed.status_code == 200, confirmed.text
    approved = corrector.post(
        f"/documents/{document_id}/approve", headers=headers, json={"acknowledge_warnings": True}
    )
    assert approved.status_code == 200, approved.text

    # 4. A second person re-enters amounts and 個人番号 blind (R16).
    checker, checker_csrf = login(service.base_url, "checker1", "Battery-Staple-42")
    blind = checker.get(f"/check/{document_id}")
    assert blind.status_code == 200
    ids = {int(i) for i in re.findall(r'data-id="(\d+)"', blind.text)}
    by_id = {f["id"]: name for name, f in fields.items()}
    entries = {str(i): as_typed(sample.truth.get(by_id[i])) for i in ids}
    checked = checker.post(
        f"/check/{document_id}", json={"values": entries}, headers={"X-CSRF-Token": checker_csrf}
    )
    assert checked.status_code == 200, checked.text
    status = httpx.get(
        f"{service.base_url}/api/v1/documents/{document_id}",
        headers={"Authorization": f"Bearer {station}"},
    ).json()
    assert status["status"] == "approved"

    # 5. The filing system pulls the export.
    feed_headers = {"Authorization": f"Bearer {feed}"}
    listing = httpx.get(f"{service.base_url}/api/v1/feed/exports?after=0", headers=feed_headers)
    assert listing.status_code == 200, listing.text
    batches = listing.json()["exports"]
    assert len(batches) == 1
    seq = batches[0]["seq"]
    body = httpx.get(f"{service.base_url}/api/v1/feed/exports/{seq}.csv", headers=feed_headers)
    assert body.status_code == 200
    assert body.content.endswith(b"\r\n") and body.content.count(b"\r\n") == 1
    items = next(csv.reader(io.StringIO(body.content.decode("cp932"), newline="")))
    truth = sample.truth
    assert len(items) == (147 if int(truth["year"]) >= 7 else 144)  # 令和7年分 / 令和6年分 layout
    assert items[10] == f"{truth['year']:02d}"
    assert items[0] == "315"
    assert items[13] == truth["recipient_name"]
    assert items[16] == str(truth.get("payment_amount", ""))
    assert items[138] == MUNICIPALITY
    assert (
        httpx.post(
            f"{service.base_url}/api/v1/feed/exports/{seq}/ack", headers=feed_headers
        ).status_code
        == 200
    )
