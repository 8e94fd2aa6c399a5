"""Login, logout and the idle lock (R30, R34)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from intake.security import Permission
from review_ui import audit
from review_ui.auth import (
    DbSession,
    LoggedIn,
    LoginRequired,
    SessionLocked,
    Viewer,
    authenticate,
    check_csrf,
    current_viewer,
    end_session,
    locked_viewer,
    start_session,
    unlock,
)
from review_ui.templating import render, wants_json

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def home_for(viewer: Viewer) -> str:
    if viewer.can(Permission.REVIEW):
        return "/review"
    if viewer.can(Permission.DOUBLE_CHECK):
        return "/check"
    if viewer.can(Permission.READ_AUDIT):
        return "/audit"
    return "/denied"


@router.get("/login")
def login_form(request: Request, db: DbSession, next: str = "/") -> Response:
    try:
        current_viewer(request, db)
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    except (LoginRequired, SessionLocked):
        pass
    return render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
def login(
    request: Request,
    db: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    user = authenticate(db, username.strip(), password)
    if user is None:
        audit.record(db, request, username.strip()[:64], "login_failed")
        db.commit()  # the failure count must survive the error response
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "error": "ユーザー名又はパスワードが違うか、アカウントが利用できません。",
                "username": username,
            },
            status.HTTP_401_UNAUTHORIZED,
        )
    start_session(db, request, user)
    audit.record(db, request, user.username, "login")
    return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)


@router.post("/logout")
def logout(
    request: Request,
    db: DbSession,
    viewer: Annotated[Viewer, Depends(locked_viewer)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(viewer, csrf_token)
    audit.record(db, request, viewer.user.username, "logout")
    end_session(db, request)
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)


@router.get("/lock")
def lock_screen(
    request: Request, viewer: Annotated[Viewer, Depends(locked_viewer)], next: str = "/"
) -> Response:
    return render(request, "lock.html", {"viewer": viewer, "next": safe_next(next), "error": None})


@router.post("/unlock")
def unlock_session(
    request: Request,
    db: DbSession,
    viewer: Annotated[Viewer, Depends(locked_viewer)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(viewer, csrf_token)
    ok = unlock(db, viewer, password)
    audit.record(db, request, viewer.user.username, "unlock" if ok else "unlock_failed")
    if wants_json(request):
        if ok:
            return Response(status_code=status.HTTP_204_NO_CONTENT)
        db.commit()
        return Response(status_code=status.HTTP_401_UNAUTHORIZED)
    if ok:
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    db.commit()
    return render(
        request,
        "lock.html",
        {"viewer": viewer, "next": safe_next(next), "error": "パスワードが違います。"},
        status.HTTP_401_UNAUTHORIZED,
    )


@router.post("/session/touch")
def touch(viewer: LoggedIn) -> Response:
    """The screen reports keyboard or mouse activity, which keeps the session unlocked."""
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/")
def home(viewer: LoggedIn) -> Response:
    return RedirectResponse(home_for(viewer), status.HTTP_303_SEE_OTHER)


@router.get("/denied")
def denied(request: Request, viewer: LoggedIn) -> Response:
    return render(
        request,
        "error.html",
        {"viewer": viewer, "message": "この画面を使う権限がありません。"},
        status.HTTP_403_FORBIDDEN,
    )
