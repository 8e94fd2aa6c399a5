"""The FastAPI application: assembles the routers, nothing else."""

from __future__ import annotations

from fastapi import FastAPI

from intake import routes_documents, routes_feed, routes_health
from review_ui import routes as review_routes


def create_app() -> FastAPI:
    app = FastAPI(title="tax-intake", version="0.1.0")
    app.include_router(routes_health.router)
    app.include_router(routes_documents.router)
    app.include_router(routes_feed.router)
    app.include_router(review_routes.router)  # last: the screens own "/"
    routes_documents.setup(app)  # the upload size limit, checked while the body streams in
    review_routes.setup(app)  # static files, session cookie, login/lock handlers
    return app


app = create_app()
