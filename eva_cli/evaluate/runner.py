"""`run_eval`: score a run's tuned model (and its base) on preference pairs and write runs/<run>/eval/."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from eva_cli.errors import EvaError, InputError, MissingArtifactError, ModelNotFoundError
from eva_cli.evaluate.bootstrap import BootstrapConfig, mean_ci, paired_delta_ci
from eva_cli.evaluate.options import EvalOptions
from eva_cli.workspace import Workspace

GROUP_KEYS = ("strategy", "source", "lang")
DEFAULT_BETA = 0.1        # ORPOConfig default, used only if train-config.json lacks `beta`
DEFAULT_MAX_LENGTH = 1024  # ORPOConfig default, used only if train-config.json lacks `max_length`

DEFINITIONS = {
    "reward": "β × mean log-probability of the reply tokens given the prompt (TRL ORPO rewards/chosen, rewards/rejected)",
    "margin": "reward(chosen) − reward(rejected) per pair (TRL rewards/margins)",
    "accuracy": "share of pairs where reward(chosen) > reward(rejected) (TRL rewards/accuracies)",
    "log_odds_ratio": "mean of log σ(log odds(chosen) − log odds(rejected)), the ORPO term TRL logs as log_odds_ratio",
    "log_odds_chosen": "mean log odds ratio itself, TRL's log_odds_chosen",
    "nll_chosen": "token-weighted NLL of the chosen sequences over prompt + reply tokens (TRL nll_loss, whole set as one batch)",
    "nll_chosen_reply": "token-weighted NLL of the chosen reply tokens only; ppl_* = exp(nll_*)",
    "orpo_loss": "nll_chosen − β × log_odds_ratio (the ORPO training loss)",
    "ci": "seeded percentile bootstrap 95% CI; deltas resample pairs jointly (paired)",
}


@dataclass
class EvalResult:
    report: dict
    eval_dir: Path
    json_path: Path
    html_path: Path
    scores_path: Path
    samples_path: Path | None = None
    warnings: list[str] = field(default_factory=list)


class _Bar:
    """A rich Progress task, or nothing when no progress display is given."""

    def __init__(self, progress, description: str, total: int):
        self.progress = progress
        self.task = progress.add_task(description, total=total) if progress is not None else None

    def advance(self, n: int) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, n)


# --- inputs ----------------------------------------------------------------------------------------------------

def resolve_pairs(spec: str, ws: Workspace) -> tuple[Path, str]:
    """(path, split) for `--pairs eval|train|PATH`."""
    if spec == "eval":
        path = ws.pairs("eval")
        if not path.is_file() or path.stat().st_size == 0:
            raise MissingArtifactError(
                f"no eval pairs at {path}.",
                "Run `eva build-pairs` to make held-out pairs, or pass `--pairs train` explicitly "
                "(warning: training pairs are not held out, so the figures will flatter the tuned model).")
        return path, "eval"
    if spec == "train":
        return ws.require(ws.pairs("train"), "eva build-pairs"), "train"
    path = Path(spec).expanduser()
    if not path.is_file():
        raise InputError(f"--pairs: {path} does not exist.", "Use `eval`, `train` or the path of a pairs .parquet file.")
    return path, "file"


def load_pairs(path: Path) -> list[dict]:
    """Rows of a pairs parquet (schema PAIRS); prompt/chosen/rejected are required."""
    from eva_cli.schema import read_table

    try:
        table = read_table(path)
    except Exception as exc:
        raise InputError(f"--pairs: {path} is not a readable parquet file ({type(exc).__name__}).",
                         "Point --pairs at a file written by `eva build-pairs`.") from exc
    missing = [c for c in ("prompt", "chosen", "rejected") if c not in table.column_names]
    if missing:
        raise InputError(f"--pairs: {path} lacks column(s) {', '.join(missing)}.",
                         "Pairs files need prompt / chosen / rejected message lists (see eva_cli/schema.py PAIRS).")
    rows = table.to_pylist()
    if not rows:
        raise InputError(f"--pairs: {path} has no pairs.", "Run `eva build-pairs` on a larger corpus.")
    return rows


def _well_formed(row: dict) -> bool:
    p, c, r = row.get("prompt"), row.get("chosen"), row.get("rejected")
    ok = bool(p) and bool(c) and bool(r)
    return ok and p[-1].get("role") in ("user", "tool", "assistant") and all(
        isinstance(m.get("content"), str) for m in [*p, *c, *r])


def _held_out(split: str, rows: list[dict]) -> bool:
    if split in ("eval", "train"):
        return split == "eval"
    return not all(r.get("split") == "train" for r in rows)


def _same_model(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    pa, pb = Path(a).expanduser(), Path(b).expanduser()
    return pa.exists() and pb.exists() and pa.resolve() == pb.resolve()


def adapter_base(run_dir: Path) -> str | None:
    path = run_dir / "adapter" / "adapter_config.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("base_model_name_or_path")
    except json.JSONDecodeError as exc:
        raise EvaError(f"{path} is not valid JSON ({exc.msg}).", "Re-run `eva train` for this run.") from exc


def choose_base(run_dir: Path, cfg: dict, model_spec: str | None, home: Path) -> str:
    """The base model to load: the run's own, or `--model` when it names that same model."""
    from eva_cli.models import resolve_model

    trained_on = adapter_base(run_dir) or cfg.get("model_path") or cfg.get("model")
    if model_spec:
        resolved = resolve_model(model_spec, home)
        known = [adapter_base(run_dir), cfg.get("model_path"), cfg.get("model")]
        if not any(_same_model(k, model_spec) or _same_model(k, resolved) for k in known):
            raise InputError(
                f"--model {model_spec} is not the base model of run {run_dir.name}: its adapter was trained on "
                f"{trained_on} (adapter_config.json base_model_name_or_path).",
                "Drop --model to use the run's own base model, or pick the run trained on this model with --run.")
        return resolved
    path = cfg.get("model_path") or cfg.get("model")
    if path and Path(path).expanduser().exists():
        return str(Path(path).expanduser())
    try:  # e.g. the embedded model's cache was cleared: rebuild it from the spec
        return resolve_model(cfg.get("model") or path, home)
    except ModelNotFoundError as exc:
        raise ModelNotFoundError(f"the base model of run {run_dir.name} ({path}) is not available offline.",
                                 "Pass --model with a local copy of that same model.") from exc


# --- models ----------------------------------------------------------------------------------------------------

def _device(choice: str) -> str:
    import torch

    from eva_cli.models import best_device

    if choice == "auto":
        return best_device()
    if choice == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA GPU is visible.", "Use --device cpu or --device auto.")
    return choice


def _dtype(choice: str, device: str):
    import torch

    if choice == "auto":
        if device == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    return getattr(torch, choice)


def _four_bit(choice: str, mode: str | None, say: Callable[[str], None], warnings: list[str]) -> bool:
    """Load the base as NF4 like `eva train --qlora` did (auto), on request (4bit), or never (none)."""
    if choice == "none" or (choice == "auto" and mode != "qlora"):
        return False
    from eva_cli.doctor import bnb_4bit_status

    ok, why = bnb_4bit_status()
    if ok:
        return True
    if choice == "4bit":
        raise InputError(f"--quantize 4bit: bitsandbytes 4-bit does not work here ({why}).", "Use --quantize none.")
    msg = f"this qlora run is scored on an unquantized base: bitsandbytes 4-bit does not work here ({why})."
    warnings.append(msg)
    say(msg)
    return False


def _load_base(path: str, device: str, dtype, four_bit: bool, tokenizer=None):
    from eva_cli.models import fit_embeddings, load_causal_lm

    if not four_bit:
        model = load_causal_lm(path, dtype=dtype, device=device, tokenizer=tokenizer)
    else:
        from transformers import AutoModelForCausalLM, BitsAndBytesConfig

        q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=dtype)
        model = AutoModelForCausalLM.from_pretrained(path, quantization_config=q, dtype=dtype,
                                                     device_map={"": 0 if device == "cuda" else device})
        if tokenizer is not None:
            fit_embeddings(model, tokenizer)  # a base model's added ChatML rows, as in training
    model.eval()
    return model


class RunModels:
    """The tuned model and its base: one base with the adapter toggled, or two full models loaded in turn."""

    def __init__(self, run_dir: Path, base_path: str, device: str, dtype, four_bit: bool):
        from eva_cli.models import load_tokenizer

        self.run_dir, self.base_path = run_dir, base_path
        self.device, self.dtype, self.four_bit = device, dtype, four_bit
        self.full = run_dir / "model"
        self.adapter = run_dir / "adapter"
        if (self.full / "config.json").is_file():
            self.kind, tok_dir = "full", self.full
        elif (self.adapter / "adapter_config.json").is_file():
            self.kind, tok_dir = "adapter", self.adapter
        else:
            raise MissingArtifactError(f"{run_dir} has neither adapter/adapter_config.json nor model/config.json.",
                                       "Run `eva train` to finish this run.")
        has_tok = any((tok_dir / f).is_file() for f in ("tokenizer.json", "tokenizer_config.json"))
        self.tokenizer = load_tokenizer(str(tok_dir if has_tok else base_path))
        self._peft = None

    @property
    def tuned_path(self) -> str:
        return str(self.full if self.kind == "full" else self.adapter)

    @contextlib.contextmanager
    def use(self, system: str) -> Iterator:
        """The model for `system` ('tuned' or 'base'), ready for inference."""
        if self.kind == "adapter":
            if self._peft is None:
                from peft import PeftModel

                base = _load_base(self.base_path, self.device, self.dtype, self.four_bit, self.tokenizer)
                self._peft = PeftModel.from_pretrained(base, str(self.adapter))
                self._peft.eval()
            if system == "tuned":
                yield self._peft
            else:
                with self._peft.disable_adapter():
                    yield self._peft
            return
        path = str(self.full) if system == "tuned" else self.base_path
        yield _load_base(path, self.device, self.dtype, self.four_bit and system == "base", self.tokenizer)


def _free_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# --- aggregation -----------------------------------------------------------------------------------------------

def model_block(arrays, beta: float, boot: BootstrapConfig, idx=None) -> dict:
    from eva_cli.evaluate.margins import summarize

    block = summarize(arrays, beta, idx)
    sel = slice(None) if idx is None else idx
    block["accuracy_ci"] = mean_ci(arrays.correct[sel], boot)
    block["margin_ci"] = mean_ci(arrays.margin[sel], boot)
    return block


def delta_block(tuned_arrays, base_arrays, tuned: dict, base: dict, boot: BootstrapConfig, idx=None) -> dict:
    sel = slice(None) if idx is None else idx
    keys = [k for k, v in tuned.items()
            if isinstance(v, float) and isinstance(base.get(k), float) and k != "margin_std"]
    out = {k: tuned[k] - base[k] for k in keys}
    out["accuracy_ci"] = paired_delta_ci(tuned_arrays.correct[sel], base_arrays.correct[sel], boot)
    out["margin_ci"] = paired_delta_ci(tuned_arrays.margin[sel], base_arrays.margin[sel], boot)
    return out


def breakdown(rows: list[dict], arrays: dict, beta: float, boot: BootstrapConfig, key: str) -> dict:
    """Figures per value of `key` (strategy, source or lang), largest group first."""
    values = [str(r.get(key) or "unknown") for r in rows]
    out = {}
    for value in sorted(set(values), key=lambda v: (-values.count(v), v)):
        idx = np.array([i for i, v in enumerate(values) if v == value])
        group = {"n": int(idx.size)}
        for name, a in arrays.items():
            group[name] = model_block(a, beta, boot, idx)
        if "base" in arrays:
            group["delta"] = delta_block(arrays["tuned"], arrays["base"], group["tuned"], group["base"], boot, idx)
        out[value] = group
    return out


def training_section(run_dir: Path) -> tuple[dict, object | None]:
    """The run's training curves (from the train package's metrics.jsonl reader), or why there are none."""
    path = run_dir / "metrics.jsonl"
    try:
        from eva_cli.train.report import read_metrics, training_figure
    except ImportError:
        return {"available": False, "reason": "this eva version has no training-report module (eva_cli.train.report)"}, None
    if not path.is_file():
        return {"available": False, "reason": f"{path} is missing"}, None
    try:
        rows = read_metrics(run_dir)
        if not rows:
            return {"available": False, "reason": f"{path} holds no logged steps"}, None
        fig = training_figure(rows)
    except Exception as exc:  # optional garnish: a bad metrics file must not sink the eval
        return {"available": False, "reason": f"could not read {path}: {type(exc).__name__}: {exc}"}, None
    logged = [r for r in rows if any(str(k).endswith("rewards/margins") for k in r)]
    last = {k: v for k, v in (logged[-1] if logged else rows[-1]).items() if isinstance(v, (int, float))}
    return {"available": True, "metrics_file": str(path), "rows": len(rows), "last_logged": last}, fig


# --- the run ---------------------------------------------------------------------------------------------------

def run_eval(options: EvalOptions, workspace: Workspace, progress=None, *, home: Path | None = None,
             notify: Callable[[str], None] | None = None) -> EvalResult:
    """Score, optionally generate and judge, then write runs/<run>/eval/ atomically (all files or none)."""
    from eva_cli.evaluate import margins
    from eva_cli.runs import read_train_config

    say = notify or (lambda _msg: None)
    warnings: list[str] = []
    timing: dict[str, float] = {}
    t0 = time.perf_counter()

    run_dir = workspace.resolve_run(options.run)
    cfg = read_train_config(run_dir)
    beta = float(cfg.get("beta") or DEFAULT_BETA)
    max_length = int(cfg.get("max_length") or DEFAULT_MAX_LENGTH)
    pairs_path, split = resolve_pairs(options.pairs, workspace)
    review_dir = None
    if options.review:
        from eva_cli.review.tasks import resolve_review

        review_dir = resolve_review(workspace, options.review, "--review")
    rows = load_pairs(pairs_path)
    held_out = _held_out(split, rows)
    if not held_out:
        msg = (f"scoring training pairs ({pairs_path}): they are not held out, so accuracy and margins "
               "will look better than on unseen data.")
        warnings.append(msg)
        say(msg)
    n_total = len(rows)
    rows = [r for r in rows if _well_formed(r)]
    n_malformed = n_total - len(rows)
    if options.limit:
        rows = rows[: options.limit]
    if not rows:
        raise InputError(f"--pairs: {pairs_path} has no usable pairs (each needs prompt, chosen and rejected messages).",
                         "Run `eva build-pairs` again.")

    home = home or Path("~/.cache/eva").expanduser()
    base_path = choose_base(run_dir, cfg, options.model, home)
    device = _device(options.device)
    dtype = _dtype(options.dtype, device)
    four_bit = _four_bit(options.quantize, cfg.get("mode"), say, warnings)
    models = RunModels(run_dir, base_path, device, dtype, four_bit)
    tok = models.tokenizer
    timing["load_s"] = time.perf_counter() - t0

    t = time.perf_counter()
    tokens = margins.tokenize_pairs(tok, rows, max_length)
    scorable = [tk for tk in tokens if tk.scorable]
    kept_rows = [rows[tk.index] for tk in scorable]
    n_truncated = len(tokens) - len(scorable)
    if not scorable:
        raise InputError(f"every prompt in {pairs_path} fills max_length={max_length} on its own.",
                         "Train (and so evaluate) with a larger max_length.")
    timing["tokenize_s"] = time.perf_counter() - t

    system_names = ["tuned"] + (["base"] if options.baseline else [])
    samples = []
    sampling = None
    if options.generate:
        from eva_cli.evaluate.generation import select_samples
        from eva_cli.generate import SamplingConfig

        samples = select_samples(rows, options.generate, options.seed)
        sampling = SamplingConfig(max_new_tokens=options.max_new_tokens, temperature=options.temperature,
                                  seed=options.seed)

    scores: dict[str, list] = {}
    for name in system_names:
        scores[name] = _score_and_generate(models, name, scorable, samples, sampling, options.batch_size,
                                           progress, timing)
        _free_memory()  # a full run's base is loaded only after the tuned model is gone

    boot = BootstrapConfig(resamples=options.bootstrap, seed=options.seed)
    arrays = {name: margins.pair_arrays(scores[name], beta) for name in system_names}
    tuned = model_block(arrays["tuned"], beta, boot)
    base = model_block(arrays["base"], beta, boot) if options.baseline else None
    delta = delta_block(arrays["tuned"], arrays["base"], tuned, base, boot) if base else None

    report: dict = {
        "run": run_dir.name,
        "run_dir": str(run_dir),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "pairs": {"path": str(pairs_path), "split": split, "held_out": held_out},
        "n_pairs": len(scorable),
        "n_pairs_total": n_total,
        "n_skipped": n_malformed + n_truncated,
        "skipped_reason": ", ".join(filter(None, [
            f"{n_malformed} malformed (missing prompt/chosen/rejected)" if n_malformed else "",
            f"{n_truncated} whose prompt alone fills max_length" if n_truncated else ""])) or None,
        "limit": options.limit or None,
        "beta": beta,
        "max_length": max_length,
        "model": {"base": base_path, "tuned": models.tuned_path, "kind": models.kind, "mode": cfg.get("mode"),
                  "device": device, "dtype": str(dtype).removeprefix("torch."), "four_bit": four_bit},
        "bootstrap": boot.as_dict(),
        "definitions": DEFINITIONS,
        "base": base,
        "tuned": tuned,
        "delta": delta,
    }
    for key in GROUP_KEYS:
        report[f"by_{key}"] = breakdown(kept_rows, arrays, beta, boot, key)

    judge_items = None
    if samples:
        from eva_cli.evaluate.embedding import load_scorer
        from eva_cli.evaluate.generation import summarize_generation

        t = time.perf_counter()
        scorer, reason = load_scorer(device)
        gen_names = [n for n in ("base", "tuned") if n in system_names]
        report["generation"] = summarize_generation(samples, gen_names, scorer, reason)
        report["generation"]["sampling"] = sampling.as_dict()
        timing["text_metrics_s"] = time.perf_counter() - t
    else:
        report["generation"] = None
    if options.judge_url:
        from eva_cli.evaluate.judge import JudgeConfig, run_judge

        t = time.perf_counter()
        jcfg = JudgeConfig(url=options.judge_url, model=options.judge_model, api_key=options.judge_api_key,
                           timeout=options.judge_timeout)
        gen_names = [n for n in ("base", "tuned") if n in system_names]
        report["judge"] = run_judge(jcfg, [s.prompt for s in samples],
                                    {n: [s.replies[n] for s in samples] for n in gen_names})
        if not report["judge"]["available"]:
            msg = f"judge unavailable: {report['judge']['reason']}"
            warnings.append(msg)
            say(msg)
        judge_items = report["judge"].get("items")
        timing["judge_s"] = time.perf_counter() - t
    else:
        report["judge"] = None

    if review_dir is not None:
        from eva_cli.review.stats import human_section

        report["human"] = human_section(review_dir, boot, run=run_dir.name)
        if report["human"]["matches_run"] is False:
            msg = (f"review {review_dir.name} judged replies of run {report['human']['run']}, "
                   f"not of run {run_dir.name}.")
            warnings.append(msg)
            say(msg)
    training, training_fig = training_section(run_dir)
    report["training"] = training
    timing["total_s"] = time.perf_counter() - t0
    report["timing_s"] = {k: round(v, 2) for k, v in timing.items()}
    report["warnings"] = warnings
    return _write(report, run_dir, arrays, kept_rows, samples, system_names, judge_items, training_fig, warnings)


def _score_and_generate(models: RunModels, name: str, scorable, samples, sampling, batch_size: int, progress,
                        timing: dict) -> list:
    """Margin scores of one system ('tuned' or 'base'), and its replies into `samples` when asked."""
    from eva_cli.evaluate import margins

    tok = models.tokenizer
    with models.use(name) as model:
        t = time.perf_counter()
        bar = _Bar(progress, f"scoring pairs ({name})", len(scorable))
        scores = margins.score_pairs(model, scorable, tok.pad_token_id, batch_size, bar.advance)
        timing[f"score_{name}_s"] = time.perf_counter() - t
        if samples:
            from eva_cli.evaluate.generation import generate_replies

            t = time.perf_counter()
            bar = _Bar(progress, f"generating ({name})", len(samples))
            for s, reply in zip(samples, generate_replies(model, tok, samples, sampling, batch_size, bar.advance)):
                s.replies[name] = reply
            timing[f"generate_{name}_s"] = time.perf_counter() - t
    return scores


def _write(report, run_dir, arrays, rows, samples, system_names, judge_items, training_fig, warnings) -> EvalResult:
    from eva_cli.atomic import atomic_dir
    from eva_cli.evaluate.report import render_html

    eval_dir = run_dir / "eval"
    page = render_html(report, {n: arrays[n].margin.tolist() for n in ("base", "tuned") if n in arrays}, training_fig)
    lines = []
    for i, row in enumerate(rows):
        item = {k: row.get(k) for k in ("id", "example_id", "strategy", "source", "lang")}
        for name in system_names:
            a = arrays[name]
            item[name] = {"logp_chosen": a.logp_chosen[i], "logp_rejected": a.logp_rejected[i],
                          "margin": a.margin[i], "correct": bool(a.correct[i])}
        lines.append(json.dumps(item, ensure_ascii=False, default=float))
    samples_text = None
    if samples:
        from eva_cli.evaluate.generation import samples_markdown

        header = {"run": report["run"], "pairs": report["pairs"]["path"],
                  "sampling": report["generation"]["sampling"]}
        samples_text = samples_markdown(samples, [n for n in ("base", "tuned") if n in system_names], header,
                                        judge_items)
        report["generation"]["samples"] = [
            {"pair_id": s.pair_id, "lang": s.lang, "strategy": s.strategy, "source": s.source,
             "metrics": s.metrics} for s in samples]
    with atomic_dir(eval_dir) as tmp:
        (tmp / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n",
                                         encoding="utf-8")
        (tmp / "report.html").write_text(page, encoding="utf-8")
        (tmp / "pair-scores.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if samples_text is not None:
            (tmp / "samples.md").write_text(samples_text, encoding="utf-8")
    return EvalResult(report=report, eval_dir=eval_dir, json_path=eval_dir / "report.json",
                      html_path=eval_dir / "report.html", scores_path=eval_dir / "pair-scores.jsonl",
                      samples_path=(eval_dir / "samples.md") if samples_text is not None else None,
                      warnings=warnings)
