"""``watch``: the hot-folder client of a scanning station."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("watch", help="upload files dropped into a folder")
    parser.add_argument("folder", type=Path, metavar="DIR")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the service's base URL")
    parser.add_argument(
        "--token",
        default=os.environ.get("TAX_INTAKE_STATION_TOKEN"),
        help="station token (or env TAX_INTAKE_STATION_TOKEN)",
    )
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes")
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from intake.hotfolder import watch

    if not args.token:
        raise SystemExit("a station token is needed: --token or TAX_INTAKE_STATION_TOKEN")
    if not args.folder.is_dir():
        raise SystemExit(f"{args.folder} is not a folder")
    watch(args.folder, args.url, args.token, interval=args.interval, once=args.once)
    return 0
