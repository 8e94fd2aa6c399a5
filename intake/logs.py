"""Structured logs: one JSON object per line on stderr.

Log messages carry ids, counts and codes only — never names, 個人番号 or recognised text.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str | None = None) -> None:
    """JSON lines by default; ``TAX_INTAKE_LOG_FORMAT=text`` for a terminal."""
    handler = logging.StreamHandler()
    if os.environ.get("TAX_INTAKE_LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("TAX_INTAKE_LOG_LEVEL", "INFO"))
    logging.getLogger("alembic").setLevel(logging.WARNING)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own loggers (server, access, tracebacks of 500s) in the same JSON lines."""
    json_lines = os.environ.get("TAX_INTAKE_LOG_FORMAT", "json") == "json"
    formatter = {"()": JsonFormatter} if json_lines else {"format": "%(asctime)s %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "default"}},
        "loggers": {
            name: {"handlers": ["default"], "level": "INFO", "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
