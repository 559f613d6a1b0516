"""`eva bench train` and its long-tailed length mix (tiny random model; both sides really train)."""

from __future__ import annotations

import json
import statistics

import pyarrow as pa


def test_length_mix_is_long_tailed_and_seeded():
    from eva_cli.bench.train_bench import length_mix

    rows = length_mix(200, seed=1)
    words = [len(r["chosen"][0]["content"].split()) for r in rows]
    assert 50 <= statistics.median(words) <= 70
    assert max(words) == 600 and min(words) >= 10
    assert length_mix(200, seed=1) == rows
    assert length_mix(200, seed=2) != rows
    first = rows[0]
    assert first["prompt"][0]["role"] == "system" and first["prompt"][-1]["role"] == "user"
    assert first["chosen"][0]["role"] == first["rejected"][0]["role"] == "assistant"


def test_select_data_takes_the_same_pairs_for_both_sides():
    from eva_cli.bench.train_bench import TrainBenchConfig, length_mix, select_data

    corpus = [dict(r, id=f"pairs-{i}") for i, r in enumerate(length_mix(30, seed=9))]
    cfg = TrainBenchConfig(steps=5, batch_size=4, eval_pairs=4, pairs="x.parquet")
    train, held, desc = select_data(cfg, corpus)
    assert len(train) == 20 and len(held) == 4
    assert desc["sources"] == {"corpus": 10, "mix": 10}
    assert not {r["id"] for r in train} & {r["id"] for r in held}
    assert select_data(cfg, corpus)[0] == train  # seeded
    # pairs whose prompt alone fills max_length are dropped (TRL would give them a NaN loss)
    long_ids = {r["id"] for r in corpus[:5]}
    train2, held2, desc2 = select_data(cfg, corpus, fits=lambda r: r["id"] not in long_ids)
    assert desc2["dropped_prompt_too_long"] == 5
    assert not long_ids & {r["id"] for r in train2 + held2}


def write_pairs(path, rows):
    from eva_cli.schema import PAIRS, write_table

    table_rows = [{"id": f"p{i}", "example_id": f"e{i}", "prompt": r["prompt"], "chosen": r["chosen"],
                   "rejected": r["rejected"], "strategy": "ranked", "source": "test", "lang": "en", "split": "train"}
                  for i, r in enumerate(rows)]
    write_table(table_rows, path, PAIRS)


def test_bench_train_json_runs_both_sides(eva, workspace, tiny_model_dir):
    from eva_cli.bench.train_bench import length_mix

    write_pairs(workspace / "pairs" / "train.parquet", length_mix(12, seed=5))
    res = eva("bench", "train", "--model", str(tiny_model_dir), "--steps", "2", "--batch-size", "2",
              "--max-length", "1024", "--eval-pairs", "2", "--json")
    assert res.code == 0, res.output
    report = json.loads(res.out)
    base, fast = report["baseline"], report["eva"]
    assert report["data"]["sources"] == {"corpus": 2, "mix": 2}  # workspace pairs are the default --pairs
    for side in (base, fast):
        assert side["samples"] == 4 and side["details"]["steps"] == 2
        assert side["samples_per_second"] > 0 and side["tokens_per_second"] > 0
        assert 0 <= side["padding_fraction"] < 1 and side["peak_memory_mb"] > 0
    assert report["speedup"] == round(fast["samples_per_second"] / base["samples_per_second"], 3)
    # the same model, data and objective: before training both sides score the held-out pairs alike
    assert abs(base["eval_loss_before"] - fast["eval_loss_before"]) < 1e-4
    assert fast["details"]["layout"] == "shared" and base["details"]["layout"].startswith("concat")
    assert fast["details"]["train_tokens"] == base["details"]["train_tokens"]


def test_bench_train_bad_input(eva, workspace, tmp_path):
    res = eva("bench", "train", "--pairs", str(tmp_path / "missing.parquet"), "--steps", "1")
    assert res.code == 2 and "--pairs" in res.err and "Traceback" not in res.output
    res = eva("bench", "train", "--steps", "0")
    assert res.code == 2 and "--steps" in res.err
    bad = tmp_path / "bad.parquet"
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["hello"]}), bad)
    res = eva("bench", "train", "--pairs", str(bad))
    assert res.code == 2 and "lacks column" in res.err
