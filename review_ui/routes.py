"""The review screens' router and their mounting into the app (``api.py`` calls ``setup``)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from intake.settings import get_settings
from review_ui import routes_admin, routes_audit, routes_auth, routes_check, routes_review
from review_ui.auth import MAX_SESSION_AGE, Forbidden, LoginRequired, SessionLocked
from review_ui.loading import NotFound
from review_ui.secret import session_secret
from review_ui.templating import STATIC_DIR, render, wants_json
from storage.crypto import require_master_key

SESSION_COOKIE = "tax_intake_session"

router = APIRouter(include_in_schema=False)
router.include_router(routes_auth.router)
router.include_router(routes_review.router)
router.include_router(routes_check.router)
router.include_router(routes_admin.router)
router.include_router(routes_audit.router)


def _back_to(request: Request) -> str:
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return quote(path, safe="")


async def _login_required(request: Request, exc: Exception) -> Response:
    if wants_json(request) or request.method != "GET":
        return JSONResponse({"login": True}, status.HTTP_401_UNAUTHORIZED)
    return RedirectResponse(f"/login?next={_back_to(request)}", status.HTTP_303_SEE_OTHER)


async def _locked(request: Request, exc: Exception) -> Response:
    if wants_json(request) or request.method != "GET":
        return JSONResponse({"locked": True}, status.HTTP_401_UNAUTHORIZED)
    return RedirectResponse(f"/lock?next={_back_to(request)}", status.HTTP_303_SEE_OTHER)


async def _forbidden(request: Request, exc: Exception) -> Response:
    message = exc.message if isinstance(exc, Forbidden) else "この操作の権限がありません。"
    if wants_json(request):
        return JSONResponse({"message": message}, status.HTTP_403_FORBIDDEN)
    return render(request, "error.html", {"message": message}, status.HTTP_403_FORBIDDEN)


async def _not_found(request: Request, exc: Exception) -> Response:
    message = "帳票が見つかりません（削除された可能性があります）。"
    if wants_json(request):
        return JSONResponse({"message": message}, status.HTTP_404_NOT_FOUND)
    return render(request, "error.html", {"message": message}, status.HTTP_404_NOT_FOUND)


def setup(app: FastAPI) -> None:
    """Static files (served by the app itself, no CDN), the signed session cookie and the
    handlers that turn "not logged in / locked / not allowed" into screens. Refuses to
    start without the master key the stored documents are sealed with (R23)."""
    require_master_key()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="review-static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(get_settings()),
        session_cookie=SESSION_COOKIE,
        max_age=int(MAX_SESSION_AGE.total_seconds()),
        same_site="strict",
        https_only=get_settings().cookie_secure,
    )
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(SessionLocked, _locked)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(NotFound, _not_found)
