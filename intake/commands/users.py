"""``users``: individual staff accounts (R30), their rights (R31) and expiry (R35)."""

from __future__ import annotations

import argparse
import csv
import getpass
import sys
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.errors import TaxIntakeError
from intake.security import MAX_FAILED_LOGINS, PERMISSIONS, Role, hash_password
from storage.db import session_scope
from storage.models import AuditEvent, User, utcnow

MIN_PASSWORD_LENGTH = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("users", help="add, list, expire and unlock staff accounts")
    actions = parser.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="create an individual account")
    add.add_argument("name", help="login name of one person (no shared IDs, R30)")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--display-name", help="name shown on screen")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.add_argument(
        "--may-see-my-number",
        action="store_true",
        help="grant the 特定個人情報アクセス権限 (may see 個人番号, R31)",
    )
    add.add_argument("--expires", help="last day of the account (YYYY-MM-DD), R35")
    add.set_defaults(func=_add)

    listing = actions.add_parser("list", help="the user/rights list for periodic review (R35)")
    listing.add_argument("--csv", action="store_true", help="CSV for the review file")
    listing.set_defaults(func=_list)

    expire = actions.add_parser("expire", help="end an account now (or at --at), R35")
    expire.add_argument("name")
    expire.add_argument("--at", help="date (YYYY-MM-DD) or ISO time; default: now")
    expire.set_defaults(func=_expire)

    unlock = actions.add_parser("unlock", help="clear the wrong-password lock of an account")
    unlock.add_argument("name")
    unlock.set_defaults(func=_unlock)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise TaxIntakeError("the passwords differ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise TaxIntakeError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TaxIntakeError(f"not a date: {text!r} (use YYYY-MM-DD)") from exc
    if len(text) == 10:  # a bare date: the account works until the end of that day
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment if moment.tzinfo else moment.astimezone(UTC)


def add_user(
    name: str,
    role: str,
    password: str,
    may_see_my_number: bool = False,
    display_name: str | None = None,
    expires_at: datetime | None = None,
) -> None:
    """Create an account; refuses a name that exists (accounts are never shared or reused)."""
    Role(role)
    with session_scope() as session:
        if session.scalar(select(User).where(User.username == name)) is not None:
            raise TaxIntakeError(f"user {name!r} exists")
        session.add(
            User(
                username=name,
                display_name=display_name,
                password_hash=hash_password(password),
                role=role,
                may_see_my_number=may_see_my_number,
                expires_at=expires_at,
            )
        )
        session.add(
            AuditEvent(
                actor="cli",
                action="user_add",
                detail={"user": name, "role": role, "may_see_my_number": may_see_my_number},
            )
        )


def _add(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    add_user(
        args.name,
        args.role,
        password,
        may_see_my_number=args.may_see_my_number,
        display_name=args.display_name,
        expires_at=_parse_moment(args.expires) if args.expires else None,
    )
    print(f"added {args.name} ({args.role})")
    return 0


def account_state(user: User) -> str:
    """``active``, ``inactive`` (disabled), ``expired`` or ``locked`` (wrong passwords)."""
    if not user.active:
        return "inactive"
    if user.expires_at is not None:
        expires = user.expires_at if user.expires_at.tzinfo else user.expires_at.replace(tzinfo=UTC)
        if expires <= utcnow():
            return "expired"
    if user.failed_logins >= MAX_FAILED_LOGINS:
        return "locked"
    return "active"


#: Columns of the user/rights list (R35), on screen, in the CSV and on the command line.
RIGHTS_COLUMNS = [
    "username",
    "display_name",
    "role",
    "may_see_my_number",
    "state",
    "expires_at",
    "failed_logins",
    "created_at",
    "permissions",
]


def user_rights(session: Session) -> list[list[str]]:
    """One row per account, in :data:`RIGHTS_COLUMNS` order: who may do what (R35)."""
    return [
        [
            u.username,
            u.display_name or "",
            u.role,
            "yes" if u.may_see_my_number else "no",
            account_state(u),
            u.expires_at.isoformat() if u.expires_at else "",
            str(u.failed_logins),
            u.created_at.isoformat(),
            " ".join(sorted(PERMISSIONS.get(Role(u.role), ()))),
        ]
        for u in session.scalars(select(User).order_by(User.username))
    ]


def write_rights_csv(rows: list[list[str]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(RIGHTS_COLUMNS)
    writer.writerows(rows)


def _list(args: argparse.Namespace) -> int:
    with session_scope() as session:
        rows = user_rights(session)
        session.add(AuditEvent(actor="cli", action="user_list", detail={"count": len(rows)}))
    if args.csv:
        write_rights_csv(rows, sys.stdout)
    else:
        for row in rows:
            print("\t".join(row[:6]))
    return 0


def _find(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise TaxIntakeError(f"no user named {name!r}")
    return user


def _expire(args: argparse.Namespace) -> int:
    moment = _parse_moment(args.at) if args.at else utcnow()
    with session_scope() as session:
        user = _find(session, args.name)
        user.expires_at = moment
        session.add(
            AuditEvent(
                actor="cli",
                action="user_expire",
                detail={"user": args.name, "at": moment.isoformat()},
            )
        )
    print(f"{args.name} expires at {moment.isoformat()}")
    return 0


def _unlock(args: argparse.Namespace) -> int:
    with session_scope() as session:
        user = _find(session, args.name)
        user.failed_logins = 0
        session.add(AuditEvent(actor="cli", action="user_unlock", detail={"user": args.name}))
    print(f"{args.name} unlocked")
    return 0
