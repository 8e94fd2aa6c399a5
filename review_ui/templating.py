"""Jinja2 templates and the headers every review page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, status
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from intake.security import Permission
from review_ui import audit
from review_ui.view import GROUP_TITLES

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.globals.update(Permission=Permission, GROUP_TITLES=GROUP_TITLES)

#: Pages hold personal data: never cached, never framed, only our own scripts and styles
#: (no CDN, R24).
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def wants_json(request: Request) -> bool:
    """fetch() calls from our scripts ask for JSON; browsers navigating ask for HTML."""
    return "application/json" in request.headers.get("accept", "")


def queue_screen(
    request: Request,
    db: Session,
    viewer: Any,
    rows: Any,
    total: int,
    *,
    list_name: str,
    purpose: str,
    title: str | None = None,
    link: str | None = None,
) -> HTMLResponse:
    """A work queue (correction, double check, resolve): listing it is an audited search."""
    audit.record(
        db,
        request,
        viewer.user.username,
        "search",
        purpose=purpose,
        detail={"list": list_name, "count": total},
    )
    context = {"viewer": viewer, "rows": rows, "total": total, "title": title, "link": link}
    return render(request, "queue.html", context)


def refused(message: str) -> JSONResponse:
    """An edit the rules refuse: 422 with the message for staff."""
    return JSONResponse({"message": message}, status.HTTP_422_UNPROCESSABLE_CONTENT)
