"""The application factory: the static page, the JSON API and the headers that guard them."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from emolab.preference.store import PairStore
from emolab.webapp.api import router

STATIC = Path(str(files("emolab.webapp") / "static"))

# The page loads only its own script and style: even if some data slipped into the DOM as
# markup, an inline script or event handler in it would not run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    # The first visit carries the token in the URL; no Referer may repeat it elsewhere.
    "Referrer-Policy": "no-referrer",
}


def create_app(project_dir: str | Path) -> FastAPI:
    """The annotation app for the pairs project in ``project_dir`` (which must exist)."""
    project = Path(project_dir)
    PairStore(project).close()  # fail now, with the store's clear message, not on first request
    # No /docs: the interactive docs would load their scripts from a CDN.
    app = FastAPI(title="emolab annotate", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.project = project
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(RequestValidationError)
    async def readable_422(request: Request, exc: RequestValidationError) -> JSONResponse:
        # One sentence the page can show as is, e.g. "overall: Input should be less than or
        # equal to 5"; the list stays for programs.
        errors = [{"loc": [str(p) for p in e["loc"] if p not in ("body", "path", "query")],
                   "msg": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
                           for e in errors)
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    return app
