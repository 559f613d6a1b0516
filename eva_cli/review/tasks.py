"""Review tasks: a conversation and two candidate replies, generated off-line by `eva review prepare`.

tasks.jsonl, one task a line:
  {"id", "messages": [...ending with a user turn, no system], "lang", "source", "split": train|eval,
   "reference": str|null, "candidates": [{"id": "c0", "system": "base", "text", "guard": [reasons]}, {"id": "c1", ...}]}
review.json: the run, mode, model, sampling and prompt source behind the tasks.

Which candidate is shown as A is decided per reviewer by the web page, so the file order reveals nothing.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from eva_cli.errors import EvaError, InputError, MissingArtifactError
from eva_cli.workspace import Workspace

MODES = ("base-vs-tuned", "samples")
SYSTEMS = {"base-vs-tuned": ("base", "tuned"), "samples": ("tuned-1", "tuned-2")}
PROMPT_COLUMNS = ("prompt", "text", "message", "question")
TASKS_FILE, JUDGMENTS_FILE, META_FILE = "tasks.jsonl", "judgments.jsonl", "review.json"

Progress = Callable[[str, int, int], None]


@dataclass
class PrepareOptions:
    run: str | None = field(default=None, metadata={"help": "run under workspace/runs (None = the latest)"})
    name: str | None = field(default=None, metadata={"help": "review name (default: the run's name)"})
    prompts: Path | None = field(default=None, metadata={"help": "JSONL/CSV of prompts; default: held-out pairs"})
    feedback: bool = field(default=False, metadata={"help": "prompts from consenting users' feedback in the bot store"})
    mode: str = field(default="base-vs-tuned", metadata={"help": "base-vs-tuned | samples (two tuned samples)"})
    limit: int = field(default=40, metadata={"help": "at most this many prompts (0 = all)"})
    batch_size: int = field(default=8, metadata={"help": "conversations per generate call"})
    max_new_tokens: int = field(default=160, metadata={"help": "length cap of each reply"})
    temperature: float = field(default=0.7, metadata={"help": "sampling temperature (0 = greedy)"})
    seed: int = field(default=42, metadata={"help": "seed for prompt choice and sampling"})
    device: str = field(default="auto", metadata={"help": "auto | cpu | cuda"})
    home: Path = field(default=Path("~/.cache/eva"), metadata={"help": "EVA_HOME (the embedded model)"})
    data_key: str | None = field(default=None, metadata={"help": "EVA_DATA_KEY, to read the bot store"})
    store: str | None = field(default=None, metadata={"help": "EVA_STORE_URL (postgresql://) or SQLite file; None = workspace/bot/eva.sqlite"})
    retention_days: int = field(default=30, metadata={"help": "EVA_RETENTION_DAYS of the bot store"})

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"--mode must be one of {', '.join(MODES)} (got {self.mode!r}).")
        if self.prompts is not None and self.feedback:
            raise InputError("--prompts and --feedback are two prompt sources; use one.")
        if self.limit < 0:
            raise InputError(f"--limit must be 0 (all) or more (got {self.limit}).")
        if self.batch_size < 1:
            raise InputError(f"--batch-size must be at least 1 (got {self.batch_size}).")
        if self.max_new_tokens < 1:
            raise InputError(f"--max-new-tokens must be at least 1 (got {self.max_new_tokens}).")
        if self.temperature < 0:
            raise InputError(f"--temperature must be 0 or more (got {self.temperature}).")
        if self.mode == "samples" and self.temperature == 0:
            raise InputError("--mode samples with --temperature 0 gives two identical replies.",
                             "Use a temperature above 0 (for example 0.7).")
        if self.name is not None:
            check_name(self.name)
        self.home = Path(self.home).expanduser()


@dataclass
class Prompt:
    messages: list[dict]
    lang: str
    split: str = "train"
    reference: str | None = None


@dataclass
class PrepareResult:
    name: str
    folder: Path
    tasks: int
    guarded: int
    source: str
    seconds: float


def check_name(name: str) -> str:
    if not name or name.startswith(".") or any(c in name for c in "/\\\0") or len(name) > 100:
        raise InputError(f"review name {name!r} is not a plain folder name.", "Use letters, digits, - and _.")
    return name


# --- reading a review folder ---------------------------------------------------------------------------------

def resolve_review(ws: Workspace, name: str | None, flag: str = "NAME") -> Path:
    """The named review folder (it must hold tasks.jsonl), or the most recently prepared one when None."""
    done = sorted(p for p in ws.reviews_dir.glob(f"*/{TASKS_FILE}")) if ws.reviews_dir.is_dir() else []
    if name is None:
        if not done:
            raise MissingArtifactError(f"no prepared reviews in {ws.reviews_dir}.", "Run `eva review prepare` first.")
        return max(done, key=lambda p: p.stat().st_mtime).parent
    folder = ws.review_dir(check_name(name))
    if not (folder / TASKS_FILE).is_file():
        known = ", ".join(p.parent.name for p in done) or "none yet; run `eva review prepare`"
        raise EvaError(f"{flag}: no prepared review named {name!r} in {ws.reviews_dir}.", f"Existing reviews: {known}.")
    return folder


def read_tasks(folder: Path) -> list[dict]:
    path = folder / TASKS_FILE
    if not path.is_file():
        raise MissingArtifactError(f"{path} is missing.", "Run `eva review prepare` first.")
    tasks = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            task = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{i} is not valid JSON ({exc.msg}).", "Run `eva review prepare` again.") from None
        if not isinstance(task, dict) or len(task.get("candidates") or []) != 2 or not task.get("messages"):
            raise InputError(f"{path}:{i} is not a review task (needs messages and two candidates).",
                             "Run `eva review prepare` again.")
        tasks.append(task)
    return tasks


def read_meta(folder: Path) -> dict:
    path = folder / META_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except json.JSONDecodeError:
        return {}


# --- prompts -------------------------------------------------------------------------------------------------

def _conversation(value, where: str) -> list[dict]:
    """A prompt value (text, or a list of {role, content}) as messages ending with a user turn."""
    from eva_cli.pairs.base import strip_system

    if isinstance(value, str) and value.strip():
        return [{"role": "user", "content": value.strip()}]
    if isinstance(value, list) and all(isinstance(m, dict) and isinstance(m.get("content"), str) and m.get("role")
                                       for m in value):
        messages = strip_system(value)
        if messages and messages[-1]["role"] == "user":
            return messages
    raise InputError(f"{where}: the prompt must be a text or a list of {{role, content}} messages ending with a user turn.")


def read_prompts_file(path: Path) -> list[Prompt]:
    """--prompts: JSONL (`messages`, `prompt` or `text` per line) or CSV (a prompt/text/message/question column)."""
    from eva_cli.lang import detect_lang
    from eva_cli.pairs.base import last_user_text

    if not path.is_file():
        raise InputError(f"--prompts: {path} does not exist.", "Give a JSONL or CSV file of prompts.")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"--prompts: {path} is not UTF-8 text.", "Save it as UTF-8.") from None
    rows: list[tuple[object, str | None, str]] = []  # (value, lang, where)
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(raw.splitlines())
        column = next((c for c in PROMPT_COLUMNS if c in (reader.fieldnames or [])), None)
        if column is None:
            raise InputError(f"--prompts: {path} has no {'/'.join(PROMPT_COLUMNS)} column.",
                             f"Its columns: {', '.join(reader.fieldnames or []) or 'none'}.")
        rows = [(r.get(column) or "", r.get("lang") or None, f"--prompts: {path}:{i}") for i, r in enumerate(reader, 2)
                if (r.get(column) or "").strip()]
    else:
        for i, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"--prompts: {path}:{i} is not valid JSON ({exc.msg}).",
                                 "Use one object per line with `messages`, `prompt` or `text`, or a CSV file.") from None
            key = next((k for k in ("messages", "prompt", "text") if isinstance(obj, dict) and k in obj), None)
            if key is None:
                raise InputError(f"--prompts: {path}:{i} needs a `messages`, `prompt` or `text` field.")
            rows.append((obj[key], obj.get("lang"), f"--prompts: {path}:{i}"))
    out = []
    for value, lang, where in rows:
        messages = _conversation(value, where)
        out.append(Prompt(messages, str(lang or detect_lang(last_user_text(messages)))))
    if not out:
        raise InputError(f"--prompts: {path} holds no prompts.")
    return out


def held_out_prompts(ws: Workspace, limit: int, seed: int) -> list[Prompt]:
    """Distinct prompts of pairs/eval.parquet, chosen by a seeded hash (as `eva eval --generate` does)."""
    from eva_cli.evaluate.generation import select_samples
    from eva_cli.evaluate.runner import load_pairs, resolve_pairs
    from eva_cli.pairs.base import strip_system

    path, _ = resolve_pairs("eval", ws)
    rows = load_pairs(path)
    picked = select_samples(rows, limit or len(rows), seed)
    return [Prompt(strip_system(s.prompt), s.lang or "en", "eval", s.reference) for s in picked]


def feedback_prompts(ws: Workspace, data_key: str | None, retention_days: int, store: str | None = None) -> list[Prompt]:
    """Prompts from the feedback of users who consent (the store filters)."""
    from eva_cli.pairs.feedback import load_feedback_rows

    rows, origin = load_feedback_rows(store or ws.bot_db, data_key, retention_days)
    out = []
    for i, row in enumerate(rows, 1):
        try:
            messages = _conversation(row.get("prompt"), f"--feedback: row {i}")
        except InputError:
            continue
        out.append(Prompt(messages, str(row.get("lang") or "en")))
    if not out:
        raise InputError(f"--feedback: no usable feedback prompts ({origin}).",
                         "Collect feedback with the bot first, or use --prompts FILE.")
    return out


def unique(prompts: list[Prompt]) -> list[Prompt]:
    from eva_cli.pairs.base import prompt_key

    seen, out = set(), []
    for p in prompts:
        key = prompt_key(p.messages)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# --- candidates ----------------------------------------------------------------------------------------------

def candidate(cid: str, system: str, text: str, lang: str) -> dict:
    """One candidate reply after the output guard: an unsafe reply is replaced, the reasons kept."""
    from eva_cli.safety.guard import guard_reply

    checked = guard_reply(text, lang)
    return {"id": cid, "system": system, "text": checked.text, "guard": list(checked.reasons)}


def prepare(options: PrepareOptions, ws: Workspace, progress: Progress | None = None,
            notify: Callable[[str], None] | None = None) -> PrepareResult:
    """Generate two candidates per prompt and write review/<name>/{tasks.jsonl, review.json} atomically."""
    import time

    from eva_cli.atomic import atomic_path
    from eva_cli.evaluate.runner import RunModels, _device, _dtype, _four_bit, choose_base
    from eva_cli.generate import SamplingConfig, generate_batch
    from eva_cli.pairs.base import prompt_key, stable_hash
    from eva_cli.persona import system_prompt
    from eva_cli.runs import read_train_config

    t0 = time.perf_counter()
    run_dir = ws.resolve_run(options.run)
    name = options.name or run_dir.name
    folder = ws.review_dir(check_name(name))
    judged = folder / JUDGMENTS_FILE
    if judged.is_file() and judged.stat().st_size > 0:
        raise InputError(f"review {name!r} already has judgments ({judged}); new tasks would orphan them.",
                         "Choose another --name.")
    if options.prompts is not None:
        prompts, source = read_prompts_file(options.prompts), f"prompts:{options.prompts.name}"
    elif options.feedback:
        prompts, source = feedback_prompts(ws, options.data_key, options.retention_days, options.store), "bot-feedback"
    else:
        prompts, source = held_out_prompts(ws, options.limit, options.seed), "pairs:eval"
    prompts = unique(prompts)
    if options.limit:
        prompts = prompts[: options.limit]

    cfg = read_train_config(run_dir)
    warnings: list[str] = []
    device = _device(options.device)
    dtype = _dtype("auto", device)
    base_path = choose_base(run_dir, cfg, None, options.home)
    models = RunModels(run_dir, base_path, device, dtype, _four_bit("auto", cfg.get("mode"), notify or print, warnings))
    systems = SYSTEMS[options.mode]
    # base-vs-tuned: one seed for both; samples: two seeds of the tuned model
    plan = ([("base", options.seed), ("tuned", options.seed)] if options.mode == "base-vs-tuned"
            else [("tuned", options.seed), ("tuned", options.seed + 1)])
    conversations = [[{"role": "system", "content": system_prompt(p.lang)}, *p.messages] for p in prompts]
    replies: list[list[str]] = []
    for (model_name, seed), label in zip(plan, systems):
        sampling = SamplingConfig(max_new_tokens=options.max_new_tokens, temperature=options.temperature, seed=seed)
        out: list[str] = []
        with models.use(model_name) as model:
            if progress:
                progress(label, 0, len(prompts))
            for i in range(0, len(conversations), options.batch_size):
                out.extend(generate_batch(model, models.tokenizer, conversations[i:i + options.batch_size], sampling))
                if progress:
                    progress(label, len(out), len(prompts))
        replies.append(out)

    tasks = []
    for k, p in enumerate(prompts):
        cands = [candidate(f"c{j}", systems[j], replies[j][k], p.lang) for j in range(2)]
        tasks.append({"id": stable_hash(name, prompt_key(p.messages)), "messages": p.messages, "lang": p.lang,
                      "source": source, "split": p.split, "reference": p.reference, "candidates": cands})
    meta = {
        "name": name, "run": run_dir.name, "mode": options.mode, "systems": list(systems), "source": source,
        "tasks": len(tasks), "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": {"base": base_path, "tuned": models.tuned_path, "device": device},
        "sampling": SamplingConfig(max_new_tokens=options.max_new_tokens, temperature=options.temperature,
                                   seed=options.seed).as_dict(),
        "warnings": warnings,
    }
    lines = "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks)
    with atomic_path(folder / TASKS_FILE, suffix=".jsonl") as t_tasks, atomic_path(folder / META_FILE) as t_meta:
        t_tasks.write_text(lines, encoding="utf-8")
        t_meta.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    guarded = sum(1 for t in tasks for c in t["candidates"] if c["guard"])
    return PrepareResult(name, folder, len(tasks), guarded, source, time.perf_counter() - t0)
