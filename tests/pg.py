"""PostgreSQL for the tests: a real server, never a mock.

The server is EVA_TEST_PG_URL, else postgresql://postgres@127.0.0.1:5432/postgres. When none answers,
a private one is started with pg_ctl (as the `postgres` user when we are root) in a temp dir on a free
port; with no pg_ctl either, PostgreSQL tests skip with one line, or fail under EVA_REQUIRE_PG=1.
Each run creates its own database (random name) and drops it after; each test gets its own schema.
`PrivateServer` is also what the restart test stops and starts (never the machine's own server).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _require_or_skip(reason: str):
    if os.environ.get("EVA_REQUIRE_PG") == "1":
        pytest.fail(f"EVA_REQUIRE_PG=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _need_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _require_or_skip("psycopg is not installed (pip install 'psycopg[binary]')")


def reachable(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def with_schema(url: str, schema: str) -> str:
    sep = "&" if urlsplit(url).query else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateServer:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl) owned by this test run."""

    def __init__(self):
        self.pg_ctl = shutil.which("pg_ctl") or next(
            (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)), None)
        self.root = Path(tempfile.mkdtemp(prefix="eva-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def available(self) -> bool:
        return self.pg_ctl is not None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [self.pg_ctl, *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=check)

    def init(self) -> "PrivateServer":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-s", "-o", "--auth=trust --username=postgres --no-sync")
        self.start()
        return self

    def start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} -c fsync=off"
        self._run("start", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "log"), "-o", opts)

    def stop(self, mode: str = "fast") -> None:
        self._run("stop", "-D", str(self.data), "-w", "-m", mode, check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a running PostgreSQL server (the machine's, or a private one)."""
    _need_psycopg()
    url = os.environ.get("EVA_TEST_PG_URL") or DEFAULT_URL
    if reachable(url):
        yield url
        return
    server = PrivateServer()
    if not server.available:
        _require_or_skip(f"no PostgreSQL server at {url} and no pg_ctl to start one")
    try:
        server.init()
    except (subprocess.SubprocessError, OSError) as exc:
        server.destroy()
        _require_or_skip(f"no PostgreSQL server at {url}, and pg_ctl could not start one ({exc})")
    try:
        yield server.url
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def pg_database(pg_server):
    """A database of this test run's own (random name), dropped at the end."""
    import psycopg

    name = f"eva_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(pg_server, name)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_database):
    """A fresh, empty schema in the run's database: the store URL for one test."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield with_schema(pg_database, schema)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def private_pg():
    """A private server this test may stop and restart (needs pg_ctl)."""
    _need_psycopg()
    server = PrivateServer()
    if not server.available:
        _require_or_skip("no pg_ctl to start a private PostgreSQL server")
    try:
        server.init()
    except (subprocess.SubprocessError, OSError) as exc:
        server.destroy()
        _require_or_skip(f"pg_ctl could not start a private PostgreSQL server ({exc})")
    yield server
    server.destroy()


class StoreBackend:
    """One store backend for the parametrized contract tests: where stores live, and raw access."""

    def __init__(self, name: str, tmp_path: Path, pg_url: str | None):
        self.name = name
        self._tmp = tmp_path
        self._pg = pg_url
        self._schemas: list[str] = []

    def target(self, label: str = "main") -> str | Path:
        """Where a store named `label` lives (a file, or a schema of the run's database)."""
        if self.name == "sqlite":
            return self._tmp / "bot" / f"{label}.sqlite"
        if label == "main":
            return self._pg
        schema = f"{urlsplit(self._pg).query.split('%3D')[-1]}_{label}"
        import psycopg

        with psycopg.connect(self._pg, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        self._schemas.append(schema)
        return with_schema(self._pg.split("?")[0], schema)

    def open(self, key, label: str = "main", **kw):
        from eva_cli.store import open_store

        return open_store(self.target(label), key, **kw)

    def sql(self, statement: str, args: tuple = (), label: str = "main") -> list[tuple]:
        """Run raw SQL (? placeholders) on the store's database, outside the store."""
        target = self.target(label)
        if self.name == "sqlite":
            import sqlite3

            conn = sqlite3.connect(target)
            try:
                rows = conn.execute(statement, args).fetchall()
                conn.commit()
                return rows
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            cur = conn.execute(statement.replace("?", "%s"), args)
            return cur.fetchall() if cur.description else []

    def raw(self, label: str = "main") -> bytes:
        """Every byte the backend holds for the store: the files, or every cell of every table."""
        if self.name == "sqlite":
            path = Path(self.target(label))
            return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        out = []
        tables = [r[0] for r in self.sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", label=label)]
        for table in tables:
            for row in self.sql(f'SELECT * FROM "{table}"', label=label):
                out += [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row]
        return b"\n".join(out)

    def cleanup(self) -> None:
        if self._schemas:
            import psycopg

            with psycopg.connect(self._pg, autocommit=True) as conn:
                for schema in self._schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request, tmp_path):
    """The store contract runs on both backends: one parametrized suite."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    backend = StoreBackend(request.param, tmp_path, url)
    yield backend
    backend.cleanup()
