"""The document screen in a real browser (Debian chromium via Playwright): keyboard-only
correction and approval, live validation, 個人番号 masking, idle lock (issue 5, R15, R31, R34).

Set REVIEW_SCREENSHOT=path/review.png to also save the screens at 1366×768 (the document
screen there; queue.png, check.png and resolve.png beside it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("playwright.sync_api")

from bench.browser_session import (  # noqa: E402
    CHROMIUM,
    launch_browser,
    open_page,
    serve_app,
    settle,
)

if not shutil.which(CHROMIUM):
    pytest.skip("Debian chromium is not installed", allow_module_level=True)

from sqlalchemy import select  # noqa: E402

from intake.commands.users import add_user  # noqa: E402
from intake.settings import Settings, get_settings  # noqa: E402
from review_ui.sample_data import seed_document  # noqa: E402
from storage.db import session_scope  # noqa: E402
from storage.models import Document, FieldValue  # noqa: E402
from storage.status import DocumentStatus  # noqa: E402
from storage.store import get_store  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture
def live_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def server(live_env: Settings) -> Iterator[str]:
    """The app served by uvicorn in a thread of this process (bench.browser_session)."""
    with serve_app() as url:
        yield url


@pytest.fixture
def browser() -> Iterator[object]:
    with launch_browser() as instance:
        yield instance


def _page(browser, server: str, user: str, home: str = "**/review"):  # type: ignore[no-untyped-def]
    return open_page(browser, server, user, PASSWORD, home)


def test_keyboard_only_correction_and_approval(server, browser) -> None:
    from ocr.synth import make_sample

    add_user("suzuki", "corrector", PASSWORD, may_see_my_number=True)
    with session_scope() as db:
        first = seed_document(db, get_store(), "kyuyo_kojinbetsu", seed=3).id
        second = seed_document(db, get_store(), "nenkin_kojinbetsu", seed=4).id
    truth = make_sample("kyuyo_kojinbetsu", 3).truth
    page = _page(browser, server, "suzuki")
    screenshot = os.environ.get("REVIEW_SCREENSHOT")
    if screenshot:
        page.screenshot(path=str(Path(screenshot).with_name("queue.png")))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/documents/{first}")

    # The cursor starts on the first field that needs a look: the one with the error.
    focused = page.evaluate("document.activeElement.closest('.field').dataset.group")
    assert focused == "error"
    # Why OCR asked for a look is shown beside each such field ...
    assert page.locator(".field .doubts:visible").count() > 0
    if screenshot:
        page.wait_for_function("document.querySelector('.page-image').complete")
        page.screenshot(path=screenshot)
        # 125 % browser zoom on the same screen: fewer CSS pixels, each drawn larger.
        zoomed = browser.new_context(
            viewport={"width": 1093, "height": 614}, device_scale_factor=1.25, locale="ja-JP"
        ).new_page()
        zoomed.context.add_cookies(page.context.cookies())
        zoomed.goto(f"{server}/documents/{first}")
        zoomed.wait_for_timeout(500)
        zoomed.screenshot(path=screenshot.replace(".png", "-125.png"))

    with session_scope() as db:
        fields = {
            fv.id: fv
            for fv in db.scalars(select(FieldValue).where(FieldValue.document_id == first))
        }
    wrong = next(fv for fv in fields.values() if fv.value != truth.get(fv.name))
    # Walk the fields with Enter until the misread one; fix it by typing; then go on.
    for _ in range(len(fields)):
        current = int(page.evaluate("document.activeElement.closest('.field').dataset.id"))
        if current == wrong.id:
            row = f".field[data-id='{wrong.id}']"
            page.keyboard.press("Control+A")
            page.keyboard.type("9x")  # not an amount: shown at once, while typing
            page.wait_for_selector(f"{row}.bad-format")
            page.keyboard.press("Escape")  # revert: the OCR value is back
            page.wait_for_function(
                f"document.getElementById('f{wrong.id}').value === '{wrong.value:,}'"
            )
            page.wait_for_selector(f"{row}:not(.bad-format)")
            page.keyboard.press("Control+A")
            page.keyboard.type(f"{truth[wrong.name]:,}")
            # Live validation clears the arithmetic error before anything is saved.
            page.wait_for_function("document.querySelectorAll('.field.has-error').length === 0")
            page.keyboard.press("Enter")
            break
        page.keyboard.press("Enter")
        settle(page)
    # Confirm every remaining field that needs a look, with Enter only.
    for _ in range(len(fields)):
        if page.evaluate("document.querySelectorAll('.field.needs-review').length") == 0:
            break
        page.focus(".field.needs-review .value:not([disabled])")
        page.keyboard.press("Enter")
        settle(page)
    # ... until the field is confirmed.
    assert page.locator(".field .doubts:visible").count() == 0
    # The rest, as a group, by its key (「まとめて確認」) from wherever the cursor is.
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_function(
        "document.getElementById('toast').textContent.includes('確認済みにしました')"
    )
    page.keyboard.press("Control+Enter")
    if page.is_visible("#confirm-dialog"):
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/documents/{second}")
    with session_scope() as db:
        doc = db.get(Document, first)
        assert doc is not None
        assert doc.status in (DocumentStatus.APPROVED, DocumentStatus.NEEDS_REVIEW)
        fixed = db.get(FieldValue, wrong.id)
        assert fixed is not None and fixed.value == truth[wrong.name] and fixed.source == "human"
    assert errors == []
    assert not any("cdn" in url or not url.startswith(server) for url in requests)


def test_idle_screen_locks_and_unlocks_with_the_password(server, browser) -> None:
    add_user("tanaka", "corrector", PASSWORD)
    with session_scope() as db:
        document_id = seed_document(db, get_store(), "nenkin_kojinbetsu", seed=2).id
    page = _page(browser, server, "tanaka")
    page.clock.install()
    page.goto(f"{server}/documents/{document_id}")
    assert page.is_hidden("#lock")
    page.clock.fast_forward("04:00")
    assert page.is_hidden("#lock")  # not yet
    page.clock.fast_forward("01:10")
    page.wait_for_selector("#lock", state="visible")
    # Behind the lock nothing takes input.
    assert page.evaluate("document.querySelector('main').inert") is True
    page.fill("#lock-form input[name=password]", "wrong password")
    page.keyboard.press("Enter")
    page.wait_for_selector("#lock-error", state="visible")
    page.fill("#lock-form input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("#lock", state="hidden")
    assert page.evaluate("document.querySelector('main').inert") is False


def test_my_number_never_reaches_a_browser_without_the_right(server, browser) -> None:
    add_user("tanaka", "corrector", PASSWORD)
    with session_scope() as db:
        doc = seed_document(db, get_store(), "kyuyo_kojinbetsu", seed=3)
        numbers = [fv.value for fv in doc.fields if fv.field_type == "my_number" and fv.value]
        document_id = doc.id
    page = _page(browser, server, "tanaka")
    bodies: list[str] = []
    page.on(
        "response",
        lambda r: bodies.append(r.text()) if "json" in r.headers.get("content-type", "") else None,
    )
    page.goto(f"{server}/documents/{document_id}")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    html = page.content()
    for number in numbers:
        assert number not in html
        assert all(number not in body for body in bodies)


def _awaiting_second_entry(form_id: str, seed: int) -> tuple[str, list[tuple[int, object]]]:
    """A document whose first entry suzuki (corrector) made, waiting for sato (checker):
    its id and the (field id, value) of every field the double check asks for."""
    from review_ui.double_check import marked_fields
    from review_ui.models import DoubleCheck
    from storage.models import User

    add_user("suzuki", "corrector", PASSWORD, may_see_my_number=True)
    add_user("sato", "checker", PASSWORD, may_see_my_number=True)
    with session_scope() as db:
        doc = seed_document(db, get_store(), form_id, seed=seed, misread=False)
        first = db.scalar(select(User).where(User.username == "suzuki"))
        assert first is not None
        db.add(DoubleCheck(document_id=doc.id, first_by=first.id))
        return doc.id, [(fv.id, fv.value) for fv in marked_fields(doc)]


def test_blind_double_check_by_keyboard(server, browser) -> None:
    """The checker types each marked value from the image alone, Enter to move, Ctrl+Enter
    to finish; with all values equal the document is approved."""
    document_id, marked = _awaiting_second_entry("nenkin_kojinbetsu", seed=7)
    values = [value for _, value in marked]
    page = _page(browser, server, "sato", home="**/check")
    page.goto(f"{server}/check/{document_id}")
    assert page.evaluate("document.activeElement.classList.contains('value')")
    for value in values:
        page.keyboard.type("" if value is None else str(value))
        page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/check")
    with session_scope() as db:
        approved = db.get(Document, document_id)
        assert approved is not None and approved.status == DocumentStatus.APPROVED


def test_double_check_mismatch_is_resolved_by_keyboard(server, browser) -> None:
    """The checker types one amount differently: the document waits in the resolve list, the
    corrector sees both entries side by side, types the right one and the document is
    approved with that value (R16)."""
    from review_ui.models import CheckState, DoubleCheck

    document_id, marked = _awaiting_second_entry("kyuyo_kojinbetsu", seed=5)
    differing_id, right_value = next(
        (fid, value) for fid, value in marked if isinstance(value, int) and value > 0
    )
    typo = right_value + 1000
    screenshot = os.environ.get("REVIEW_SCREENSHOT")

    checker = _page(browser, server, "sato", home="**/check")
    checker.goto(f"{server}/check/{document_id}")
    # The first entry is nowhere on the blind screen.
    assert f"{right_value:,}" not in checker.content()
    if screenshot:
        checker.keyboard.type(str(marked[0][1] or ""))
        checker.wait_for_function("document.querySelector('.page-image').complete")
        checker.screenshot(path=str(Path(screenshot).with_name("check.png")))
        checker.keyboard.press("Escape")
    for field_id, value in marked:
        typed = typo if field_id == differing_id else value
        checker.keyboard.type("" if typed is None else str(typed))
        checker.keyboard.press("Enter")
    checker.keyboard.press("Control+Enter")
    checker.wait_for_url("**/check")
    with session_scope() as db:
        check = db.get(DoubleCheck, document_id)
        waiting = db.get(Document, document_id)
        assert check is not None and check.state == CheckState.MISMATCH
        assert waiting is not None and waiting.status == DocumentStatus.NEEDS_REVIEW

    corrector = _page(browser, server, "suzuki")
    corrector.goto(f"{server}/resolve")
    corrector.click(f"a[href='/resolve/{document_id}']")
    corrector.wait_for_url(f"**/resolve/{document_id}")
    rows = corrector.locator("#fields .field")
    assert rows.count() == 1  # only the difference, not the fields both entered alike
    assert corrector.inner_text(".first") == f"{right_value:,}"
    assert corrector.inner_text(".second") == f"{typo:,}"
    if screenshot:
        corrector.wait_for_function("document.querySelector('.page-image').complete")
        corrector.screenshot(path=str(Path(screenshot).with_name("resolve.png")))
    corrector.focus(f"#f{differing_id}")
    corrector.keyboard.type(str(right_value))
    corrector.keyboard.press("Control+Enter")
    corrector.wait_for_url("**/resolve")
    with session_scope() as db:
        approved = db.get(Document, document_id)
        resolved = db.get(FieldValue, differing_id)
        assert approved is not None and approved.status == DocumentStatus.APPROVED
        assert resolved is not None and resolved.value == right_value
