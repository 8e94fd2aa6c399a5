"""``tokens``: bearer tokens for scanning stations and the filing system's feed."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from intake.security import new_token, token_digest
from storage.db import session_scope
from storage.models import ApiToken, AuditEvent


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tokens", help="create, list and revoke API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="create a token and print it once")
    add.add_argument("name")
    add.add_argument("--kind", choices=["station", "feed"], required=True)
    add.set_defaults(func=_add)
    revoke = actions.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("name")
    revoke.set_defaults(func=_revoke)
    listing = actions.add_parser("list", help="list tokens (never their values)")
    listing.set_defaults(func=_list)


def create_token(name: str, kind: str) -> str:
    """Create a token and return its value; only its digest is stored."""
    token = new_token()
    with session_scope() as session:
        session.add(ApiToken(name=name, kind=kind, token_sha256=token_digest(token)))
        session.add(
            AuditEvent(actor="cli", action="token_create", detail={"name": name, "kind": kind})
        )
    return token


def _add(args: argparse.Namespace) -> int:
    print(create_token(args.name, args.kind))
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with session_scope() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.name == args.name))
        if token is None:
            print(f"no token named {args.name!r}")
            return 1
        token.active = False
        session.add(AuditEvent(actor="cli", action="token_revoke", detail={"name": args.name}))
    print(f"revoked {args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        for token in session.scalars(select(ApiToken).order_by(ApiToken.created_at)):
            state = "active" if token.active else "revoked"
            print(f"{token.name}\t{token.kind}\t{state}\t{token.created_at:%Y-%m-%d %H:%M}")
    return 0
