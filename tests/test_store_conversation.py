"""The encrypted conversation store: encryption at rest, keys, history, reset, forget, consent, retention."""

import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from eva_cli.errors import EvaError
from eva_cli.store import ConversationStore, new_key


@pytest.fixture
def key():
    return new_key()


@pytest.fixture
def store(tmp_path, key):
    s = ConversationStore(tmp_path / "bot" / "eva.sqlite", key)
    yield s
    s.close()


def _raw(path):
    data = b""
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            data += p.read_bytes()
    return data


def test_text_is_encrypted_at_rest_and_key_not_stored(tmp_path, key):
    path = tmp_path / "eva.sqlite"
    s = ConversationStore(path, key)
    mid = s.add_message(1, 1, "user", "мій секрет: I want to disappear")
    s.add_feedback(1, 1, mid, -1, [{"role": "user", "content": "prompt-secret"}], "reply-secret", "rewrite-secret")
    raw = _raw(path)
    for secret in ("мій секрет".encode(), b"disappear", b"prompt-secret", b"reply-secret", b"rewrite-secret", key.encode()):
        assert secret not in raw
    assert s.history(1) == [{"role": "user", "content": "мій секрет: I want to disappear"}]
    assert s.encrypted and s.user_summary(1)["encrypted"]
    s.close()
    assert key.encode() not in path.read_bytes()


def test_missing_key_needs_insecure_flag(tmp_path):
    with pytest.raises(EvaError, match="EVA_DATA_KEY is not set.*--insecure-storage"):
        ConversationStore(tmp_path / "a.sqlite", None)
    with ConversationStore(tmp_path / "a.sqlite", None, insecure=True) as s:
        s.add_message(1, 1, "user", "plain text")
        assert not s.encrypted
    assert b"plain text" in _raw(tmp_path / "a.sqlite")


def test_wrong_or_invalid_key_is_a_clear_error(tmp_path, key):
    path = tmp_path / "a.sqlite"
    ConversationStore(path, key).close()
    with pytest.raises(EvaError, match="does not match"):
        ConversationStore(path, new_key())
    with pytest.raises(EvaError, match="not a valid Fernet key"):
        ConversationStore(tmp_path / "b.sqlite", "not-a-key")
    with pytest.raises(EvaError, match="encrypted, but EVA_DATA_KEY is not set"):
        ConversationStore(path, None, insecure=True)


def test_key_rotation_and_upgrading_an_insecure_database(tmp_path, key):
    path = tmp_path / "a.sqlite"
    with ConversationStore(path, key) as s:
        s.add_message(1, 1, "user", "old key text")
    new = new_key()
    with ConversationStore(path, f"{new},{key}") as s:  # new key first, old one still decrypts
        assert s.history(1)[0]["content"] == "old key text"
    plain = tmp_path / "p.sqlite"
    with ConversationStore(plain, None, insecure=True) as s:
        s.add_message(2, 2, "user", "was plaintext")
    with ConversationStore(plain, key) as s:
        assert s.history(2)[0]["content"] == "was plaintext"
    assert b"was plaintext" not in _raw(plain)


def test_history_order_limit_and_reset(store):
    for i in range(5):
        store.add_message(1, 10, "user" if i % 2 == 0 else "assistant", f"m{i}")
    store.add_message(1, 11, "user", "other chat")
    assert [m["content"] for m in store.history(10)] == ["m0", "m1", "m2", "m3", "m4"]
    assert [m["content"] for m in store.history(10, limit=2)] == ["m3", "m4"]
    store.reset(10)
    assert store.history(10) == []
    assert store.history(11) == [{"role": "user", "content": "other chat"}]
    with pytest.raises(EvaError):
        store.add_message(1, 10, "robot", "x")


def test_forget_user_deletes_every_row_in_every_table(store, tmp_path):
    store.add_message(5, 5, "user", "hi")
    store.add_message(5, 5, "assistant", "hello")
    store.set_lang(5, "uk")
    store.set_consent(5, True)
    store.add_feedback(5, 5, 1, 1, [{"role": "user", "content": "hi"}], "hello")
    store.add_message(6, 6, "user", "someone else")
    assert store.forget_user(5) == 4  # 2 messages + 1 feedback + 1 user row
    conn = sqlite3.connect(store.path)
    for table, col in (("messages", "user_id"), ("feedback", "user_id"), ("users", "user_id")):
        assert conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {col}=5").fetchone()[0] == 0
    conn.close()
    assert store.user_summary(5) == {**store.user_summary(5), "messages": 0, "feedback": 0, "consent": False, "lang": None}
    assert store.history(6) == [{"role": "user", "content": "someone else"}]


def test_consent_controls_export(store):
    p = [{"role": "user", "content": "привіт"}]
    store.add_feedback(1, 1, 1, 1, p, "reply one", None)
    store.add_feedback(2, 2, 2, -1, [{"role": "user", "content": "hi"}], "reply two", "better two")
    assert store.export_feedback() == []
    assert not store.has_consent(1)
    store.set_consent(1, True)
    store.set_consent(2, True)
    out = store.export_feedback()
    assert out == [
        {"prompt": p, "reply": "reply one", "rating": 1, "rewrite": None, "lang": "uk"},
        {"prompt": [{"role": "user", "content": "hi"}], "reply": "reply two", "rating": -1, "rewrite": "better two", "lang": "en"},
    ]
    store.set_consent(2, False)  # /consent off withdraws at once
    assert [x["reply"] for x in store.export_feedback()] == ["reply one"]
    with pytest.raises(EvaError):
        store.add_feedback(1, 1, 1, 5, p, "x")


def test_lang_and_summary(store):
    assert store.get_lang(9) is None
    store.set_lang(9, "uk")
    store.add_message(9, 9, "user", "x")
    s = store.user_summary(9)
    assert s["lang"] == "uk" and s["messages"] == 1 and s["feedback"] == 0 and s["retention_days"] == 30 and s["oldest_message"]
    assert "x" not in str({k: v for k, v in s.items() if k != "oldest_message"})


def test_retention_purge(tmp_path, key):
    path = tmp_path / "r.sqlite"
    with ConversationStore(path, key, retention_days=7) as s:
        s.add_message(1, 1, "user", "old")
        s.add_feedback(1, 1, 1, 1, [{"role": "user", "content": "old"}], "r")
        s.add_feedback(2, 2, 1, 1, [{"role": "user", "content": "kept"}], "r")
        s.set_consent(2, True)
        assert s.claim_update(100)
        later = datetime.now(timezone.utc) + timedelta(days=8)
        assert s.purge_expired(now=later) == 2  # the message and the non-consented feedback
        assert s.history(1) == []
        assert len(s.export_feedback()) == 1  # consented feedback is kept for training
        assert s.claim_update(100)  # handled-update ids expire too
    with pytest.raises(EvaError):
        ConversationStore(tmp_path / "x.sqlite", key, retention_days=0)


def test_purge_runs_on_open(tmp_path, key):
    path = tmp_path / "o.sqlite"
    with ConversationStore(path, key, retention_days=1) as s:
        s.add_message(1, 1, "user", "stale")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE messages SET created_at = created_at - 3 * 86400")
    conn.commit()
    conn.close()
    with ConversationStore(path, key, retention_days=1) as s:
        assert s.history(1) == []


def test_claim_update_is_idempotent(store):
    assert store.claim_update(42) is True
    assert store.claim_update(42) is False  # being handled
    store.finish_update(42)
    assert store.claim_update(42) is False  # handled
    assert store.claim_update(43) is True
    store.release_update(43)  # cancelled before the reply
    assert store.claim_update(43) is True


def test_a_claim_of_a_killed_process_is_taken_over(tmp_path, key):
    path = tmp_path / "eva.sqlite"
    code = ("import os, signal, sys; from eva_cli.store import ConversationStore; "
            "s = ConversationStore(sys.argv[1], sys.argv[2]); s.claim_update(7); s.claim_update(8); s.finish_update(8); "
            "os.kill(os.getpid(), signal.SIGKILL)")
    proc = subprocess.run([sys.executable, "-c", code, str(path), key], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    with ConversationStore(path, key) as s, ConversationStore(path, key) as other:
        assert s.claim_update(7) is True  # the killed process never answered it
        assert s.claim_update(8) is False  # that one it had answered
        assert other.claim_update(7) is False  # now held by a live store


def test_wal_mode_and_closed_store(tmp_path, key):
    s = ConversationStore(tmp_path / "w.sqlite", key)
    assert s._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()
    with pytest.raises(EvaError, match="closed"):
        s.history(1)


def test_not_a_database_is_a_clear_error(tmp_path, key):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(EvaError, match="not a usable SQLite database"):
        ConversationStore(path, key)
