"""The bot's conversation store: SQLite in WAL mode, message text encrypted at rest.

What is stored, and how:
- messages (user id, chat id, role, text, time): text encrypted; kept `retention_days`, then purged;
- users (language, training consent and when it was given): no text;
- feedback (rating, the prompt, the reply, an optional rewrite, language): texts encrypted; exported for
  training only while the user consents; purged with the retention window unless the user consents;
- updates (Telegram update ids already handled) and update_claims (ids being handled, by which process):
  a redelivered update is answered once, and one whose process died mid-reply is answered on redelivery.
Ids and timestamps are not encrypted (the store needs them to work). Deleted rows are overwritten
(`secure_delete`). `/forget` removes every row of a user in every table.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from eva_cli.errors import EvaError, InputError
from eva_cli.store.crypto import KEY_HINT, Cipher

SCHEMA_VERSION = "1"
_KEY_CHECK = b"eva-store-key-check"
ROLES = ("user", "assistant", "system")

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
"""
CLAIM_LEASE_S = 600  # a claim older than this is abandoned whoever holds it (no reply takes that long)
_HOST = socket.gethostname()
_LIVE_OWNERS: set[str] = set()  # claim owners of the stores open in this process


def _claim_alive(owner: str, claimed_at: float, now: float) -> bool:
    """Whether the process that claimed an update may still answer it."""
    if now - claimed_at > CLAIM_LEASE_S:
        return False
    host, pid, _ = owner.split(":", 2)
    if host != _HOST:
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


def _ts(now: datetime | None) -> float:
    if now is None:
        return time.time()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.timestamp()


class ConversationStore:
    """Thread-safe store for the bot (one SQLite connection per thread, WAL, short write transactions)."""

    def __init__(self, path: Path, key: str | None, *, insecure: bool = False, retention_days: int = 30):
        if key is not None and not str(key).strip():
            key = None
        if key is None and not insecure:
            raise EvaError(
                "EVA_DATA_KEY is not set: the bot keeps conversations encrypted at rest.",
                KEY_HINT + " For local development only, pass --insecure-storage to store them unencrypted.",
            )
        if not isinstance(retention_days, int) or retention_days < 1:
            raise InputError(f"EVA_RETENTION_DAYS must be a whole number of days >= 1 (got {retention_days!r}).")
        self.path = Path(path)
        self.retention_days = retention_days
        self._cipher = Cipher(key)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._closed = False
        self._owner = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex}"
        _LIVE_OWNERS.add(self._owner)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = self._conn()
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise EvaError(f"{self.path} is not a usable SQLite database ({exc}).", "Move it away; a new one is created on start.") from None
        self._open_encryption()
        self.purge_expired()

    # ---- connections and transactions --------------------------------------------------------------
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

    def _write(self, fn):
        """Run fn(conn) inside one immediate (write-locked) transaction."""
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

    # ---- encryption mode -------------------------------------------------------------------------------
    @property
    def encrypted(self) -> bool:
        return self._cipher.encrypted

    def _open_encryption(self) -> None:
        def setup(conn):
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                conn.execute("INSERT INTO meta VALUES ('encryption', ?)", ("fernet" if self.encrypted else "none",))
                if self.encrypted:
                    conn.execute("INSERT INTO meta VALUES ('key_check', ?)", (self._cipher.encrypt(_KEY_CHECK.decode()),))
                return
            mode = meta.get("encryption")
            if mode == "fernet":
                if not self.encrypted:
                    raise EvaError(f"{self.path} is encrypted, but EVA_DATA_KEY is not set.", "Set EVA_DATA_KEY to the key it was created with.")
                if not self._cipher.check_token(meta.get("key_check") or b""):
                    raise EvaError(
                        f"EVA_DATA_KEY does not match the key {self.path} was encrypted with.",
                        "Set the original key (keys can be rotated as EVA_DATA_KEY=new,old).",
                    )
            elif mode == "none" and self.encrypted:
                self._encrypt_existing(conn)

        try:
            self._write(setup)
        except EvaError:
            self.close()
            raise

    def _encrypt_existing(self, conn) -> None:
        """An unencrypted (--insecure-storage) database opened with a key: encrypt every stored text in place."""
        for rid, content in conn.execute("SELECT id, content FROM messages").fetchall():
            conn.execute("UPDATE messages SET content=? WHERE id=?", (self._cipher.encrypt(bytes(content).decode("utf-8")), rid))
        for rid, prompt, reply, rewrite in conn.execute("SELECT id, prompt, reply, rewrite FROM feedback").fetchall():
            enc = [self._cipher.encrypt(bytes(v).decode("utf-8")) if v is not None else None for v in (prompt, reply, rewrite)]
            conn.execute("UPDATE feedback SET prompt=?, reply=?, rewrite=? WHERE id=?", (*enc, rid))
        conn.execute("UPDATE meta SET value='fernet' WHERE key='encryption'")
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('key_check', ?)", (self._cipher.encrypt(_KEY_CHECK.decode()),))

    # ---- users -------------------------------------------------------------------------------------------
    @staticmethod
    def _touch_user(conn, user_id: int) -> None:
        now = time.time()
        conn.execute(
            "INSERT INTO users (user_id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET updated_at=excluded.updated_at",
            (int(user_id), now, now),
        )

    def set_lang(self, user_id: int, lang: str | None) -> None:
        def op(conn):
            self._touch_user(conn, user_id)
            conn.execute("UPDATE users SET lang=? WHERE user_id=?", (lang, int(user_id)))

        self._write(op)

    def get_lang(self, user_id: int) -> str | None:
        rows = self._read("SELECT lang FROM users WHERE user_id=?", (int(user_id),))
        return rows[0][0] if rows else None

    def set_consent(self, user_id: int, consent: bool) -> None:
        """/consent and /consent off. Withdrawing stops export at once; stored feedback then ages out with the retention window."""

        def op(conn):
            self._touch_user(conn, user_id)
            conn.execute("UPDATE users SET consent=?, consent_at=? WHERE user_id=?", (1 if consent else 0, time.time() if consent else None, int(user_id)))

        self._write(op)

    def has_consent(self, user_id: int) -> bool:
        rows = self._read("SELECT consent FROM users WHERE user_id=?", (int(user_id),))
        return bool(rows and rows[0][0])

    # ---- messages ----------------------------------------------------------------------------------------
    def add_message(self, user_id: int, chat_id: int, role: str, content: str) -> int:
        """Store one message (text encrypted); returns its row id."""
        if role not in ROLES:
            raise InputError(f"message role must be one of {', '.join(ROLES)} (got {role!r}).")
        blob = self._cipher.encrypt(str(content))

        def op(conn):
            self._touch_user(conn, user_id)
            cur = conn.execute(
                "INSERT INTO messages (user_id, chat_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)",
                (int(user_id), int(chat_id), role, blob, time.time()),
            )
            return int(cur.lastrowid)

        return self._write(op)

    def history(self, chat_id: int, limit: int = 50) -> list[dict]:
        """The last `limit` messages of a chat since its last /reset, oldest first: [{"role", "content"}]."""
        rows = self._read("SELECT role, content FROM messages WHERE chat_id=? ORDER BY id DESC LIMIT ?", (int(chat_id), max(0, int(limit))))
        return [{"role": role, "content": self._cipher.decrypt(content)} for role, content in reversed(rows)]

    def reset(self, chat_id: int) -> None:
        """/reset: the chat's context is forgotten (its messages are deleted)."""
        self._write(lambda conn: conn.execute("DELETE FROM messages WHERE chat_id=?", (int(chat_id),)))

    def forget_user(self, user_id: int) -> int:
        """/forget: delete every row of the user in every table (and their private chat); returns the count."""
        uid = int(user_id)

        def op(conn):
            n = conn.execute("DELETE FROM messages WHERE user_id=? OR chat_id=?", (uid, uid)).rowcount
            n += conn.execute("DELETE FROM feedback WHERE user_id=? OR chat_id=?", (uid, uid)).rowcount
            n += conn.execute("DELETE FROM users WHERE user_id=?", (uid,)).rowcount
            return n

        n = self._write(op)
        try:  # push the deletions out of the WAL file as well
            self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # another connection is busy; the checkpoint happens later
        return n

    # ---- feedback ----------------------------------------------------------------------------------------
    def add_feedback(self, user_id: int, chat_id: int, message_id: int, rating: int, prompt: list[dict], reply: str, rewrite: str | None = None) -> None:
        """A +1 / -1 rating of a reply, with the conversation that led to it and an optional better reply."""
        if rating not in (1, -1):
            raise InputError(f"feedback rating must be +1 or -1 (got {rating!r}).")
        if not isinstance(prompt, list) or not all(isinstance(m, dict) and "role" in m and "content" in m for m in prompt):
            raise InputError("feedback prompt must be a list of {'role', 'content'} messages.")
        lang = self.get_lang(user_id)
        if lang is None:
            from eva_cli.lang import detect_lang

            last_user = next((m["content"] for m in reversed(prompt) if m["role"] == "user"), reply)
            lang = detect_lang(str(last_user))
        p = self._cipher.encrypt(json.dumps(prompt, ensure_ascii=False))
        r = self._cipher.encrypt(str(reply))
        w = self._cipher.encrypt(str(rewrite)) if rewrite is not None else None

        def op(conn):
            self._touch_user(conn, user_id)
            conn.execute(
                "INSERT INTO feedback (user_id, chat_id, message_id, rating, prompt, reply, rewrite, lang, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (int(user_id), int(chat_id), int(message_id) if message_id is not None else None, int(rating), p, r, w, lang, time.time()),
            )

        self._write(op)

    def export_feedback(self) -> list[dict]:
        """Feedback of users who consent right now: [{"prompt": [...], "reply", "rating", "rewrite", "lang"}], oldest first."""
        rows = self._read(
            "SELECT f.prompt, f.reply, f.rating, f.rewrite, f.lang FROM feedback f JOIN users u ON u.user_id = f.user_id "
            "WHERE u.consent = 1 ORDER BY f.id"
        )
        return [
            {
                "prompt": json.loads(self._cipher.decrypt(p)),
                "reply": self._cipher.decrypt(r),
                "rating": int(rating),
                "rewrite": self._cipher.decrypt(w) if w is not None else None,
                "lang": lang,
            }
            for p, r, rating, w, lang in rows
        ]

    # ---- retention, summaries, idempotency -------------------------------------------------------------
    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete messages (and non-consented feedback, and handled update ids) older than the retention window."""
        cutoff = _ts(now) - self.retention_days * 86400

        def op(conn):
            n = conn.execute("DELETE FROM messages WHERE created_at < ?", (cutoff,)).rowcount
            n += conn.execute(
                "DELETE FROM feedback WHERE created_at < ? AND user_id NOT IN (SELECT user_id FROM users WHERE consent = 1)", (cutoff,)
            ).rowcount
            conn.execute("DELETE FROM updates WHERE handled_at < ?", (cutoff,))
            conn.execute("DELETE FROM update_claims WHERE claimed_at < ?", (cutoff,))
            return n

        return self._write(op)

    def user_summary(self, user_id: int) -> dict:
        """What is stored about a user, for /privacy (counts only, no text)."""
        uid = int(user_id)
        msgs, oldest = self._read("SELECT COUNT(*), MIN(created_at) FROM messages WHERE user_id=?", (uid,))[0]
        fb = self._read("SELECT COUNT(*) FROM feedback WHERE user_id=?", (uid,))[0][0]
        user = self._read("SELECT lang, consent, consent_at FROM users WHERE user_id=?", (uid,))
        lang, consent, consent_at = user[0] if user else (None, 0, None)
        iso = lambda t: datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds") if t else None  # noqa: E731
        return {
            "user_id": uid,
            "messages": int(msgs),
            "feedback": int(fb),
            "oldest_message": iso(oldest),
            "lang": lang,
            "consent": bool(consent),
            "consent_since": iso(consent_at),
            "retention_days": self.retention_days,
            "encrypted": self.encrypted,
        }

    def claim_update(self, update_id: int) -> bool:
        """True when this process should handle the update: it is neither handled (`finish_update`) nor
        being handled by a live process. A claim left by a process that died mid-reply is taken over."""
        uid, now = int(update_id), time.time()

        def op(conn):
            if conn.execute("SELECT 1 FROM updates WHERE update_id = ?", (uid,)).fetchone():
                return False
            row = conn.execute("SELECT owner, claimed_at FROM update_claims WHERE update_id = ?", (uid,)).fetchone()
            if row and _claim_alive(row[0], row[1], now):
                return False
            conn.execute("INSERT OR REPLACE INTO update_claims VALUES (?, ?, ?)", (uid, self._owner, now))
            return True

        return self._write(op)

    def finish_update(self, update_id: int) -> None:
        """Mark a claimed update handled: a redelivery of it is skipped from now on."""
        def op(conn):
            conn.execute("INSERT OR IGNORE INTO updates VALUES (?, ?)", (int(update_id), time.time()))
            conn.execute("DELETE FROM update_claims WHERE update_id = ?", (int(update_id),))

        self._write(op)

    def release_update(self, update_id: int) -> None:
        """Give a claim back unhandled (the handler was cancelled): a redelivery handles it."""
        self._write(lambda conn: conn.execute("DELETE FROM update_claims WHERE update_id = ?", (int(update_id),)))

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

    def __enter__(self) -> "ConversationStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
