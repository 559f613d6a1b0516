"""The conversation store on PostgreSQL, for bot replicas that share one database (see base.py).

- Migrations: `schema_version` records what is applied; MIGRATIONS run at start-up inside one
  transaction under an advisory lock, so two replicas starting at once apply each migration once.
- Connections: one per thread (like the SQLite store), plus one "session" connection that holds this
  store's advisory locks: its owner lock (a claim is alive while its owner's lock is held, on any
  machine; a killed replica's connection closes and PostgreSQL drops the lock) and, for the replica
  that long-polls Telegram, the polling lease.
- The hot path (message rows, and the update claim / handled mark) commits with synchronous_commit
  off: a crash of the database server may lose its last moments (never a half-written row); consent,
  /forget, feedback, the purge and migrations wait for the disk.
- A lost connection (a database restart, a failover) is retried for `reconnect_s` seconds, then the
  call fails. A write whose commit was sent but not acknowledged may run twice (add_message only).
- Deleted rows leave the table files when autovacuum reclaims them; the text in them is encrypted.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from urllib.parse import urlsplit, urlunsplit

from eva_cli.errors import EvaError
from eva_cli.store.base import SETUP_LOCK, Store

log = logging.getLogger("eva.store")

# Advisory-lock namespaces (the first int of a two-int key): transactions, owners, the polling lease.
_NS = {"setup": 0x45564100, "update": 0x45564101, "owner": 0x45564102, "poll": 0x45564103}

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE users (
    user_id BIGINT PRIMARY KEY,
    lang TEXT,
    consent INTEGER NOT NULL DEFAULT 0,
    consent_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    content BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX messages_chat ON messages (chat_id, id);
CREATE INDEX messages_user ON messages (user_id);
CREATE INDEX messages_time ON messages (created_at);
CREATE TABLE feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    message_id BIGINT,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    prompt BYTEA NOT NULL,
    reply BYTEA NOT NULL,
    rewrite BYTEA,
    lang TEXT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX feedback_user ON feedback (user_id);
CREATE TABLE updates (update_id BIGINT PRIMARY KEY, handled_at DOUBLE PRECISION NOT NULL);
CREATE TABLE update_claims (update_id BIGINT PRIMARY KEY, owner TEXT NOT NULL, claimed_at DOUBLE PRECISION NOT NULL);
"""),
)


def redact_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _key(owner: str) -> int:
    return zlib.crc32(owner.encode()) & 0x7FFFFFFF


class _Conn:
    """A psycopg connection that takes the shared SQL's `?` placeholders."""

    def __init__(self, conn):
        self.raw = conn

    def execute(self, sql: str, args: tuple = ()):
        return self.raw.execute(sql.replace("?", "%s"), args)


class PostgresStore(Store):
    def __init__(self, url: str, key: str | None, *, insecure: bool = False, retention_days: int = 30,
                 reconnect_s: float = 30.0):
        import psycopg

        super().__init__(key, insecure=insecure, retention_days=retention_days)
        self._psycopg = psycopg
        self.url = url
        self.where = redact_url(url)
        self.reconnect_s = reconnect_s
        self._local = threading.local()
        self._conns: list = []
        self._lock = threading.Lock()  # guards _conns and the session connection
        self._session = None
        self._session_suspect = False  # a connection was lost: check the session before going on
        self._leading = False
        self._closed = False
        try:
            try:
                self._connect_session()
            except _Unreachable as exc:
                raise EvaError(f"cannot connect to the PostgreSQL store {self.where}: {exc}",
                               "Check that the server runs and --store / EVA_STORE_URL points at it.") from None
            self._write(self._migrate, SETUP_LOCK)
            self._open_encryption()
            self.purge_expired()
        except BaseException:
            self.close()
            raise

    # ---- connections ---------------------------------------------------------------------------------------
    def _connect(self):
        try:
            return self._psycopg.connect(self.url, connect_timeout=10, application_name="eva-bot", autocommit=True)
        except self._psycopg.OperationalError as exc:
            raise _Unreachable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from None
        except self._psycopg.ProgrammingError as exc:  # a malformed URL
            raise EvaError(f"--store: {self.where} is not a usable PostgreSQL URL ({exc}).",
                           "Use postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE.") from None

    def _conn(self):
        if self._closed:
            raise EvaError(f"the conversation store {self.where} is closed.")
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)
            try:
                conn.close()
            except Exception:
                pass

    def _connect_session(self) -> None:
        """(Re)open the session connection and take this store's owner lock on it."""
        with self._lock:
            if self._session is not None and not self._session.closed:
                try:
                    self._session.execute("SELECT 1")
                    return
                except self._psycopg.Error:
                    pass
            if self._session is not None:
                try:
                    self._session.close()
                except Exception:
                    pass
            self._session = None
            self._leading = False
            session = self._connect()
            session.execute("SELECT pg_advisory_lock(%s, %s)", (_NS["owner"], _key(self._owner)))
            self._session = session

    def _retrying(self, fn):
        """fn(conn), again on a fresh connection while the database is unreachable (up to reconnect_s)."""
        deadline, failures = time.monotonic() + self.reconnect_s, 0
        while True:
            try:
                if self._session_suspect:
                    self._connect_session()  # our locks went with the old session: take them again
                    self._session_suspect = False
                return fn(self._conn())
            except (self._psycopg.OperationalError, _Unreachable) as exc:
                # Lost connection, server shut down or restarting, serialization failure: try again.
                self._drop()
                failures += 1
                if self._closed or time.monotonic() > deadline:
                    raise EvaError(f"the PostgreSQL store {self.where} is unreachable: {exc}",
                                   "Check that the server runs and --store / EVA_STORE_URL points at it.") from None
                if failures == 1:
                    log.warning("PostgreSQL connection lost (%s); reconnecting", type(exc).__name__)
                self._session_suspect = True
                time.sleep(min(1.0, 0.05 * 2 ** failures))

    def _write(self, fn, lock=None, durable=True):
        def txn(conn):
            with conn.transaction():
                if not durable:
                    conn.execute("SET LOCAL synchronous_commit = off")
                if lock is not None:
                    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_NS[lock[0]], lock[1] & 0x7FFFFFFF))
                return fn(_Conn(conn))

        return self._retrying(txn)

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._retrying(lambda conn: conn.execute(sql.replace("?", "%s"), args).fetchall())

    def _migrate(self, conn) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        current = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
        latest = MIGRATIONS[-1][0]
        if current > latest:
            raise EvaError(f"{self.where} has store schema version {current}, newer than this eva knows ({latest}).",
                           "Upgrade eva on every replica before starting this one.")
        for version, sql in MIGRATIONS:
            if version > current:
                conn.raw.execute(sql)
                conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, time.time()))
                log.info("store: applied schema migration %d to %s", version, self.where)

    # ---- liveness and the polling lease ----------------------------------------------------------------
    def _owner_alive(self, conn, owner: str) -> bool:
        if owner == self._owner:
            return True
        row = conn.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid::bigint = ? "
            "AND objid::bigint = ? AND objsubid = 2", (_NS["owner"], _key(owner))).fetchone()
        return row is not None

    def holds_polling_lease(self) -> bool:
        """Take or keep the polling lease on the session connection (released when this process dies)."""
        def check(_conn):
            self._connect_session()
            with self._lock:
                if self._leading:
                    held = self._session.execute(
                        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                        "AND classid::bigint = %s AND objid = 0 AND objsubid = 2", (_NS["poll"],)).fetchone()
                    if held:
                        return True
                got = self._session.execute("SELECT pg_try_advisory_lock(%s, 0)", (_NS["poll"],)).fetchone()[0]
                self._leading = bool(got)
                return self._leading

        return self._retrying(check)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            conns, self._conns = self._conns, []
            session, self._session = self._session, None
        for c in [*conns, session]:
            if c is not None:
                try:
                    c.close()
                except Exception:
                    pass


class _Unreachable(Exception):
    """The server did not accept a connection (retried like a lost one)."""
