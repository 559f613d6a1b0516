"""Many threads on one store: no lost writes, one winner per Telegram update."""

import threading

from eva_cli.store import ConversationStore, new_key


def test_concurrent_writers_lose_nothing(tmp_path):
    store = ConversationStore(tmp_path / "c.sqlite", new_key())
    threads, per_thread, errors = 8, 40, []

    def work(t):
        try:
            for i in range(per_thread):
                store.add_message(t, t, "user", f"t{t}-{i}")
                if i % 10 == 0:
                    store.set_consent(t, i % 20 == 0)
                    store.history(t, limit=5)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    ts = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    for t in range(threads):
        msgs = store.history(t, limit=1000)
        assert [m["content"] for m in msgs] == [f"t{t}-{i}" for i in range(per_thread)]
    store.close()


def test_concurrent_claims_of_one_update_have_one_winner(tmp_path):
    store = ConversationStore(tmp_path / "u.sqlite", new_key())
    results, barrier = [], threading.Barrier(6)

    def claim():
        barrier.wait()
        results.append(store.claim_update(777))

    ts = [threading.Thread(target=claim) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    store.close()


def test_two_store_objects_on_one_file(tmp_path):
    key = new_key()
    a = ConversationStore(tmp_path / "s.sqlite", key)
    b = ConversationStore(tmp_path / "s.sqlite", key)
    a.add_message(1, 1, "user", "from a")
    b.add_message(1, 1, "assistant", "from b")
    assert [m["content"] for m in a.history(1)] == ["from a", "from b"]
    a.close()
    b.close()
