"""The FastAPI application: assembles the routers, nothing else."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

#: Modules that each expose ``router``; the review screens come last (they own "/").
ROUTER_MODULES = (
    "intake.routes_health",
    "intake.routes_documents",
    "intake.routes_feed",
    "review_ui.routes",
)


def create_app() -> FastAPI:
    app = FastAPI(title="tax-intake", version="0.1.0")
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a part not built yet
        app.include_router(module.router)
        if hasattr(module, "setup"):
            module.setup(app)
    return app


app = create_app()
