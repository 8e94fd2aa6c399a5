"""Every route of the app declares who may use it, and refuses everyone else (R30, R31).

The test walks all routes of the assembled app, so a route added later without a
permission fails here: only login, health and the API schema are open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.commands.users import add_user
from intake.deps import feed_token, station_token
from intake.security import PERMISSIONS, Permission, Role, new_token, token_digest
from intake.settings import Settings, get_settings
from review_ui.auth import locked_viewer
from review_ui.models import ReviewSession
from storage.db import session_scope
from storage.models import ApiToken, User

PASSWORD = "correct horse battery"

#: Routes anyone may call: logging in, health checks for the load balancer and monitoring
#: (counts only), and the API's schema (paths and types, no data).
OPEN = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}
#: Answers 403 by design: where a logged-in account without any screen lands.
DENIED_PAGE = ("GET", "/denied")


@dataclass(frozen=True)
class Requirement:
    """What a route asks for: a staff permission (any of), a token kind or the session owner."""

    permissions: frozenset[Permission] | None = None
    token: str | None = None
    session_owner: bool = False


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    requirement: Requirement | None

    @property
    def url(self) -> str:
        # Any value of the right shape will do: the request must be refused before a
        # document is looked up (or, when allowed, the document is simply not found).
        return re.sub(
            r"\{(\w+)\}", lambda m: "1" if m.group(1) != "document_id" else "0" * 32, self.path
        )


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.160)
            yield from _routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


def _requirements(route: APIRoute) -> list[Requirement]:
    found: list[Requirement] = []
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        call = dependant.call
        if hasattr(call, "permissions"):
            # review_ui.auth.require() tags its dependency with the permissions it wants.
            found.append(Requirement(permissions=cast(Any, call).permissions))
        elif call is station_token:
            found.append(Requirement(token="station"))
        elif call is feed_token:
            found.append(Requirement(token="feed"))
        elif call is locked_viewer:
            found.append(Requirement(session_owner=True))
        else:
            pending.extend(dependant.dependencies)
    return found


def endpoints(app: FastAPI) -> list[Endpoint]:
    result = []
    for route in _routes(app.routes):
        requirements = _requirements(route)
        assert len(requirements) <= 1, f"{route.path}: more than one access rule {requirements}"
        for method in sorted(route.methods or ()):
            result.append(Endpoint(method, route.path, requirements[0] if requirements else None))
    return result


@pytest.fixture
def access_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("TAX_INTAKE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def app(access_env: Settings) -> FastAPI:
    from api import create_app

    return create_app()


def _refused(status: int, response: Any) -> bool:
    if status in (401, 403):
        return True
    return status == 303 and response.headers["location"].startswith(("/login", "/lock"))


def _call(client: TestClient, endpoint: Endpoint, headers: dict[str, str] | None = None) -> Any:
    return client.request(
        endpoint.method, endpoint.url, headers=headers or {}, follow_redirects=False
    )


def test_every_route_declares_its_access(app: FastAPI) -> None:
    undeclared = [
        (e.method, e.path)
        for e in endpoints(app)
        if e.requirement is None and (e.method, e.path) not in OPEN
    ]
    assert undeclared == []
    # The walk does see the app: the screens and the APIs are all there.
    paths = {e.path for e in endpoints(app)}
    assert {"/review", "/check", "/api/v1/documents", "/api/v1/feed/exports"} <= paths


def test_no_credentials_no_access(app: FastAPI) -> None:
    client = TestClient(app)
    for endpoint in endpoints(app):
        if (endpoint.method, endpoint.path) in OPEN:
            continue
        response = _call(client, endpoint)
        assert _refused(response.status_code, response), (endpoint, response.status_code)


def _login(client: TestClient, name: str) -> str:
    response = client.post(
        "/login", data={"username": name, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    with session_scope() as db:
        user = db.scalar(select(User).where(User.username == name))
        assert user is not None
        return db.scalars(
            select(ReviewSession.csrf_token).where(ReviewSession.user_id == user.id)
        ).one()


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_permissions(app: FastAPI, role: Role) -> None:
    """A person of each role, logged in with a valid CSRF token, is refused every screen
    whose permission the role lacks and let through to every one it holds."""
    add_user(f"user-{role.value}", role.value, PASSWORD, may_see_my_number=True)
    client = TestClient(app)
    headers = {"x-csrf-token": _login(client, f"user-{role.value}"), "accept": "application/json"}
    checked = 0
    for endpoint in endpoints(app):
        requirement = endpoint.requirement
        if requirement is None or requirement.permissions is None:
            continue
        if (endpoint.method, endpoint.path) == DENIED_PAGE:
            continue
        wanted = requirement.permissions
        allowed = not wanted or bool(wanted & PERMISSIONS[role])
        response = _call(client, endpoint, headers)
        if allowed:
            assert response.status_code not in (401, 403), (role, endpoint, response.text[:200])
        else:
            assert response.status_code == 403, (role, endpoint, response.status_code)
        checked += 1
    assert checked >= 15


def _token(kind: str, active: bool = True) -> dict[str, str]:
    token = new_token()
    with session_scope() as db:
        db.add(
            ApiToken(
                name=f"{kind}-{token[:6]}",
                kind=kind,
                token_sha256=token_digest(token),
                active=active,
            )
        )
    return {"Authorization": f"Bearer {token}"}


def test_tokens_are_scoped_and_revocable(app: FastAPI) -> None:
    client = TestClient(app)
    tokens = {kind: _token(kind) for kind in ("station", "feed")}
    revoked = {kind: _token(kind, active=False) for kind in ("station", "feed")}
    token_routes = [e for e in endpoints(app) if e.requirement and e.requirement.token]
    assert {e.requirement.token for e in token_routes if e.requirement} == {"station", "feed"}
    for endpoint in token_routes:
        assert endpoint.requirement is not None
        own = endpoint.requirement.token or ""
        other = "feed" if own == "station" else "station"
        assert _call(client, endpoint, tokens[other]).status_code == 403, endpoint
        assert _call(client, endpoint, revoked[own]).status_code == 401, endpoint
        assert _call(client, endpoint, tokens[own]).status_code not in (401, 403), endpoint


def test_staff_session_opens_no_token_route(app: FastAPI) -> None:
    """A logged-in supervisor is still no scanning station and no filing system."""
    add_user("boss", "supervisor", PASSWORD)
    client = TestClient(app)
    _login(client, "boss")
    for endpoint in endpoints(app):
        if endpoint.requirement and endpoint.requirement.token:
            assert _call(client, endpoint).status_code == 401, endpoint


#: Routes FastAPI adds itself: the API schema and its viewers (paths and types, no data).
SCHEMA_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def test_nothing_else_is_served(app: FastAPI) -> None:
    """Besides the declared routes there are only the schema pages and the static files
    (style sheets and scripts of the screens, no data)."""

    def others(routes: list[Any]) -> Iterator[str]:
        for route in routes:
            if hasattr(route, "original_router"):
                yield from others(route.original_router.routes)
            elif not isinstance(route, APIRoute):
                yield route.path

    assert set(others(app.routes)) == SCHEMA_ROUTES | {"/static"}
