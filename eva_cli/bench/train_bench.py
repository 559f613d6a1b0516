"""`eva bench train`: plain TRL ORPO vs eva's training path, same model, data, hyperparameters and seed.

Both sides train one epoch over the same N*batch pairs (so they see exactly the same samples and
the same real tokens), starting from the same weights with the same LoRA init. The baseline is
TRL's ORPOTrainer as its documentation shows it (random batches); eva's side is EvaORPOTrainer
with its default SpeedOptions. Reported per side: samples/s, real tokens/s, padding fraction of
the model input, peak memory, the loss of the last step, the mean training loss, and the loss on
the same held-out pairs after training.

The bundled corpus is short, so `length_mix` adds procedurally generated counseling-length pairs
with a long tail (median about 60 words, longest about 600), written from original word lists.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eva_cli.errors import InputError

# ---------------------------------------------------------------------------------------------
# A long-tailed mix of counseling-length pairs, generated from original fragments.

_USER_OPENERS = (
    "Lately I keep", "For a few weeks I have been", "I do not know why, but I keep", "Since the move I have been",
    "Every evening I end up", "At work I find myself", "Honestly, I have been", "I think I am",
)
_USER_STRUGGLES = (
    "lying awake replaying every conversation", "snapping at people I care about", "feeling numb and far away",
    "worrying that my friends are tired of me", "avoiding messages because answering feels heavy",
    "crying in the car before going inside", "doubting every decision I make", "feeling like a burden at home",
    "losing interest in the things I used to love", "comparing myself to everyone around me",
)
_USER_CONTEXT = (
    "my sister says I should just relax", "my partner works nights so the flat is very quiet",
    "exams start next month", "my father has been unwell", "I started a new job in spring",
    "I moved to a city where I know nobody", "the war news never stops", "money has been tight",
)
_USER_ASKS = (
    "Is this normal?", "What should I do with all this?", "How do I stop feeling like this?",
    "Can you help me make sense of it?", "I just needed to say it to someone.", "Where do I even start?",
)

_CHOSEN_OPENERS = (
    "It sounds like you have been carrying a lot on your own.", "Thank you for trusting me with this.",
    "That sounds exhausting, and it makes sense that you feel worn down.",
    "I can hear how much this has been weighing on you.", "What you describe sounds really painful.",
)
_CHOSEN_REFLECTIONS = (
    "When the same worries circle every night, the body never gets a chance to rest.",
    "Feeling far away from people you love can be a sign that you are running on empty.",
    "Many people notice that stress shows up first in sleep, appetite or patience.",
    "It is understandable to pull back when every reply feels like one more task.",
    "Being kind to others while being hard on yourself is a very human pattern.",
    "Big changes often bring a slow kind of grief that is easy to overlook.",
    "Your reaction says something about how much you care, not about being weak.",
)
_CHOSEN_QUESTIONS = (
    "What tends to happen in your mind right before the worst moments?",
    "Who in your life feels safest to talk to, even a little?",
    "What has helped, even slightly, on the days that were easier?",
    "How are you sleeping and eating at the moment?",
    "If a friend told you this, what would you want them to hear?",
)
_CHOSEN_SUGGESTIONS = (
    "One small step could be writing the worries down an hour before bed and closing the notebook.",
    "You might try a short walk outside at the same time each day, just to give the day some shape.",
    "It could help to tell one trusted person a little of what you told me here.",
    "If these feelings stay for weeks or get heavier, a counselor or doctor can help you sort through them.",
    "Slow breathing, with the out-breath longer than the in-breath, can take the edge off a tense moment.",
    "Noticing one thing you managed today, however small, can soften the inner critic a little.",
)
_CHOSEN_CLOSERS = (
    "I am here to keep talking whenever you want.", "You do not have to figure it all out tonight.",
    "We can take this one piece at a time.", "If you are ever in danger, please contact emergency help right away.",
)
_REJECTED_SENTENCES = (
    "Everyone gets stressed, so try not to think about it.", "Just stay positive and it will pass.",
    "You should probably be more productive instead of worrying.", "Other people have it much worse than you.",
    "Maybe stop overthinking and go to sleep earlier.", "It is not a big deal, honestly.",
    "Have you tried simply ignoring those feelings?", "You need to toughen up a bit.",
    "Drink some water and get over it.", "That is just how life is, so accept it and move on.",
)


def _fill(rng: random.Random, words: int, parts: list[tuple[str, ...]]) -> str:
    """Cycle through the fragment families until `words` words are written, then stop at that count."""
    out: list[str] = []
    i = 0
    while len(out) < words:
        out.extend(rng.choice(parts[i % len(parts)]).split())
        i += 1
    text = " ".join(out[:words])
    return text if text.endswith((".", "?", "!")) else text + "."


def _user_message(rng: random.Random, words: int) -> str:
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(f"{rng.choice(_USER_OPENERS)} {rng.choice(_USER_STRUGGLES)}, and {rng.choice(_USER_CONTEXT)}.")
    return " ".join(sentences) + " " + rng.choice(_USER_ASKS)


def long_tail_word_counts(n: int, median: int = 60, longest: int = 600, shortest: int = 10,
                          seed: int = 0) -> list[int]:
    """`n` word counts from a log-normal whose median is `median` and whose top quantile is `longest`."""
    from statistics import NormalDist

    if n <= 0:
        return []
    z_top = NormalDist().inv_cdf((n - 0.5) / n) if n > 1 else 1.0
    sigma = math.log(longest / median) / max(z_top, 1e-6)
    counts = [int(round(median * math.exp(sigma * NormalDist().inv_cdf((i + 0.5) / n)))) for i in range(n)]
    counts = [min(longest, max(shortest, c)) for c in counts]
    random.Random(seed).shuffle(counts)
    return counts


def length_mix(n: int = 200, seed: int = 0, median_words: int = 60, longest_words: int = 600) -> list[dict]:
    """`n` conversational ORPO pairs whose replies follow a long-tailed word-count distribution.

    Chosen replies are warm and reflective, rejected ones dismissive; both lengths are drawn from the
    same distribution independently, so a random batch often mixes a short and a very long reply.
    """
    from eva_cli.persona import system_prompt

    rng = random.Random(seed)
    chosen_words = long_tail_word_counts(n, median_words, longest_words, seed=seed + 1)
    rejected_words = long_tail_word_counts(n, median_words, longest_words, seed=seed + 2)
    chosen_parts = [_CHOSEN_OPENERS, _CHOSEN_REFLECTIONS, _CHOSEN_QUESTIONS, _CHOSEN_SUGGESTIONS,
                    _CHOSEN_REFLECTIONS, _CHOSEN_CLOSERS]
    rows = []
    for i in range(n):
        prompt = [{"role": "system", "content": system_prompt("en")},
                  {"role": "user", "content": _user_message(rng, rng.randint(15, 70))}]
        rows.append({
            "id": f"mix-{seed}-{i}",
            "prompt": prompt,
            "chosen": [{"role": "assistant", "content": _fill(rng, chosen_words[i], chosen_parts)}],
            "rejected": [{"role": "assistant", "content": _fill(rng, rejected_words[i], [_REJECTED_SENTENCES])}],
        })
    return rows


# ---------------------------------------------------------------------------------------------
# The benchmark.

SIDES = ("baseline", "eva")


@dataclass
class TrainBenchConfig:
    """One `eva bench train` invocation. Both sides share every field."""

    model: str = field(default="embedded", metadata={"help": "--model spec (embedded, folder, HF id)"})
    pairs: Path | None = field(default=None, metadata={"help": "preference pairs parquet (PAIRS schema); None = none"})
    mix: bool = field(default=True, metadata={"help": "add the long-tailed counseling-length mix"})
    steps: int = field(default=10, metadata={"help": "optimizer steps per side (one epoch over steps*batch pairs)"})
    batch_size: int = field(default=4, metadata={"help": "pairs per step"})
    max_length: int = field(default=1024, metadata={"help": "ORPO max_length (prompt + reply tokens)"})
    qlora: bool = field(default=False, metadata={"help": "4-bit NF4 base model (bitsandbytes) instead of LoRA on full weights"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha"})
    lora_dropout: float = field(default=0.05, metadata={"help": "LoRA dropout (eva train's default)"})
    learning_rate: float = field(default=5e-5, metadata={"help": "learning rate, both sides"})
    beta: float = field(default=0.1, metadata={"help": "ORPO beta"})
    eval_pairs: int = field(default=8, metadata={"help": "held-out pairs scored before and after training"})
    seed: int = field(default=0, metadata={"help": "seed for the data sample, LoRA init and dropout"})
    order_seed: int | None = field(default=None, metadata={
        "help": "seed for the batch order only (default: seed); another value shows the run-to-run noise"})
    rounds: int = field(default=1, metadata={"help": "A/B rounds (baseline and eva alternate; medians reported)"})

    def __post_init__(self):
        for name in ("steps", "batch_size", "lora_r", "lora_alpha", "rounds"):
            if int(getattr(self, name)) < 1:
                raise InputError(f"--{name.replace('_', '-')}: must be at least 1, got {getattr(self, name)}.")
        if self.max_length < 32:
            raise InputError(f"--max-length: {self.max_length} is too short (need at least 32 tokens).")
        if self.eval_pairs < 0:
            raise InputError(f"--eval-pairs: must be 0 or more, got {self.eval_pairs}.")
        if not 0.0 <= self.lora_dropout < 1.0:
            raise InputError(f"--lora-dropout: {self.lora_dropout} must be in [0, 1).")
        if self.pairs is not None:
            self.pairs = Path(self.pairs)
        if self.pairs is None and not self.mix:
            raise InputError("no data: --no-mix and no --pairs file.", "Give --pairs PATH, or keep the length mix on.")


def _message_list(value) -> list[dict]:
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in value]


def load_pairs(path: Path) -> list[dict]:
    """Conversational prompt/chosen/rejected rows from a pairs parquet (eva build-pairs output)."""
    from eva_cli.schema import read_table

    if not path.is_file():
        raise InputError(f"--pairs: {path} does not exist.", "Run `eva build-pairs`, or pass another parquet file.")
    try:
        table = read_table(path)
    except Exception as exc:
        raise InputError(f"--pairs: {path} is not a readable parquet file ({exc}).") from exc
    missing = {"prompt", "chosen", "rejected"} - set(table.column_names)
    if missing:
        raise InputError(f"--pairs: {path} lacks column(s) {', '.join(sorted(missing))}.",
                         "Use pairs written by `eva build-pairs` (prompt/chosen/rejected message lists).")
    rows = []
    for i, row in enumerate(table.select(["prompt", "chosen", "rejected"]).to_pylist()):
        if not row["prompt"] or not row["chosen"] or not row["rejected"]:
            continue
        rows.append({"id": f"pairs-{i}", "prompt": _message_list(row["prompt"]),
                     "chosen": _message_list(row["chosen"]), "rejected": _message_list(row["rejected"])})
    if not rows:
        raise InputError(f"--pairs: {path} holds no usable pairs.")
    return rows


def select_data(cfg: TrainBenchConfig, corpus: list[dict], fits=None) -> tuple[list[dict], list[dict], dict]:
    """(train rows, eval rows, description): steps*batch training pairs and eval_pairs held out.

    With both sources, half the training pairs (and half the held-out ones) come from the corpus and
    half from the length mix; otherwise all come from the one source. `fits(row)` drops pairs whose
    prompt alone fills max_length: TRL would leave them an empty reply, a NaN loss and NaN weights.
    """
    need_train, need_eval = cfg.steps * cfg.batch_size, cfg.eval_pairs
    rng = random.Random(cfg.seed)
    sources = []
    dropped = 0
    if corpus:
        usable = [r for r in corpus if fits is None or fits(r)]
        dropped = len(corpus) - len(usable)
        sources.append(("corpus", usable))
    if cfg.mix:
        sources.append(("mix", length_mix(max(200, 2 * (need_train + need_eval)), seed=cfg.seed)))
    for _, rows in sources:
        rng.shuffle(rows)
    train, held = [], []
    for k, (name, rows) in enumerate(sources):
        last = k == len(sources) - 1
        want_train = need_train - len(train) if last else need_train // len(sources)
        want_eval = need_eval - len(held) if last else need_eval // len(sources)
        take_train = rows[:want_train]
        take_eval = rows[want_train:want_train + want_eval]
        train += take_train
        held += take_eval
    if len(train) < need_train:
        # the corpus was small: top up from the mix
        extra = length_mix(need_train - len(train) + need_eval, seed=cfg.seed + 7)
        train += extra[:need_train - len(train)]
    rng.shuffle(train)
    words = sorted(len(r["chosen"][-1]["content"].split()) for r in train)
    desc = {"train_pairs": len(train), "eval_pairs": len(held), "dropped_prompt_too_long": dropped,
            "sources": {name: sum(r["id"].startswith("pairs" if name == "corpus" else "mix") for r in train)
                        for name, _ in sources},
            "chosen_words_median": words[len(words) // 2], "chosen_words_max": words[-1]}
    return train, held, desc


@dataclass
class SideResult:
    side: str
    samples: int
    train_seconds: float
    samples_per_second: float
    tokens_per_second: float
    padding_fraction: float
    peak_memory_mb: float
    memory_kind: str
    final_loss: float
    mean_loss: float
    eval_loss_before: float | None
    eval_loss_after: float | None
    setup_seconds: float
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _train_args(cfg: TrainBenchConfig, out_dir: Path, cuda: bool, bf16: bool):
    from trl.experimental.orpo import ORPOConfig

    return ORPOConfig(
        output_dir=str(out_dir), per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size, num_train_epochs=1, learning_rate=cfg.learning_rate,
        beta=cfg.beta, max_length=cfg.max_length, logging_steps=1, save_strategy="no", eval_strategy="no",
        report_to=[], seed=cfg.seed, data_seed=cfg.seed if cfg.order_seed is None else cfg.order_seed, bf16=bf16, use_cpu=not cuda, disable_tqdm=True,
        remove_unused_columns=False, dataloader_num_workers=0,
    )


def _load_model(cfg: TrainBenchConfig, model_path: str, cuda: bool, dtype):
    import torch
    from transformers import AutoModelForCausalLM

    kwargs: dict = {"dtype": dtype}
    if cfg.qlora:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype)
        kwargs["device_map"] = {"": 0 if cuda else "cpu"}
    torch.manual_seed(0)
    return AutoModelForCausalLM.from_pretrained(model_path, **kwargs)


def run_side(cfg: TrainBenchConfig, side: str, model_path: str, train_rows: list[dict], eval_rows: list[dict],
             work_dir: Path) -> SideResult:
    """Train one side in this process and measure it. `side` is "baseline" (plain TRL) or "eva"."""
    import os
    import resource
    import time

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from trl.experimental.orpo import ORPOTrainer

    from eva_cli.models import load_tokenizer
    from eva_cli.train.sampler import pair_lengths

    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()
    dtype = torch.bfloat16 if bf16 else torch.float32
    model = _load_model(cfg, model_path, cuda, dtype)
    tok = load_tokenizer(model_path)
    columns = ("prompt", "chosen", "rejected")
    train_ds = Dataset.from_list([{k: r[k] for k in columns} for r in train_rows])
    eval_ds = Dataset.from_list([{k: r[k] for k in columns} for r in eval_rows]) if eval_rows else None
    args = _train_args(cfg, work_dir / side, cuda, bf16)
    lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules="all-linear", bias="none", task_type="CAUSAL_LM")
    common = dict(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, processing_class=tok,
                  peft_config=lora)
    start = time.perf_counter()
    if side == "baseline":  # TRL's documented recipe: ORPOTrainer(model, args, train_dataset, processing_class, peft_config)
        trainer = ORPOTrainer(**common)
    else:
        from eva_cli.train.fast_trainer import EvaORPOTrainer, SpeedOptions

        trainer = EvaORPOTrainer(**common, speed=SpeedOptions())
    setup_seconds = time.perf_counter() - start

    counts = {"slots": 0, "real": 0, "on": False}

    def count_inputs(module, args_, kwargs):  # baseline: every model call during training
        if counts["on"]:
            ids = args_[0] if args_ else kwargs["input_ids"]
            counts["slots"] += int(ids.numel())
            counts["real"] += int(kwargs["attention_mask"].sum())

    if side == "baseline":
        trainer.model.register_forward_pre_hook(count_inputs, with_kwargs=True)

    eval_before = trainer.evaluate()["eval_loss"] if eval_ds is not None else None
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    if side == "eva":
        trainer.eva_token_counts.update(slots=0, real=0)
    counts["on"] = True
    start, cpu_start = time.perf_counter(), time.process_time()
    output = trainer.train()
    if cuda:
        torch.cuda.synchronize()
    train_seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start  # what the run cost, whatever else shares the cores
    counts["on"] = False
    if cuda:
        peak_mb, memory_kind = torch.cuda.max_memory_allocated() / 2**20, "GPU peak allocated"
    else:
        peak_mb, memory_kind = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "process peak RSS"
    eval_after = trainer.evaluate()["eval_loss"] if eval_ds is not None else None

    if side == "eva":
        counts.update(trainer.eva_token_counts)
    tokens = sum(pair_lengths(trainer.train_dataset))
    samples = len(trainer.train_dataset)
    losses = [row["loss"] for row in trainer.state.log_history if "loss" in row]
    details = {
        "steps": trainer.state.global_step,
        "step_losses": losses,
        "device": torch.cuda.get_device_name(0) if cuda else f"CPU ({torch.get_num_threads()} threads)",
        "dtype": str(dtype).replace("torch.", ""),
        "qlora": cfg.qlora,
        "train_tokens": tokens,
        "train_cpu_seconds": round(cpu_seconds, 1),
        "input_slots": counts["slots"],
        "input_real_tokens": counts["real"],
    }
    if side == "eva":
        details.update(layout=trainer.eva_layout, liger=trainer.eva_liger_active,
                       gradient_checkpointing=f"{trainer.eva_gc_steps}/{trainer.state.global_step} steps",
                       pad_to_multiple_of=trainer._eva_pad_multiple, length_grouped=trainer.speed.length_grouped)
    else:
        details.update(layout="concat (TRL)", liger=False,
                       gradient_checkpointing="all steps" if (getattr(args, "activation_checkpointing", None)
                                                               or args.gradient_checkpointing) else "off",
                       pad_to_multiple_of=None, length_grouped=False)
    return SideResult(
        side=side, samples=samples, train_seconds=round(train_seconds, 3),
        samples_per_second=round(samples / train_seconds, 4), tokens_per_second=round(tokens / train_seconds, 2),
        padding_fraction=round(1 - counts["real"] / counts["slots"], 4) if counts["slots"] else 0.0,
        peak_memory_mb=round(peak_mb, 1), memory_kind=memory_kind,
        final_loss=round(losses[-1], 5) if losses else float("nan"),
        mean_loss=round(float(output.training_loss), 5),
        eval_loss_before=None if eval_before is None else round(eval_before, 6),
        eval_loss_after=None if eval_after is None else round(eval_after, 6),
        setup_seconds=round(setup_seconds, 2), details=details,
    )


def _child_main(argv: list[str]) -> int:
    """`python -m eva_cli.bench.train_bench SPEC.json SIDE OUT.json`: one side, in its own process."""
    import json

    spec_path, side, out_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    cfg = TrainBenchConfig(**{**spec["config"], "pairs": None, "mix": True})
    result = run_side(cfg, side, spec["model_path"], spec["train"], spec["eval"], Path(spec["work_dir"]))
    Path(out_path).write_text(json.dumps(result.as_dict()), encoding="utf-8")
    return 0


def _run_child(spec_path: Path, side: str, out_path: Path, verbose: bool) -> SideResult:
    import json
    import os
    import subprocess
    import sys

    from eva_cli.errors import EvaError

    env = {**os.environ, "TRL_EXPERIMENTAL_SILENCE": "1", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "eva_cli.bench.train_bench", str(spec_path), side, str(out_path)]
    proc = subprocess.run(cmd, env=env, stdout=None if verbose else subprocess.PIPE,
                          stderr=None if verbose else subprocess.PIPE, text=True)
    if proc.returncode != 0 or not out_path.is_file():
        tail = "" if verbose else " | ".join((proc.stderr or "").strip().splitlines()[-3:])
        raise EvaError(f"eva bench train: the {side} side failed (exit {proc.returncode}). {tail}".strip(),
                       "Run again with --verbose to see its full output.")
    data = json.loads(out_path.read_text(encoding="utf-8"))
    return SideResult(**data)


def _prompt_fits(model_path: str, max_length: int, room: int = 16):
    """A predicate: does a pair's templated prompt leave at least `room` tokens for the reply?"""
    from eva_cli.models import load_tokenizer

    tok = load_tokenizer(model_path)

    def fits(row: dict) -> bool:
        text = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
        return len(tok(text, add_special_tokens=False)["input_ids"]) + room <= max_length

    return fits


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def run_train_bench(cfg: TrainBenchConfig, home: Path, progress=None, verbose: bool = False) -> dict:
    """Run baseline and eva (alternating for `rounds`), each in a fresh process; return the report dict.

    `speedup` is the median over rounds of eva's samples/s divided by the baseline's in the same round.
    """
    import json
    import tempfile

    from eva_cli.models import resolve_model

    model_path = resolve_model(cfg.model, home)
    corpus = load_pairs(cfg.pairs) if cfg.pairs is not None else []
    train, held, data_desc = select_data(cfg, corpus, fits=_prompt_fits(model_path, cfg.max_length))
    rounds: list[dict[str, SideResult]] = []
    with tempfile.TemporaryDirectory(prefix="eva-bench-train-") as tmp:
        work = Path(tmp)
        spec = {"config": {k: v for k, v in asdict(cfg).items() if k not in ("pairs",)}, "model_path": model_path,
                "train": train, "eval": held, "work_dir": str(work)}
        spec_path = work / "spec.json"
        spec_path.write_text(json.dumps(spec, default=str), encoding="utf-8")
        for r in range(cfg.rounds):
            order = SIDES if r % 2 == 0 else SIDES[::-1]
            results = {}
            for side in order:
                if progress:
                    progress(f"round {r + 1}/{cfg.rounds}: {side} ({cfg.steps} steps)")
                results[side] = _run_child(spec_path, side, work / f"{side}-{r}.json", verbose)
            rounds.append(results)
    ratios = [res["eva"].samples_per_second / res["baseline"].samples_per_second for res in rounds]
    report: dict = {"config": {**asdict(cfg), "pairs": str(cfg.pairs) if cfg.pairs else None,
                               "model_path": model_path},
                    "data": data_desc}
    for side in SIDES:
        runs = [res[side] for res in rounds]
        best = runs[0].as_dict()
        if len(runs) > 1:
            for key in ("samples_per_second", "tokens_per_second", "train_seconds", "peak_memory_mb"):
                best[key] = round(_median([getattr(x, key) for x in runs]), 4)
            best["rounds"] = [x.as_dict() for x in runs]
        report[side] = best
    report["speedup"] = round(_median(ratios), 3)
    report["speedup_per_round"] = [round(x, 3) for x in ratios]
    return report


if __name__ == "__main__":
    import sys

    raise SystemExit(_child_main(sys.argv[1:]))
