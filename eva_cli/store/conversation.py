"""The embedded conversation store: SQLite in WAL mode, message text encrypted at rest (see base.py).

One process (one bot replica) per file. Deleted rows are overwritten (`secure_delete`), and /forget
checkpoints the WAL file so that they leave it too. For several replicas use PostgreSQL (postgres.py).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from eva_cli.errors import EvaError
from eva_cli.store.base import HOST, Store

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    lang TEXT,
    consent INTEGER NOT NULL DEFAULT 0,
    consent_at REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_chat ON messages (chat_id, id);
CREATE INDEX IF NOT EXISTS messages_user ON messages (user_id);
CREATE INDEX IF NOT EXISTS messages_time ON messages (created_at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    chat_id INTEGER NOT NULL,
    message_id INTEGER,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    prompt BLOB NOT NULL,
    reply BLOB NOT NULL,
    rewrite BLOB,
    lang TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_user ON feedback (user_id);
CREATE TABLE IF NOT EXISTS updates (update_id INTEGER PRIMARY KEY, handled_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS update_claims (update_id INTEGER PRIMARY KEY, owner TEXT NOT NULL, claimed_at REAL NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');
"""
_LIVE_OWNERS: set[str] = set()  # claim owners of the stores open in this process


def _pid_alive(owner: str) -> bool:
    """Whether the process that claimed an update may still answer it (same machine: ask the OS)."""
    host, pid, _ = owner.split(":", 2)
    if host != HOST:
        return True  # another machine: trust the lease
    if int(pid) == os.getpid():
        return owner in _LIVE_OWNERS  # this process, or an earlier one with the same pid (a container restart)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True


class SqliteStore(Store):
    """Thread-safe store for one bot process (one SQLite connection per thread, WAL, short write transactions)."""

    def __init__(self, path: Path, key: str | None, *, insecure: bool = False, retention_days: int = 30):
        super().__init__(key, insecure=insecure, retention_days=retention_days)
        self.path = Path(path)
        self.where = str(self.path)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._closed = False
        _LIVE_OWNERS.add(self._owner)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._conn()
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise EvaError(f"{self.path} is not a usable SQLite database ({exc}).", "Move it away; a new one is created on start.") from None
        try:
            self._open_encryption()
        except EvaError:
            self.close()
            raise
        self.purge_expired()

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise EvaError(f"the conversation store {self.path} is closed.")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA secure_delete=ON")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def _write(self, fn, lock=None, durable=True):
        """fn(conn) inside one immediate (write-locked) transaction: every write is serialized, so `lock`
        is moot; WAL with synchronous=NORMAL makes every commit survive a crash of the process."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._conn().execute(sql, args).fetchall()

    def _owner_alive(self, conn, owner: str) -> bool:
        return _pid_alive(owner)

    def _after_forget(self) -> None:
        try:  # push the deletions out of the WAL file as well
            self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # another connection is busy; the checkpoint happens later

    def close(self) -> None:
        self._closed = True
        _LIVE_OWNERS.discard(self._owner)
        with self._conns_lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.close()
            except sqlite3.Error:
                pass


ConversationStore = SqliteStore  # the name the bot and the tests have always used
