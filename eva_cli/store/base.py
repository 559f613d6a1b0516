"""The conversation store's contract, and everything its backends share.

`Store` is what the bot, `eva build-pairs --feedback` and the tests use; `SqliteStore`
(conversation.py, the embedded default) and `PostgresStore` (postgres.py, for replicas) implement it.
The SQL here is written once, with `?` placeholders, in the dialect both SQLite and PostgreSQL accept
(upserts with ON CONFLICT, RETURNING). A backend provides connections and transactions (`_write`,
`_read`), how a claim's owner is known to be alive (`_owner_alive`), and the polling lease.

What is stored, and how:
- messages (user id, chat id, role, text, time): text encrypted; kept `retention_days`, then purged;
- users (language, training consent and when it was given): no text;
- feedback (rating, the prompt, the reply, an optional rewrite, language): texts encrypted; exported for
  training only while the user consents; purged with the retention window unless the user consents;
- updates (Telegram update ids already handled) and update_claims (ids being handled, by which process):
  a redelivered update is answered once, and one whose process died mid-reply is answered on redelivery.
Ids and timestamps are not encrypted (the store needs them to work). `/forget` removes every row of a
user in every table.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Callable

from eva_cli.errors import EvaError, InputError
from eva_cli.store.crypto import KEY_HINT, Cipher

KEY_CHECK = "eva-store-key-check"
ROLES = ("user", "assistant", "system")
CLAIM_LEASE_S = 600  # a claim older than this is abandoned whoever holds it (no reply takes that long)
HOST = socket.gethostname()

# Transaction locks a backend may take (PostgreSQL: advisory locks; SQLite serializes every write anyway).
SETUP_LOCK = ("setup", 0)


def update_lock(update_id: int) -> tuple[str, int]:
    return ("update", int(update_id))


def ts(now: datetime | None) -> float:
    if now is None:
        return time.time()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.timestamp()


def _text(value) -> str | None:
    """A meta value as text (SQLite may hand back bytes)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8")
    return value


class Store(ABC):
    """The encrypted conversation store (one contract, two backends; see the module doc)."""

    where: str  # the file or (password-free) URL, for messages

    def __init__(self, key: str | None, *, insecure: bool = False, retention_days: int = 30):
        if key is not None and not str(key).strip():
            key = None
        if key is None and not insecure:
            raise EvaError(
                "EVA_DATA_KEY is not set: the bot keeps conversations encrypted at rest.",
                KEY_HINT + " For local development only, pass --insecure-storage to store them unencrypted.",
            )
        if not isinstance(retention_days, int) or retention_days < 1:
            raise InputError(f"EVA_RETENTION_DAYS must be a whole number of days >= 1 (got {retention_days!r}).")
        self.retention_days = retention_days
        self._cipher = Cipher(key)
        self._owner = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex}"

    # ---- what a backend provides ----------------------------------------------------------------------
    @abstractmethod
    def _write(self, fn: Callable, lock: tuple[str, int] | None = None, durable: bool = True):
        """Run fn(conn) in one write transaction (serialized with others holding the same `lock`);
        conn.execute(sql_with_?_placeholders, args) returns a cursor (fetchone, fetchall, rowcount).
        durable=False: the commit need not wait for the disk; it survives a crash of this process, not
        of the database server (SQLite's WAL with synchronous=NORMAL gives every commit that guarantee)."""

    @abstractmethod
    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        """Rows of one query."""

    @abstractmethod
    def _owner_alive(self, conn, owner: str) -> bool:
        """Whether the store that made a claim (`owner`) is still open, so it may still answer."""

    @abstractmethod
    def close(self) -> None: ...

    def holds_polling_lease(self) -> bool:
        """Whether this replica may long-poll Telegram now (only one may; the others wait as hot standbys)."""
        return True

    def _after_forget(self) -> None:
        """A backend may push deleted rows out of its logs here."""

    # ---- encryption mode --------------------------------------------------------------------------------
    @property
    def encrypted(self) -> bool:
        return self._cipher.encrypted

    def _open_encryption(self) -> None:
        """First open: record the mode and a key check. Later opens: refuse a wrong or missing key."""

        def setup(conn):
            meta = {k: _text(v) for k, v in conn.execute("SELECT key, value FROM meta").fetchall()}
            if "encryption" not in meta:
                conn.execute("INSERT INTO meta (key, value) VALUES ('encryption', ?)", ("fernet" if self.encrypted else "none",))
                if self.encrypted:
                    conn.execute("INSERT INTO meta (key, value) VALUES ('key_check', ?)", (self._key_check(),))
                return
            mode = meta.get("encryption")
            if mode == "fernet":
                if not self.encrypted:
                    raise EvaError(f"{self.where} is encrypted, but EVA_DATA_KEY is not set.", "Set EVA_DATA_KEY to the key it was created with.")
                if not self._cipher.check_token((meta.get("key_check") or "").encode("ascii")):
                    raise EvaError(
                        f"EVA_DATA_KEY does not match the key {self.where} was encrypted with.",
                        "Set the original key (keys can be rotated as EVA_DATA_KEY=new,old).",
                    )
            elif mode == "none" and self.encrypted:
                self._encrypt_existing(conn)

        self._write(setup, SETUP_LOCK)

    def _key_check(self) -> str:
        return self._cipher.encrypt(KEY_CHECK).decode("ascii")

    def _encrypt_existing(self, conn) -> None:
        """An unencrypted (--insecure-storage) store opened with a key: encrypt every stored text in place."""
        for rid, content in conn.execute("SELECT id, content FROM messages").fetchall():
            conn.execute("UPDATE messages SET content=? WHERE id=?", (self._cipher.encrypt(bytes(content).decode("utf-8")), rid))
        for rid, prompt, reply, rewrite in conn.execute("SELECT id, prompt, reply, rewrite FROM feedback").fetchall():
            enc = [self._cipher.encrypt(bytes(v).decode("utf-8")) if v is not None else None for v in (prompt, reply, rewrite)]
            conn.execute("UPDATE feedback SET prompt=?, reply=?, rewrite=? WHERE id=?", (*enc, rid))
        conn.execute("UPDATE meta SET value='fernet' WHERE key='encryption'")
        conn.execute("INSERT INTO meta (key, value) VALUES ('key_check', ?) ON CONFLICT (key) DO UPDATE SET value=excluded.value",
                     (self._key_check(),))

    # ---- users ----------------------------------------------------------------------------------------------
    @staticmethod
    def _touch_user(conn, user_id: int) -> None:
        now = time.time()
        conn.execute(
            "INSERT INTO users (user_id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET updated_at=excluded.updated_at",
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

    # ---- messages ---------------------------------------------------------------------------------------------
    def add_message(self, user_id: int, chat_id: int, role: str, content: str) -> int:
        """Store one message (text encrypted); returns its row id."""
        if role not in ROLES:
            raise InputError(f"message role must be one of {', '.join(ROLES)} (got {role!r}).")
        blob = self._cipher.encrypt(str(content))

        def op(conn):
            self._touch_user(conn, user_id)
            cur = conn.execute(
                "INSERT INTO messages (user_id, chat_id, role, content, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (int(user_id), int(chat_id), role, blob, time.time()),
            )
            return int(cur.fetchone()[0])

        return self._write(op, durable=False)  # the hot path (see the update lifecycle below)

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
        self._after_forget()
        return n

    # ---- feedback ---------------------------------------------------------------------------------------------
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

    # ---- retention, summaries ---------------------------------------------------------------------------------
    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete messages (and non-consented feedback, and handled update ids) older than the retention window."""
        cutoff = ts(now) - self.retention_days * 86400

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

    # ---- the update lifecycle: claim -> finish | release ---------------------------------------------------
    # These and add_message are the hot path: they commit without waiting for the disk (durable=False), so a
    # reply never queues behind fsyncs, and the moment between a reply going out and its update being marked
    # handled (a replica killed then answers it twice on redelivery) stays as short as it can be. They survive
    # any crash of a bot process; a crash of the database server may lose the last moments of them.
    def claim_update(self, update_id: int) -> bool:
        """True when this store should handle the update: it is neither handled (`finish_update`) nor
        being handled by a live store (this one or another replica's). A claim left by a process that
        died mid-reply is taken over."""
        uid, now = int(update_id), time.time()

        def op(conn):
            if conn.execute("SELECT 1 FROM updates WHERE update_id = ?", (uid,)).fetchone():
                return False
            row = conn.execute("SELECT owner, claimed_at FROM update_claims WHERE update_id = ?", (uid,)).fetchone()
            if row and now - row[1] <= CLAIM_LEASE_S and self._owner_alive(conn, row[0]):
                return False
            conn.execute(
                "INSERT INTO update_claims (update_id, owner, claimed_at) VALUES (?, ?, ?) "
                "ON CONFLICT (update_id) DO UPDATE SET owner=excluded.owner, claimed_at=excluded.claimed_at",
                (uid, self._owner, now),
            )
            return True

        return self._write(op, update_lock(uid), durable=False)

    def finish_update(self, update_id: int) -> None:
        """Mark a claimed update handled: a redelivery of it is skipped from now on."""
        uid = int(update_id)

        def op(conn):
            conn.execute("INSERT INTO updates (update_id, handled_at) VALUES (?, ?) ON CONFLICT (update_id) DO NOTHING", (uid, time.time()))
            conn.execute("DELETE FROM update_claims WHERE update_id = ?", (uid,))

        self._write(op, update_lock(uid), durable=False)

    def release_update(self, update_id: int) -> None:
        """Give a claim back unhandled (the handler was cancelled): a redelivery handles it."""
        uid = int(update_id)
        self._write(lambda conn: conn.execute("DELETE FROM update_claims WHERE update_id = ? AND owner = ?", (uid, self._owner)),
                    update_lock(uid), durable=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
