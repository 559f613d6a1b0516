"""Many threads on one store, on both backends: no lost writes, one winner per Telegram update."""

import threading

from eva_cli.store import new_key


def _run_threads(n, target):
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_concurrent_writers_lose_nothing(store_backend):
    store = store_backend.open(new_key())
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

    _run_threads(threads, work)
    assert errors == []
    for t in range(threads):
        msgs = store.history(t, limit=1000)
        assert [m["content"] for m in msgs] == [f"t{t}-{i}" for i in range(per_thread)]
    store.close()


def test_concurrent_claims_of_one_update_have_one_winner(store_backend):
    """Six stores (six replicas' worth of connections) race for each of 20 updates."""
    key = new_key()
    stores = [store_backend.open(key) for _ in range(6)]
    barrier = threading.Barrier(6)
    wins: dict[int, list[int]] = {u: [] for u in range(20)}

    def claim(i):
        for update in range(20):
            barrier.wait()
            if stores[i].claim_update(update):
                wins[update].append(i)
                if update % 2:
                    stores[i].finish_update(update)

    _run_threads(6, claim)
    assert all(len(w) == 1 for w in wins.values()), wins
    for s in stores:
        s.close()
