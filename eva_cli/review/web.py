"""`eva review serve`: one page at a time, FastAPI + Jinja templates + a little plain JavaScript.

Access: the server makes a random token at start and prints /login?token=...; that URL sets an HttpOnly,
SameSite=Strict session cookie and redirects, so the token leaves the address bar. Without a valid
session every path (pages, static files) answers 401. Each session has its own CSRF token, put in every
form and checked on every POST (403 otherwise). Interface text: texts.yaml (en, uk).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request  # module level: FastAPI resolves the annotations by name here
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from eva_cli.errors import InputError
from eva_cli.review.assign import Assigner, shown_order
from eva_cli.review.judgments import DIMENSIONS, JudgmentStore, clean_reviewer, make_judgment
from eva_cli.review.tasks import read_tasks

COOKIE = "eva_review_session"
LANGS = ("en", "uk")
HERE = Path(__file__).parent
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, str]]:
    import yaml

    return yaml.safe_load((HERE / "texts.yaml").read_text(encoding="utf-8"))


@dataclass
class Session:
    csrf: str
    lang: str
    reviewer: str | None = None


def create_app(folder: Path, token: str, per_task: int = 1, lang: str = "en"):
    """The review app for one review folder; `token` is the access token in the printed URL."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    tasks = read_tasks(folder)
    position = {t["id"]: k for k, t in enumerate(tasks, 1)}
    store = JudgmentStore(folder)
    assigner = Assigner(tasks, store, per_task=per_task)
    sessions: dict[str, Session] = {}
    lock = threading.Lock()
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["jinja"]))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def session_of(request: Request) -> Session | None:
        return sessions.get(request.cookies.get(COOKIE, ""))

    def page(name: str, s: Session | None, status: int = 200, **ctx) -> HTMLResponse:
        lang_ = s.lang if s else lang
        html = env.get_template(name).render(t=texts()[lang_], lang=lang_, session=s, **ctx)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def bilingual(key: str, status: int) -> HTMLResponse:
        return page("message.jinja", None, status, lines=[texts()[x][key] for x in LANGS])

    @app.middleware("http")
    async def require_session(request: Request, call_next):
        if request.url.path != "/login" and session_of(request) is None:
            return bilingual("unauthorized", 401)
        return await call_next(request)

    async def checked_form(request: Request, s: Session):
        form = await request.form()
        if not secrets.compare_digest(str(form.get("csrf", "")).encode(), s.csrf.encode()):
            return None
        return form

    @app.get("/login")
    def login(request: Request):
        given = request.query_params.get("token", "")
        if not given or not secrets.compare_digest(given.encode(), token.encode()):
            return bilingual("unauthorized", 401)
        sid = secrets.token_urlsafe(32)
        with lock:
            sessions[sid] = Session(csrf=secrets.token_urlsafe(32), lang=lang)
        resp = RedirectResponse("/", status_code=303, headers=HEADERS)
        resp.set_cookie(COOKIE, sid, httponly=True, samesite="strict", path="/")
        return resp

    @app.get("/")
    def home(request: Request):
        s = session_of(request)
        if s.reviewer:
            return RedirectResponse("/task", status_code=303)
        return page("name.jinja", s)

    @app.post("/name")
    async def set_name(request: Request):
        s = session_of(request)
        form = await checked_form(request, s)
        if form is None:
            return page("message.jinja", s, 403, lines=[texts()[s.lang]["forbidden"]])
        try:
            s.reviewer = clean_reviewer(str(form.get("reviewer", "")))
        except InputError:
            return page("name.jinja", s, 400)
        return RedirectResponse("/task", status_code=303)

    @app.post("/lang")
    async def set_lang(request: Request):
        s = session_of(request)
        form = await checked_form(request, s)
        if form is None:
            return page("message.jinja", s, 403, lines=[texts()[s.lang]["forbidden"]])
        if form.get("lang") in LANGS:
            s.lang = str(form.get("lang"))
        return RedirectResponse("/task" if s.reviewer else "/", status_code=303)

    @app.get("/task")
    def task_page(request: Request):
        s = session_of(request)
        if not s.reviewer:
            return RedirectResponse("/", status_code=303)
        task = assigner.next_task(s.reviewer)
        progress = assigner.progress(s.reviewer)
        if task is None:
            return page("done.jinja", s, progress=progress)
        by_cid = {c["id"]: c for c in task["candidates"]}
        order = shown_order(task, s.reviewer)
        replies = [("a", "A", by_cid[order[0]]["text"]), ("b", "B", by_cid[order[1]]["text"])]
        return page("task.jinja", s, task=task, replies=replies, order=",".join(order), progress=progress,
                    number=position[task["id"]], total=len(tasks), dimensions=DIMENSIONS)

    @app.post("/judge")
    async def judge(request: Request):
        s = session_of(request)
        form = await checked_form(request, s)
        if form is None:
            return page("message.jinja", s, 403, lines=[texts()[s.lang]["forbidden"]])
        if not s.reviewer:
            return RedirectResponse("/", status_code=303)
        task = assigner.by_id.get(str(form.get("task_id", "")))
        if task is None:
            return Response("unknown task", status_code=400, headers=HEADERS)
        order = shown_order(task, s.reviewer)
        if str(form.get("order", "")) != ",".join(order):
            return Response("the A/B order of this form is not the one shown to you", status_code=409,
                            headers=HEADERS)
        flags = [cid for letter, cid in zip("ab", order) if form.get(f"flag_{letter}")]
        ratings = {}
        for letter, cid in zip("ab", order):
            dims = {d: int(v) for d in DIMENSIONS if (v := str(form.get(f"rate_{letter}_{d}", ""))) in "12345" and v}
            if dims:
                ratings[cid] = dims
        try:
            judgment = make_judgment(task, s.reviewer, order, str(form.get("verdict", "")),
                                     edit=str(form.get("edit", "")), flags=flags,
                                     flag_reason=str(form.get("flag_reason", "")), ratings=ratings)
        except InputError as exc:
            return Response(f"invalid judgment: {exc}", status_code=400, headers=HEADERS)
        store.append(judgment)  # False: this reviewer already judged it (a resubmitted form); nothing written
        return RedirectResponse("/task", status_code=303)

    @app.get("/static/{name}")
    def static(name: str):
        files = {"review.js": "text/javascript", "review.css": "text/css", "favicon.svg": "image/svg+xml"}
        if name not in files:
            return Response("not found", status_code=404)
        return Response((HERE / "static" / name).read_bytes(), media_type=files[name], headers=HEADERS)

    app.state.assigner = assigner
    app.state.store = store
    return app


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8765, per_task: int = 1, lang: str = "en",
          announce=print) -> None:
    """Run the app until Ctrl-C; `announce` gets the one-time login URL."""
    import socket

    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:  # one clear line instead of uvicorn's log when the port is taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(f"--host/--port: cannot listen on {host}:{port} ({exc.strerror}).",
                             "Pick another --port, or stop what is using it.") from None
    token = secrets.token_urlsafe(24)
    app = create_app(folder, token, per_task=per_task, lang=lang)
    shown_host = f"[{host}]" if ":" in host else host
    announce(f"http://{shown_host}:{port}/login?token={token}")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
