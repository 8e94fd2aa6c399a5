"""Review screens over HTTP (R15, R30, R31, R33, R34): a real app on a temporary database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.commands.users import add_user
from intake.settings import Settings, get_settings
from ocr.result import DOUBT_MESSAGES_JA, DOUBTS
from review_ui.auth import MAX_FAILED_LOGINS
from review_ui.masking import mask
from review_ui.models import ReviewSession
from review_ui.sample_data import seed_document
from storage.db import session_scope
from storage.models import AuditEvent, Document, FieldValue, User
from storage.status import DocumentStatus
from storage.store import get_store

PASSWORD = "correct horse battery"


@pytest.fixture
def review_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("TAX_INTAKE_SESSION_SECRET", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def app(review_env: Settings):  # type: ignore[no-untyped-def]
    from api import create_app

    return create_app()


@pytest.fixture
def users(review_env: Settings) -> None:
    add_user("tanaka", "corrector", PASSWORD)
    add_user("suzuki", "corrector", PASSWORD, may_see_my_number=True)
    add_user("sato", "checker", PASSWORD, may_see_my_number=True)
    add_user("kato", "auditor", PASSWORD)
    add_user("boss", "supervisor", PASSWORD, may_see_my_number=True)


@pytest.fixture
def document_id(review_env: Settings) -> str:
    with session_scope() as db:
        return seed_document(db, get_store(), "kyuyo_kojinbetsu", seed=3).id


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/login", data={"username": name, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def csrf(client: TestClient, path: str = "/review") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def my_number_fields(document_id: str) -> dict[int, str]:
    """Field id → 個人番号 of every filled 個人番号 field of the document."""
    with session_scope() as db:
        return {
            fv.id: fv.value
            for fv in db.scalars(
                select(FieldValue).where(
                    FieldValue.document_id == document_id, FieldValue.field_type == "my_number"
                )
            )
            if fv.value
        }


def my_numbers(document_id: str) -> list[str]:
    return list(my_number_fields(document_id).values())


def test_login_refuses_wrong_password_and_locks_after_repeats(app, users) -> None:
    client = TestClient(app)
    response = client.post("/login", data={"username": "tanaka", "password": "nope"})
    assert response.status_code == 401
    assert "パスワード" in response.text
    assert client.get("/review", follow_redirects=False).headers["location"].startswith("/login")
    for _ in range(MAX_FAILED_LOGINS):
        client.post("/login", data={"username": "tanaka", "password": "nope"})
    # Locked now: even the right password is refused until a supervisor unlocks.
    response = client.post("/login", data={"username": "tanaka", "password": PASSWORD})
    assert response.status_code == 401
    with session_scope() as db:
        actions = list(db.scalars(select(AuditEvent.action)))
    assert actions.count("login_failed") == MAX_FAILED_LOGINS + 2


def test_login_logout_and_expired_account(app, users, review_env) -> None:
    client = TestClient(app)
    login(client, "tanaka")
    assert client.get("/review").status_code == 200
    token = csrf(client)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/review", follow_redirects=False).status_code == 303
    with session_scope() as db:
        assert db.scalar(select(ReviewSession)) is None

    login(client, "tanaka")
    with session_scope() as db:  # R35: expired today, refused at once
        user = db.scalar(select(User).where(User.username == "tanaka"))
        assert user is not None
        from storage.models import utcnow

        user.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/review", follow_redirects=False).headers["location"].startswith("/login")


def test_session_survives_a_restart(app, users, review_env) -> None:
    from api import create_app

    client = TestClient(app)
    login(client, "tanaka")
    restarted = TestClient(create_app(), cookies=dict(client.cookies))
    assert restarted.get("/review").status_code == 200


def test_idle_session_locks_and_password_unlocks(app, users) -> None:
    client = TestClient(app)
    login(client, "tanaka")
    token = csrf(client)
    with session_scope() as db:
        row = db.scalar(select(ReviewSession))
        assert row is not None
        row.last_seen_at = row.last_seen_at - timedelta(minutes=6)
    response = client.get("/review", follow_redirects=False)
    assert response.headers["location"].startswith("/lock")
    assert client.post(
        "/documents/x/confirm",
        json={"field_ids": []},
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    ).json() == {"locked": True}
    bad = client.post("/unlock", data={"csrf_token": token, "password": "wrong"})
    assert bad.status_code == 401
    ok = client.post(
        "/unlock", data={"csrf_token": token, "password": PASSWORD}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert client.get("/review").status_code == 200


@pytest.mark.parametrize(
    ("user", "path", "expected"),
    [
        ("kato", "/review", 403),
        ("sato", "/review", 403),
        ("tanaka", "/review", 200),
        ("boss", "/review", 200),
        ("kato", "/documents/{doc}", 403),
        ("tanaka", "/check", 403),
        ("sato", "/check", 200),
        ("sato", "/resolve", 403),
        ("kato", "/check", 403),
        ("kato", "/documents/{doc}/pages/1/image", 403),
        ("sato", "/documents/{doc}", 403),
    ],
)
def test_permissions_per_role(app, users, document_id, user, path, expected) -> None:
    client = TestClient(app)
    login(client, user)
    response = client.get(path.format(doc=document_id), follow_redirects=False)
    assert response.status_code == expected


def test_every_screen_requires_login(app, users, document_id) -> None:
    client = TestClient(app)
    for path in (
        "/",
        "/review",
        f"/documents/{document_id}",
        f"/documents/{document_id}/pages/1/image",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.post(f"/documents/{document_id}/approve", json={}).status_code == 401


def test_my_number_is_masked_for_a_user_without_the_right(app, users, document_id) -> None:
    numbers = my_numbers(document_id)
    assert numbers
    client = TestClient(app)
    login(client, "tanaka")
    page = client.get(f"/documents/{document_id}").text
    for number in numbers:
        assert number not in page
        assert mask(number) in page
    token = csrf(client, f"/documents/{document_id}")
    field_id = next(i for i, v in my_number_fields(document_id).items() if v == numbers[0])
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    reveal = client.post(f"/documents/{document_id}/fields/{field_id}/reveal", headers=headers)
    assert reveal.status_code == 403 and numbers[0] not in reveal.text
    edit = client.post(
        f"/documents/{document_id}/fields/{field_id}", json={"text": "123"}, headers=headers
    )
    assert edit.status_code == 422
    # Live validation answers never carry the number either.
    state = client.post(
        f"/documents/{document_id}/fields/{field_id - 1}/validate",
        json={"text": ""},
        headers=headers,
    )
    for number in numbers:
        assert number not in state.text


def test_entitled_user_reveals_explicitly_and_it_is_audited(app, users, document_id) -> None:
    number = my_numbers(document_id)[0]
    client = TestClient(app)
    login(client, "suzuki")
    page = client.get(f"/documents/{document_id}").text
    assert number not in page  # masked until revealed, even with the right
    token = csrf(client, f"/documents/{document_id}")
    field_id = next(i for i, v in my_number_fields(document_id).items() if v == number)
    response = client.post(
        f"/documents/{document_id}/fields/{field_id}/reveal",
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert response.json() == {"text": number}
    with session_scope() as db:
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "reveal_my_number"))
        assert event is not None and event.actor == "suzuki"
        assert number not in str(event.detail)


def test_image_is_redacted_without_the_right(app, users, document_id) -> None:
    import io

    from PIL import Image, ImageChops

    plain = TestClient(app)
    login(plain, "tanaka")
    entitled = TestClient(app)
    login(entitled, "suzuki")
    redacted = Image.open(io.BytesIO(plain.get(f"/documents/{document_id}/pages/1/image").content))
    clear = Image.open(io.BytesIO(entitled.get(f"/documents/{document_id}/pages/1/image").content))
    assert redacted.size == clear.size
    assert ImageChops.difference(redacted.convert("L"), clear.convert("L")).getbbox() is not None


def test_csrf_token_is_required(app, users, document_id) -> None:
    client = TestClient(app)
    login(client, "tanaka")
    response = client.post(
        f"/documents/{document_id}/approve", json={}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 403


def test_queue_lists_waiting_documents_oldest_first(app, users, review_env) -> None:
    with session_scope() as db:
        newer = seed_document(db, get_store(), "nenkin_kojinbetsu", seed=5).id
        older = seed_document(
            db, get_store(), "kyuyo_kojinbetsu", seed=6, received_at_offset=timedelta(hours=-1)
        ).id
    client = TestClient(app)
    login(client, "tanaka")
    page = client.get("/review").text
    assert page.index(older) < page.index(newer)
    assert "公的年金等支払報告書" in page


def _fields(document_id: str) -> list[FieldValue]:
    with session_scope() as db:
        return list(db.scalars(select(FieldValue).where(FieldValue.document_id == document_id)))


def test_edit_revalidates_and_approval_waits_for_a_clean_record(app, users, document_id) -> None:
    from ocr.synth import make_sample

    truth = make_sample("kyuyo_kojinbetsu", 3).truth
    misread = next(fv for fv in _fields(document_id) if fv.value != truth.get(fv.name))
    client = TestClient(app)
    login(client, "suzuki")
    token = csrf(client, f"/documents/{document_id}")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    base = f"/documents/{document_id}"

    refused = client.post(f"{base}/approve", json={}, headers=headers)
    assert refused.status_code == 422 and "エラー" in refused.json()["message"]

    bad = client.post(f"{base}/fields/{misread.id}/validate", json={"text": "12x"}, headers=headers)
    assert bad.status_code == 422 and "金額" in bad.json()["message"]
    live = client.post(
        f"{base}/fields/{misread.id}/validate",
        json={"text": f"{truth[misread.name]:,}"},
        headers=headers,
    ).json()
    assert not any(f["severity"] == "error" for x in live["fields"] for f in x["findings"])
    assert _fields(document_id)[0].source == "ocr"  # live validation saves nothing

    saved = client.post(
        f"{base}/fields/{misread.id}", json={"text": f"{truth[misread.name]:,}"}, headers=headers
    )
    assert saved.status_code == 200
    fixed = next(fv for fv in _fields(document_id) if fv.id == misread.id)
    assert (fixed.value, fixed.source, fixed.needs_review) == (truth[misread.name], "human", False)
    assert all(not fv.issues for fv in _fields(document_id))

    waiting = client.post(f"{base}/approve", json={}, headers=headers)
    assert waiting.status_code == 422 and "未確認" in waiting.json()["message"]
    unconfirmed = [fv.id for fv in _fields(document_id) if fv.needs_review]
    assert client.post(
        f"{base}/confirm", json={"field_ids": unconfirmed}, headers=headers
    ).is_success

    approved = client.post(f"{base}/approve", json={}, headers=headers)
    if approved.status_code == 409:  # warnings need an explicit yes
        approved = client.post(
            f"{base}/approve", json={"acknowledge_warnings": True}, headers=headers
        )
    assert approved.status_code == 200, approved.text
    assert approved.json()["double_check"] is True  # R16: amounts and 個人番号 go twice
    with session_scope() as db:
        doc = db.get(Document, document_id)
        assert doc is not None
        actions = [
            e.action
            for e in db.scalars(select(AuditEvent).where(AuditEvent.document_id == document_id))
        ]
    assert doc.status == DocumentStatus.NEEDS_REVIEW
    assert {"view", "edit", "confirm", "approve"} <= set(actions)
    # Handed to the double check, the first entry is frozen.
    late = client.post(f"{base}/fields/{misread.id}", json={"text": "1"}, headers=headers)
    assert late.status_code == 422


def _approve_first_entry(client: TestClient, document_id: str) -> dict[str, str]:
    """The first person confirms everything and approves; returns the JSON headers used."""
    token = csrf(client, f"/documents/{document_id}")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    ids = [fv.id for fv in _fields(document_id)]
    assert client.post(
        f"/documents/{document_id}/confirm", json={"field_ids": ids}, headers=headers
    ).is_success
    response = client.post(
        f"/documents/{document_id}/approve", json={"acknowledge_warnings": True}, headers=headers
    )
    assert response.status_code == 200, response.text
    return headers


@pytest.fixture
def clean_document_id(review_env: Settings) -> str:
    with session_scope() as db:
        return seed_document(db, get_store(), "kyuyo_kojinbetsu", seed=8, misread=False).id


def _marked(document_id: str) -> dict[int, object]:
    from review_ui.double_check import DOUBLE_CHECK_TYPES

    return {
        fv.id: fv.value
        for fv in _fields(document_id)
        if fv.field_type in DOUBLE_CHECK_TYPES and fv.value is not None
    }


def test_blind_double_check_hides_the_first_entry_and_approves_on_match(
    app, users, clean_document_id
) -> None:
    doc_id = clean_document_id
    first = TestClient(app)
    login(first, "suzuki")
    _approve_first_entry(first, doc_id)
    assert doc_id not in first.get("/review").text  # handed on, out of the correction queue

    checker = TestClient(app)
    login(checker, "sato")
    assert doc_id in checker.get("/check").text
    page = checker.get(f"/check/{doc_id}")
    assert page.status_code == 200
    marked = _marked(doc_id)
    assert marked
    for value in marked.values():
        assert f'value="{value}"' not in page.text
        if isinstance(value, str):
            assert value not in page.text and mask(value) not in page.text
    headers = {"X-CSRF-Token": csrf(checker, "/check"), "Accept": "application/json"}
    incomplete = checker.post(f"/check/{doc_id}", json={"values": {}}, headers=headers)
    assert incomplete.status_code == 422
    typed = {fid: f"{v:,}" if isinstance(v, int) else str(v) for fid, v in marked.items()}
    done = checker.post(f"/check/{doc_id}", json={"values": typed}, headers=headers)
    assert done.json()["differences"] == 0
    with session_scope() as db:
        doc = db.get(Document, doc_id)
        user = db.scalar(select(User).where(User.username == "suzuki"))
        assert doc is not None and user is not None
        assert doc.status == DocumentStatus.APPROVED and doc.approved_by == user.id


def test_same_person_cannot_make_both_entries(app, users, clean_document_id) -> None:
    from review_ui.models import DoubleCheck

    first = TestClient(app)
    login(first, "suzuki")
    _approve_first_entry(first, clean_document_id)
    with session_scope() as db:  # as if sato had made the first entry under another role
        sato = db.scalar(select(User).where(User.username == "sato"))
        check = db.get(DoubleCheck, clean_document_id)
        assert sato is not None and check is not None
        check.first_by = sato.id
    checker = TestClient(app)
    login(checker, "sato")
    assert clean_document_id not in checker.get("/check").text
    assert checker.get(f"/check/{clean_document_id}").status_code == 403
    headers = {"X-CSRF-Token": csrf(checker, "/check"), "Accept": "application/json"}
    values = {fid: str(v) for fid, v in _marked(clean_document_id).items()}
    refused = checker.post(f"/check/{clean_document_id}", json={"values": values}, headers=headers)
    assert refused.status_code == 403


def test_mismatch_goes_to_the_resolve_step(app, users, clean_document_id) -> None:
    doc_id = clean_document_id
    first = TestClient(app)
    login(first, "suzuki")
    _approve_first_entry(first, doc_id)
    marked = _marked(doc_id)
    amount_id = next(fid for fid, v in marked.items() if isinstance(v, int))
    checker = TestClient(app)
    login(checker, "sato")
    headers = {"X-CSRF-Token": csrf(checker, "/check"), "Accept": "application/json"}
    typed = {fid: str(v) for fid, v in marked.items()}
    typed[amount_id] = str(int(marked[amount_id]) + 1000)  # type: ignore[call-overload]
    result = checker.post(f"/check/{doc_id}", json={"values": typed}, headers=headers)
    assert result.json()["differences"] == 1

    boss = TestClient(app)
    login(boss, "boss")
    assert doc_id in boss.get("/resolve").text
    page = boss.get(f"/resolve/{doc_id}").text
    assert f"{int(marked[amount_id]) + 1000:,}" in page  # type: ignore[call-overload]
    assert checker.get(f"/resolve/{doc_id}").status_code == 403  # the checker may not resolve
    headers = {"X-CSRF-Token": csrf(boss), "Accept": "application/json"}
    resolved = boss.post(
        f"/resolve/{doc_id}", json={"values": {amount_id: str(marked[amount_id])}}, headers=headers
    )
    assert resolved.json()["approved"] is True
    with session_scope() as db:
        doc = db.get(Document, doc_id)
        assert doc is not None and doc.status == DocumentStatus.APPROVED
        actions = {
            e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.document_id == doc_id))
        }
    assert {"approve", "double_check", "resolve"} <= actions


def test_warnings_ask_for_confirmation_before_approval(app, users, clean_document_id) -> None:
    doc_id = clean_document_id
    client = TestClient(app)
    login(client, "suzuki")
    headers = {"X-CSRF-Token": csrf(client, f"/documents/{doc_id}"), "Accept": "application/json"}
    address = next(fv for fv in _fields(doc_id) if fv.name == "recipient_address")
    # A machine-dependent character is a warning (some systems cannot take it), not an error.
    saved = client.post(
        f"/documents/{doc_id}/fields/{address.id}",
        json={"text": f"{address.value}①"},
        headers=headers,
    )
    row = next(f for f in saved.json()["fields"] if f["id"] == address.id)
    assert [f["severity"] for f in row["findings"]] == ["warning"]
    ids = [fv.id for fv in _fields(doc_id)]
    client.post(f"/documents/{doc_id}/confirm", json={"field_ids": ids}, headers=headers)
    asked = client.post(f"/documents/{doc_id}/approve", json={}, headers=headers)
    assert asked.status_code == 409 and "機種依存文字" in asked.json()["warnings"][0]
    with session_scope() as db:
        assert db.get(Document, doc_id).status == DocumentStatus.NEEDS_REVIEW  # type: ignore[union-attr]
    yes = client.post(
        f"/documents/{doc_id}/approve", json={"acknowledge_warnings": True}, headers=headers
    )
    assert yes.status_code == 200


def test_every_reason_for_review_has_words_on_the_screen() -> None:
    assert set(DOUBT_MESSAGES_JA) == set(DOUBTS)


def test_the_reasons_ocr_gave_are_shown_until_a_person_enters_the_value(
    app, users, document_id
) -> None:
    doubted = [fv for fv in _fields(document_id) if fv.doubts]
    assert doubted and all(fv.doubts == ["uncertain"] for fv in doubted)
    client = TestClient(app)
    login(client, "suzuki")
    base = f"/documents/{document_id}"
    reasons = re.compile(r'<ul class="doubts"[^>]*>(.*?)</ul>')
    shown = reasons.findall(client.get(base).text)
    assert len(shown) == len(doubted) and all("認識の確かさが低い" in r for r in shown)

    entered = next(fv for fv in doubted if fv.field_type != "my_number")
    headers = {"X-CSRF-Token": csrf(client, base), "Accept": "application/json"}
    text = "" if entered.value is None else str(entered.value)
    saved = client.post(f"{base}/fields/{entered.id}", json={"text": text}, headers=headers)
    assert saved.is_success, saved.text
    assert len(reasons.findall(client.get(base).text)) == len(doubted) - 1


def test_an_open_document_is_not_handed_to_a_second_corrector(app, users, review_env) -> None:
    with session_scope() as db:
        older = seed_document(
            db, get_store(), "nenkin_kojinbetsu", seed=1, received_at_offset=timedelta(hours=-2)
        ).id
        newer = seed_document(db, get_store(), "nenkin_kojinbetsu", seed=2).id
    first = TestClient(app)
    login(first, "tanaka")
    assert first.get("/review/next", follow_redirects=False).headers["location"].endswith(older)
    first.get(f"/documents/{older}")
    second = TestClient(app)
    login(second, "suzuki")
    assert second.get("/review/next", follow_redirects=False).headers["location"].endswith(newer)
    assert "tanaka" in second.get("/review").text  # shown as open elsewhere
    assert "tanaka さんがこの帳票を開いています" in second.get(f"/documents/{older}").text


def test_redaction_greys_number_boxes_but_keeps_a_public_corporate_number() -> None:
    import io

    from PIL import Image

    from ocr.layout import load_layout
    from review_ui.masking import box_px, redact_page

    layout = load_layout("kyuyo_kojinbetsu")
    blank = layout.blank_image_path.read_bytes()
    payer = next(s for s in layout.fields if s.type == "number_any")
    recipient = next(s for s in layout.fields if s.type == "my_number")

    def centre(png: bytes, spec) -> int:  # type: ignore[no-untyped-def]
        left, top, right, bottom = box_px(spec.box_mm)
        grey = Image.open(io.BytesIO(png)).convert("L")
        pixel = grey.getpixel(((left + right) // 2, (top + bottom) // 2))
        assert isinstance(pixel, int)
        return pixel

    redacted = redact_page(blank, "kyuyo_kojinbetsu", public=frozenset({payer.name}))
    assert centre(redacted, recipient) == 160 != centre(blank, recipient)
    assert centre(redacted, payer) == centre(blank, payer)
    assert centre(redact_page(blank, "kyuyo_kojinbetsu"), payer) == 160
    withheld = redact_page(blank, None)
    assert Image.open(io.BytesIO(withheld)).convert("L").getextrema() == (160, 160)
