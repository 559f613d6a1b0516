"""`run_ingest`: PATHs -> workspace/data/examples.parquet + ingest-report.json.

1. expand the PATHs into sources and read every one (any bad input fails here,
   before anything is written);
2. each source's adapter yields candidates; they are cleaned, bounded, filtered by
   language and deduplicated across sources, every loss counted under a reason;
3. examples are split train/eval by group and both files are written atomically.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from eva_cli.errors import InputError
from eva_cli.ingest.adapters import ADAPTERS, Candidate, Drop
from eva_cli.ingest.clean import TextCleaner, dedup_key, example_lang
from eva_cli.ingest.detect import choose_adapter
from eva_cli.ingest.readers import Records, expand_inputs, load_records
from eva_cli.ingest.split import assign_splits
from eva_cli.workspace import Workspace

LANGS = ("en", "uk", "other")
_META_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)
Progress = Callable[[str, int, int], None]   # (source name, records done, records in all sources)


@dataclass
class IngestOptions:
    """What `eva ingest` does with its inputs (the command's flags)."""

    format: str | None = None          # adapter name forced on every input; None = detect per file
    eval_fraction: float = 0.1         # share of examples (whole groups) put in the eval split
    seed: int = 42                     # seed of the group split
    max_chars: int = 6000              # max characters of the last user turn + reply (older turns are trimmed first)
    min_chars: int = 2                 # replies shorter than this are dropped
    langs: tuple[str, ...] | None = None  # keep only these languages (en, uk, other); None = all
    skip_unknown: bool = False         # a file found in a folder/archive that no format reads is skipped, not fatal
    convai_distractors: int = 0        # convai: this many other candidates become rejected replies (0 = none)

    def __post_init__(self) -> None:
        if self.format is not None and self.format not in ADAPTERS:
            raise InputError(f"--format {self.format!r} is not a known format.",
                             f"Use one of: {', '.join(ADAPTERS)} (see `eva ingest --list-formats`).")
        if not 0.0 <= self.eval_fraction < 1.0:
            raise InputError(f"--eval-fraction {self.eval_fraction} is out of range.", "Use a value in [0, 1), e.g. 0.1.")
        if self.max_chars < 1:
            raise InputError(f"--max-chars {self.max_chars} must be a positive number of characters.")
        if self.min_chars < 0 or self.min_chars > self.max_chars:
            raise InputError(f"--min-chars {self.min_chars} must be between 0 and --max-chars ({self.max_chars}).")
        if self.langs is not None:
            langs = tuple(dict.fromkeys(x.strip().lower() for x in self.langs if x.strip()))
            unknown = [x for x in langs if x not in LANGS]
            if unknown or not langs:
                raise InputError(f"--langs {','.join(self.langs)}: unknown language {', '.join(unknown) or '(none)'}.",
                                 f"Use a comma-separated subset of {','.join(LANGS)}.")
            self.langs = langs
        if self.convai_distractors < 0:
            raise InputError(f"--convai-distractors {self.convai_distractors} must be 0 or more.",
                             "0 (the default) keeps only the gold reply; N makes N distractors rejected replies.")


@dataclass
class SourceReport:
    path: str
    source: str
    format: str
    layout: str
    records: int = 0
    candidates: int = 0
    examples: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str, n: int = 1) -> None:
        self.candidates += n
        self.dropped[reason] = self.dropped.get(reason, 0) + n


@dataclass
class IngestResult:
    sources: list[SourceReport]
    examples: int
    langs: dict[str, int]
    splits: dict[str, int]
    groups: int
    warnings: list[str]
    skipped: list[dict]                # {"path", "reason"} per file --skip-unknown left out
    examples_path: Path
    report_path: Path
    seconds: float

    @property
    def dropped(self) -> dict[str, int]:
        total: Counter = Counter()
        for s in self.sources:
            total.update(s.dropped)
        return dict(total)

    def to_json(self) -> dict:
        return {
            "sources": [asdict(s) for s in self.sources],
            "totals": {
                "records": sum(s.records for s in self.sources),
                "candidates": sum(s.candidates for s in self.sources),
                "examples": self.examples,
                "dropped": self.dropped,
                "groups": self.groups,
                "skipped_files": len(self.skipped),
            },
            "skipped": self.skipped,
            "langs": self.langs,
            "splits": self.splits,
            "warnings": self.warnings,
        }


class _Collector:
    """Cleans candidates into rows, counting every loss on the source's report."""

    def __init__(self, options: IngestOptions):
        self.options = options
        self.clean = TextCleaner()
        self.seen: set[bytes] = set()
        self.columns: dict[str, list] = {k: [] for k in
                                         ("id", "source", "format", "group", "messages", "response", "rejected",
                                          "score", "lang", "meta")}

    def add(self, cand: Candidate, report: SourceReport, group_ns: str) -> None:
        reason = self._add(cand, report, group_ns)
        if reason:
            report.drop(reason)
        else:
            report.candidates += 1
            report.examples += 1

    def _add(self, cand: Candidate, report: SourceReport, group_ns: str) -> str | None:
        clean, opts = self.clean, self.options
        messages: list[dict] = []
        for m in cand.messages:
            content = clean(m.get("content"))
            if not content:
                continue
            if messages and messages[-1]["role"] == m["role"]:
                messages[-1] = {"role": m["role"], "content": messages[-1]["content"] + "\n" + content}
            else:
                messages.append({"role": m["role"], "content": content})
        response = clean(cand.response)
        rejected = clean(cand.rejected) if cand.rejected is not None else None
        if not response or not messages or rejected == "":
            return "empty"
        if messages[-1]["role"] != "user":
            return "no_context"
        reply = max(len(response), len(rejected or ""))
        if len(response) < opts.min_chars:
            return "too_short"
        if len(messages[-1]["content"]) + reply > opts.max_chars:
            return "too_long"
        trimmed = _trim_context(messages, opts.max_chars - reply)
        lang = example_lang(messages[-1]["content"], response)
        if opts.langs is not None and lang not in opts.langs:
            return "lang"
        texts = [f"{m['role']}:{m['content']}" for m in messages] + [response, rejected or ""]
        key = hashlib.blake2b(dedup_key(texts).encode("utf-8"), digest_size=16).digest()
        if key in self.seen:
            return "duplicate"
        self.seen.add(key)
        meta = dict(cand.meta)
        if trimmed:
            meta["context_trimmed"] = trimmed
        exact = "\x1e".join(texts).encode("utf-8")
        cols = self.columns
        cols["id"].append(hashlib.blake2b(exact, digest_size=8).hexdigest())
        cols["source"].append(report.source)
        cols["format"].append(report.format)
        cols["group"].append(f"{group_ns}#{cand.group}")
        cols["messages"].append(messages)
        cols["response"].append(response)
        cols["rejected"].append(rejected)
        cols["score"].append(cand.score)
        cols["lang"].append(lang)
        cols["meta"].append(_META_JSON.encode(meta))
        return None


def _trim_context(messages: list[dict], budget: int) -> int:
    """Drop the oldest turns (in place) until the context fits `budget` characters, then any
    assistant turns left at its start; it still ends with the last user turn. Returns how many
    turns went."""
    total = sum(len(m["content"]) for m in messages)
    dropped = 0
    while total > budget and len(messages) > 1:
        total -= len(messages.pop(0)["content"])
        dropped += 1
    while len(messages) > 1 and messages[0]["role"] == "assistant":
        messages.pop(0)
        dropped += 1
    return dropped


def run_ingest(paths: list[Path], options: IngestOptions, workspace: Workspace,
               progress: Progress | None = None, warn: Callable[[str], None] | None = None) -> IngestResult:
    """Ingest `paths` into `workspace.examples` and `workspace.ingest_report` (atomically, both or
    neither). Raises InputError for any unusable input before writing anything."""
    from eva_cli.atomic import write_json
    from eva_cli.schema import EXAMPLES, write_table

    started = time.perf_counter()
    warnings: list[str] = []

    def note(message: str) -> None:
        warnings.append(message)
        if warn:
            warn(message)

    parsers = {a.name: a.csv_parser for a in ADAPTERS.values() if a.csv_parser}
    loaded: list[tuple[Records, object]] = []
    skipped: list[dict] = []
    for src in expand_inputs(paths):
        try:
            records = load_records(src, note, csv_parsers=parsers, forced_format=options.format)
            loaded.append((records, choose_adapter(records, options.format)))
        except InputError as exc:
            if not (options.skip_unknown and src.walked):
                raise
            skipped.append({"path": src.path, "reason": exc.message})
            note(f"skipped {exc.message}")

    total = sum(len(r.rows) + r.malformed for r, _ in loaded)
    done = 0
    collector = _Collector(options)
    reports: list[SourceReport] = []
    for records, adapter in loaded:
        src = records.source
        report = SourceReport(path=src.path, source=src.name, format=adapter.name, layout=records.layout,
                              records=len(records.rows) + records.malformed)
        if records.malformed:
            report.drop("malformed", records.malformed)
        base = done + records.malformed
        for n, item in enumerate(adapter.read(records, options)):
            if isinstance(item, Drop):
                report.drop(item.reason)
            else:
                collector.add(item, report, src.group_ns)
            if progress and n % 2000 == 0:
                progress(src.name, base + records.consumed, total)
        done = base + len(records.rows)
        if progress:
            progress(src.name, done, total)
        reports.append(report)
        records.rows = []  # free the raw rows early

    cols = collector.columns
    n = len(cols["id"])
    if n == 0:
        lost = ", ".join(f"{k} {v}" for k, v in sorted(Counter(
            {k: v for r in reports for k, v in r.dropped.items()}).items())) or "nothing was read"
        if skipped:
            lost += f"; {len(skipped)} files skipped as unknown"
        raise InputError(f"no examples left from {', '.join(str(p) for p in paths)} (dropped: {lost}).",
                         "Check --langs, --min-chars and --max-chars, or the input files.")
    splits = assign_splits(cols["group"], options.eval_fraction, options.seed)
    if options.eval_fraction > 0 and "eval" not in splits:
        note("only one question/conversation group: the eval split is empty.")
    table = _to_table(cols, splits)
    result = IngestResult(
        sources=reports, examples=n, langs=dict(Counter(cols["lang"])), splits=dict(Counter(splits)),
        groups=len(set(cols["group"])), warnings=warnings, skipped=skipped, examples_path=workspace.examples,
        report_path=workspace.ingest_report, seconds=0.0,
    )
    write_table(table, workspace.examples, EXAMPLES)
    result.seconds = round(time.perf_counter() - started, 3)
    report_json = result.to_json()
    report_json["options"] = {k: v for k, v in asdict(options).items()}
    write_json(workspace.ingest_report, report_json)
    return result


def _to_table(cols: dict[str, list], splits: list[str]):
    import pyarrow as pa

    from eva_cli.schema import EXAMPLES

    arrays = {name: pa.array(values, type=EXAMPLES.field(name).type) for name, values in cols.items()}
    arrays["split"] = pa.array(splits, type=pa.string())
    return pa.table([arrays[name] for name in EXAMPLES.names], schema=EXAMPLES)
