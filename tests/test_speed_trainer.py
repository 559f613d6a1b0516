"""EvaORPOTrainer computes TRL's ORPO loss: same loss and gradients as plain ORPOTrainer on one batch."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

PAIRS = [
    ("I cannot sleep before exams.", "That sounds stressful. What keeps you awake?", "Just sleep."),
    ("My friend stopped answering me and I keep wondering what I did wrong.",
     "Silence from someone close can hurt a lot, and it is natural to search for a reason. "
     "Would it help to think through what you might say to her?", "Forget her."),
    ("Мені самотньо після переїзду.", "Переїзд — це великі зміни. Що вам зараз найбільше бракує?",
     "Звикнете."),
    ("Work is too much.", "It sounds like a heavy load.",
     "Everyone is busy, you should stop complaining about it and work harder like the rest of us do."),
    ("I snap at my partner.", "Noticing it is already a step. When does it tend to happen?", "Stop it."),
    ("Nothing feels fun anymore.", "I am sorry it feels so flat. How long has it been like this?", "Cheer up."),
]


def dataset(rows=PAIRS, system: bool = True):
    from datasets import Dataset

    sys = [{"role": "system", "content": "You are Eva, a supportive listener."}] if system else []
    return Dataset.from_list([{
        "prompt": sys + [{"role": "user", "content": u}],
        "chosen": [{"role": "assistant", "content": c}],
        "rejected": [{"role": "assistant", "content": r}],
    } for u, c, r in rows])


def orpo_args(tmp_path, **kw):
    from trl.experimental.orpo import ORPOConfig

    base = dict(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, per_device_eval_batch_size=4,
                max_length=256, report_to=[], bf16=False, use_cpu=True, disable_tqdm=True, seed=0,
                save_strategy="no", logging_steps=1, remove_unused_columns=False)
    base.update(kw)
    return ORPOConfig(**base)


def make_trainer(tiny_model_dir, tmp_path, cls_name: str, speed=None, peft: bool = False, data=None, **args):
    import torch
    from transformers import AutoModelForCausalLM
    from trl.experimental.orpo import ORPOTrainer

    from eva_cli.models import load_tokenizer
    from eva_cli.train.fast_trainer import EvaORPOTrainer

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    kw = dict(model=model, args=orpo_args(tmp_path, **args), train_dataset=data if data is not None else dataset(),
              processing_class=load_tokenizer(str(tiny_model_dir)))
    if peft:
        from peft import LoraConfig

        kw["peft_config"] = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear",
                                       task_type="CAUSAL_LM", init_lora_weights=False)
    if cls_name == "trl":
        return ORPOTrainer(**kw)
    return EvaORPOTrainer(**kw, speed=speed)


def loss_and_grads(trainer, rows):
    import torch

    trainer.model.train()
    trainer.model.zero_grad()
    batch = trainer.data_collator([trainer.train_dataset[i] for i in rows])
    loss, metrics = trainer.get_batch_loss_metrics(trainer.model, batch)
    loss.backward()
    grads = torch.cat([p.grad.flatten() for p in trainer.model.parameters() if p.grad is not None])
    return loss.item(), grads, metrics


@pytest.mark.parametrize("options", [
    {},                                                # shared prompt (default on a Llama)
    {"share_prompt": False},                           # split: two forwards
    {"share_prompt": False, "split_pairs": False},     # TRL's layout, trimmed logits
    {"pad_to_multiple_of": 8},
    {"trim_logits": False},                            # TRL's own forward
])
def test_same_loss_and_gradients_as_plain_orpo(tiny_model_dir, tmp_path, options):
    import torch

    from eva_cli.train.fast_trainer import SpeedOptions

    plain = make_trainer(tiny_model_dir, tmp_path, "trl")
    fast = make_trainer(tiny_model_dir, tmp_path, "eva", speed=SpeedOptions(**options))
    for rows in ([0, 1, 2, 3], [1, 3, 4, 5]):
        ref_loss, ref_grads, ref_metrics = loss_and_grads(plain, rows)
        loss, grads, metrics = loss_and_grads(fast, rows)
        assert loss == pytest.approx(ref_loss, rel=1e-5, abs=1e-6)
        assert torch.allclose(grads, ref_grads, rtol=1e-4, atol=1e-6)
        for key in ("nll_loss", "logps/chosen", "logps/rejected", "log_odds_ratio", "rewards/margins"):
            assert metrics[key] == pytest.approx(ref_metrics[key], rel=1e-5, abs=1e-6), key


def test_same_loss_with_lora(tiny_model_dir, tmp_path):
    import torch

    plain = make_trainer(tiny_model_dir, tmp_path, "trl", peft=True)
    fast = make_trainer(tiny_model_dir, tmp_path, "eva", peft=True)
    assert fast.eva_layout == "shared"
    ref_loss, ref_grads, _ = loss_and_grads(plain, [0, 2, 3, 5])
    loss, grads, _ = loss_and_grads(fast, [0, 2, 3, 5])
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert ref_grads.abs().sum() > 0
    assert torch.allclose(grads, ref_grads, rtol=1e-4, atol=1e-6)


def test_truncated_replies_match_plain_orpo(tiny_model_dir, tmp_path):
    """max_length cutting replies (and one reply away entirely) gives the same loss as TRL's."""
    import math

    long_rows = [(u * 6, c * 8, r * 8) for u, c, r in PAIRS[:4]]
    data = dataset(long_rows)
    plain = make_trainer(tiny_model_dir, tmp_path, "trl", data=data, max_length=96)
    fast = make_trainer(tiny_model_dir, tmp_path, "eva", data=data, max_length=96)
    ref_loss, _, _ = loss_and_grads(plain, [0, 1, 2, 3])
    loss, _, _ = loss_and_grads(fast, [0, 1, 2, 3])
    if math.isnan(ref_loss):  # a prompt longer than max_length: TRL's loss is NaN, and so must ours be
        assert math.isnan(loss)
    else:
        assert loss == pytest.approx(ref_loss, rel=1e-5)


def test_training_runs_with_the_grouped_sampler(tiny_model_dir, tmp_path):
    import math

    from eva_cli.train.fast_trainer import SpeedOptions
    from eva_cli.train.sampler import PairLengthGroupedSampler

    fast = make_trainer(tiny_model_dir, tmp_path, "eva", per_device_train_batch_size=2, num_train_epochs=1)
    assert isinstance(fast._get_train_sampler(), PairLengthGroupedSampler)
    out = fast.train()
    assert fast.state.global_step == 3
    assert math.isfinite(out.training_loss)
    assert fast.eva_token_counts["slots"] >= fast.eva_token_counts["real"] > 0
    assert fast.eva_gc_steps == 0  # a tiny model fits: no recomputation
    plain_sampler = make_trainer(tiny_model_dir, tmp_path, "eva", speed=SpeedOptions(length_grouped=False))
    assert not isinstance(plain_sampler._get_train_sampler(), PairLengthGroupedSampler)


def test_auto_checkpointing_turns_on_only_for_batches_that_do_not_fit(tiny_model_dir, tmp_path, monkeypatch):
    from transformers import TrainerCallback

    fast = make_trainer(tiny_model_dir, tmp_path, "eva", per_device_train_batch_size=2, num_train_epochs=1)
    assert fast.args.activation_checkpointing is False  # "auto" overrides TRL's default of on
    budgets = iter([0, 10**15, 0])  # first and last step: no memory; middle step: plenty
    monkeypatch.setattr(fast, "_memory_budget", lambda: next(budgets))
    seen = []

    class Watch(TrainerCallback):
        def on_step_end(self, args, state, control, model=None, **kw):
            seen.append(fast.model.is_activation_checkpointing)

    fast.add_callback(Watch())
    fast.train()
    assert seen == [True, False, True]
    assert fast.eva_gc_steps == 2


def test_share_prompt_needs_identical_prompt_tokens():
    import torch

    from eva_cli.train.fast_trainer import can_share_prompt, estimate_slots, plan_forwards

    ids = torch.tensor([[5, 6, 7, 8, 9], [5, 6, 1, 2, 0]])
    batch = {
        "chosen_input_ids": ids, "chosen_attention_mask": torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]),
        "chosen_labels": torch.tensor([[-100, -100, 7, 8, 9], [-100, -100, 1, 2, -100]]),
        "rejected_input_ids": torch.tensor([[5, 6, 3, 0, 0], [5, 6, 4, 4, 4]]),
        "rejected_attention_mask": torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]),
        "rejected_labels": torch.tensor([[-100, -100, 3, -100, -100], [-100, -100, 4, 4, 4]]),
    }
    assert can_share_prompt(batch)
    [plan] = plan_forwards(batch, "shared", pad_value=0, pad_multiple=None, device="cpu")
    # row = prompt | chosen reply | rejected reply | padding; the rejected reply restarts after the prompt
    assert plan.input_ids.tolist() == [[5, 6, 7, 8, 9, 3, 0], [5, 6, 1, 2, 4, 4, 4]]
    assert plan.position_ids.tolist()[1] == [0, 1, 2, 3, 2, 3, 4]
    assert plan.position_ids.tolist()[0][:6] == [0, 1, 2, 3, 4, 2]
    assert plan.real_tokens == 13 and estimate_slots(batch, "shared") == 14
    # the rejected reply sees the prompt and itself, never the chosen reply
    mask = plan.attention_mask[1, 0]
    assert mask[5].tolist() == [True, True, False, False, True, True, False]
    assert mask[3].tolist() == [True, True, True, True, False, False, False]
    split = plan_forwards(batch, "split", pad_value=0, pad_multiple=8, device="cpu")
    assert [p.input_ids.shape[1] for p in split] == [8, 8]
    other = dict(batch, rejected_input_ids=torch.tensor([[5, 7, 3, 0, 0], [5, 6, 4, 4, 4]]))
    assert not can_share_prompt(other)


def test_speed_options_validate_and_parse():
    from eva_cli.train.fast_trainer import SpeedOptions

    opts = SpeedOptions(pad_to_multiple_of="off", liger="on", gradient_checkpointing="false", token_cache_dir="c")
    assert opts.pad_to_multiple_of is None and opts.liger is True and opts.gradient_checkpointing is False
    assert str(opts.token_cache_dir) == "c"
    assert SpeedOptions(pad_to_multiple_of="16").pad_to_multiple_of == 16
    for bad in (dict(pad_to_multiple_of=0), dict(pad_to_multiple_of="eight"), dict(liger="maybe"),
                dict(megabatch_mult=0)):
        with pytest.raises(ValueError):
            SpeedOptions(**bad)
    off = SpeedOptions.off()
    assert not off.length_grouped and not off.trim_logits and off.share_prompt is False


def test_liger_falls_back_cleanly_without_liger_kernel(tiny_model_dir, tmp_path):
    from eva_cli.errors import InputError
    from eva_cli.train.fast_trainer import SpeedOptions, liger_orpo_loss_class

    if liger_orpo_loss_class() is not None:
        pytest.skip("liger-kernel is installed here; this checks the fallback")
    auto = make_trainer(tiny_model_dir, tmp_path, "eva", speed=SpeedOptions(liger="auto"))
    assert not auto.eva_liger_active
    with pytest.raises(InputError):
        make_trainer(tiny_model_dir, tmp_path, "eva", speed=SpeedOptions(liger=True))


def test_liger_path_matches_plain_orpo(tiny_model_dir, tmp_path):
    """Only where liger-kernel is installed (an optional extra): its fused loss gives TRL's loss and gradients."""
    import torch

    from eva_cli.train.fast_trainer import SpeedOptions, liger_orpo_loss_class

    if liger_orpo_loss_class() is None:
        pytest.skip("liger-kernel is not installed")
    plain = make_trainer(tiny_model_dir, tmp_path, "trl")
    fast = make_trainer(tiny_model_dir, tmp_path, "eva", speed=SpeedOptions(liger=True))
    assert fast.eva_liger_active
    ref_loss, ref_grads, _ = loss_and_grads(plain, [0, 1, 2, 3])
    loss, grads, _ = loss_and_grads(fast, [0, 1, 2, 3])
    assert loss == pytest.approx(ref_loss, rel=1e-5)
    assert torch.allclose(grads, ref_grads, rtol=1e-4, atol=1e-6)
