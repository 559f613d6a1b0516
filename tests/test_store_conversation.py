"""The encrypted conversation store, on both backends (SQLite and PostgreSQL, one parametrized suite):
encryption at rest, keys, history, reset, forget, consent, retention, the update lifecycle."""

import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from eva_cli.errors import EvaError
from eva_cli.store import new_key


@pytest.fixture
def key():
    return new_key()


@pytest.fixture
def store(store_backend, key):
    s = store_backend.open(key)
    yield s
    s.close()


def test_text_is_encrypted_at_rest_and_key_not_stored(store_backend, key):
    s = store_backend.open(key)
    mid = s.add_message(1, 1, "user", "мій секрет: I want to disappear")
    s.add_feedback(1, 1, mid, -1, [{"role": "user", "content": "prompt-secret"}], "reply-secret", "rewrite-secret")
    raw = store_backend.raw()
    assert b"eva-store-key-check" not in raw and len(raw) > 200
    for secret in ("мій секрет".encode(), b"disappear", b"prompt-secret", b"reply-secret", b"rewrite-secret", key.encode()):
        assert secret not in raw
    assert s.history(1) == [{"role": "user", "content": "мій секрет: I want to disappear"}]
    assert s.encrypted and s.user_summary(1)["encrypted"]
    s.close()
    assert key.encode() not in store_backend.raw()


def test_missing_key_needs_insecure_flag(store_backend):
    with pytest.raises(EvaError, match="EVA_DATA_KEY is not set.*--insecure-storage"):
        store_backend.open(None)
    with store_backend.open(None, insecure=True) as s:
        s.add_message(1, 1, "user", "plain text")
        assert not s.encrypted
    assert b"plain text" in store_backend.raw()


def test_wrong_or_invalid_key_is_a_clear_error(store_backend, key):
    store_backend.open(key).close()
    with pytest.raises(EvaError, match="does not match"):
        store_backend.open(new_key())
    with pytest.raises(EvaError, match="not a valid Fernet key"):
        store_backend.open("not-a-key", label="b")
    with pytest.raises(EvaError, match="encrypted, but EVA_DATA_KEY is not set"):
        store_backend.open(None, insecure=True)


def test_key_rotation_and_upgrading_an_insecure_store(store_backend, key):
    with store_backend.open(key) as s:
        s.add_message(1, 1, "user", "old key text")
    new = new_key()
    with store_backend.open(f"{new},{key}") as s:  # new key first, old one still decrypts
        assert s.history(1)[0]["content"] == "old key text"
    with store_backend.open(None, label="plain", insecure=True) as s:
        s.add_message(2, 2, "user", "was plaintext")
        s.add_feedback(2, 2, 1, -1, [{"role": "user", "content": "plain prompt"}], "plain reply", "plain rewrite")
        s.set_consent(2, True)
    with store_backend.open(key, label="plain") as s:
        assert s.history(2)[0]["content"] == "was plaintext"
        assert s.export_feedback()[0]["rewrite"] == "plain rewrite"
    raw = store_backend.raw("plain")
    assert b"was plaintext" not in raw and b"plain prompt" not in raw and b"plain rewrite" not in raw
    with pytest.raises(EvaError, match="does not match"):  # the upgraded store now checks its key
        store_backend.open(new_key(), label="plain")


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


def test_forget_user_deletes_every_row_in_every_table(store, store_backend):
    store.add_message(5, 5, "user", "hi")
    store.add_message(5, 5, "assistant", "hello")
    store.set_lang(5, "uk")
    store.set_consent(5, True)
    store.add_feedback(5, 5, 1, 1, [{"role": "user", "content": "hi"}], "hello")
    store.add_message(6, 6, "user", "someone else")
    assert store.forget_user(5) == 4  # 2 messages + 1 feedback + 1 user row
    for table in ("messages", "feedback", "users"):
        assert store_backend.sql(f"SELECT COUNT(*) FROM {table} WHERE user_id=5")[0][0] == 0
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


def test_retention_purge(store_backend, key):
    with store_backend.open(key, retention_days=7) as s:
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
        store_backend.open(key, label="x", retention_days=0)


def test_purge_runs_on_open(store_backend, key):
    with store_backend.open(key, retention_days=1) as s:
        s.add_message(1, 1, "user", "stale")
        s.add_message(2, 2, "user", "fresh")
    store_backend.sql("UPDATE messages SET created_at = created_at - 3 * 86400 WHERE user_id = 1")
    with store_backend.open(key, retention_days=1) as s:
        assert s.history(1) == []
        assert s.history(2) == [{"role": "user", "content": "fresh"}]


def test_claim_update_is_idempotent(store):
    assert store.claim_update(42) is True
    assert store.claim_update(42) is False  # being handled
    store.finish_update(42)
    assert store.claim_update(42) is False  # handled
    assert store.claim_update(43) is True
    store.release_update(43)  # cancelled before the reply
    assert store.claim_update(43) is True


def test_two_stores_on_one_database_share_the_update_lifecycle(store_backend, key):
    with store_backend.open(key) as a, store_backend.open(key) as b:
        assert a.claim_update(1) is True
        assert b.claim_update(1) is False  # a live claim of the other store
        b.release_update(1)  # not b's claim: nothing to give back
        assert b.claim_update(1) is False
        a.finish_update(1)
        assert b.claim_update(1) is False
        a.add_message(1, 1, "user", "from a")
        b.add_message(1, 1, "assistant", "from b")
        assert [m["content"] for m in a.history(1)] == ["from a", "from b"]


def _claimed_then_killed(target, key, claimed: int, finished: int) -> None:
    code = ("import os, signal, sys; from eva_cli.store import open_store; "
            "s = open_store(sys.argv[1], sys.argv[2]); s.claim_update(int(sys.argv[3])); "
            "s.claim_update(int(sys.argv[4])); s.finish_update(int(sys.argv[4])); os.kill(os.getpid(), signal.SIGKILL)")
    proc = subprocess.run([sys.executable, "-c", code, str(target), key, str(claimed), str(finished)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def _eventually(check, seconds: float = 10.0) -> bool:
    """PostgreSQL notices a killed client's closed connection (and drops its locks) a moment later."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_claim_of_a_killed_process_is_taken_over(store_backend, key):
    store_backend.open(key).close()
    _claimed_then_killed(store_backend.target(), key, 7, 8)
    with store_backend.open(key) as s, store_backend.open(key) as other:
        assert _eventually(lambda: s.claim_update(7))  # the killed process never answered it
        assert s.claim_update(8) is False  # that one it had answered
        assert other.claim_update(7) is False  # now held by a live store


def test_a_closed_store_refuses_calls(store_backend, key):
    s = store_backend.open(key)
    s.close()
    with pytest.raises(EvaError, match="closed"):
        s.history(1)


# -- backend specifics ------------------------------------------------------------------------------

def test_sqlite_wal_mode(tmp_path, key):
    from eva_cli.store import SqliteStore

    with SqliteStore(tmp_path / "w.sqlite", key) as s:
        assert s._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_not_a_database_is_a_clear_error(tmp_path, key):
    from eva_cli.store import open_store

    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(EvaError, match="not a usable SQLite database"):
        open_store(path, key)


def test_store_target_errors(key):
    from eva_cli.store import open_store

    with pytest.raises(EvaError, match="neither a postgresql:// URL nor a SQLite file"):
        open_store("mysql://db/eva", key)
    with pytest.raises(EvaError, match=r"cannot connect to the PostgreSQL store postgresql://eva:\*\*\*@127.0.0.1:9/x") as err:
        open_store("postgresql://eva:hunter2@127.0.0.1:9/x", key)
    assert "hunter2" not in str(err.value)


def test_postgres_migrations_are_recorded_and_safe_when_replicas_start_at_once(pg_url, key):
    import threading

    from eva_cli.store import open_store
    from eva_cli.store.postgres import MIGRATIONS

    stores, errors, barrier = [], [], threading.Barrier(4)

    def start():
        barrier.wait()
        try:
            stores.append(open_store(pg_url, key))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    import psycopg

    with psycopg.connect(pg_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY version")]
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert versions == [v for v, _ in MIGRATIONS]
        assert meta["encryption"] == "fernet"
        conn.execute("INSERT INTO schema_version VALUES (999, 0)")
        conn.commit()
    for s in stores:
        s.close()
    with pytest.raises(EvaError, match="schema version 999, newer than this eva knows"):
        open_store(pg_url, key)
