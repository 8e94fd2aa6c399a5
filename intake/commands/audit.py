"""``audit``: check that the audit log is complete and unchanged (R33)."""

from __future__ import annotations

import argparse
import json

from storage.audit import verify_chain
from storage.db import session_scope


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("audit", help="verify the audit log's hash chain")
    actions = parser.add_subparsers(dest="action", required=True)
    verify = actions.add_parser(
        "verify", help="detect a changed, removed or reordered event; exit 1 if there is one"
    )
    verify.set_defaults(func=_verify)


def _verify(args: argparse.Namespace) -> int:
    with session_scope() as session:
        report = verify_chain(session)
    # The head hash is printed so an operator can note it elsewhere: a log cut short at its
    # end is only visible against a head noted earlier.
    print(
        json.dumps(
            {
                "ok": report.ok,
                "events": report.events,
                "head": report.head,
                "broken_at": report.broken_at,
                "problem": report.problem,
            }
        )
    )
    return 0 if report.ok else 1
