"""Tokenize once: TRL's ORPO tokenization cached in the workspace.

The key covers everything the tokenized rows depend on:
- the data: a SHA-256 of the dataset's Arrow content (all columns, in row order);
- the tokenizer: class, name, the full serialized tokenizer (vocab, merges, normalizer) or, for
  slow tokenizers, the vocabulary, the special tokens and the chat template;
- the tokenization parameters (max length, max completion length, ...), the TRL version and this
  module's format version.
Any change gives another key, so a stale entry is never read. Entries are written atomically
(`atomic_dir`) with `datasets.save_to_disk`; a reader sees a whole entry or none. The most
recently used `keep` entries stay; older ones are pruned.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

FORMAT_VERSION = 1
META_FILE = "eva-token-cache.json"


def _sha(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def dataset_fingerprint(dataset) -> str:
    """SHA-256 of a datasets.Dataset's rows (Arrow IPC of the table, schema metadata dropped)."""
    import pyarrow as pa

    table = dataset.with_format("arrow")[:]  # honours any indices mapping (select/shuffle)
    # `take` rewrites every column into fresh contiguous buffers, so a slice hashes like a copy
    table = table.replace_schema_metadata(None).take(pa.array(range(table.num_rows), type=pa.int64()))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def tokenizer_fingerprint(tokenizer) -> str:
    """SHA-256 over what decides how a tokenizer splits text and wraps chats."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        body = backend.to_str()
    else:
        body = json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False)
    specials = json.dumps({
        "class": type(tokenizer).__name__,
        "special": {k: str(v) for k, v in sorted(tokenizer.special_tokens_map.items())},
        "ids": [tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id],
        "added": sorted(str(t) for t in tokenizer.get_added_vocab()),
        "padding_side": getattr(tokenizer, "padding_side", None),
        "truncation_side": getattr(tokenizer, "truncation_side", None),
        "add_bos": getattr(tokenizer, "add_bos_token", None),
        "add_eos": getattr(tokenizer, "add_eos_token", None),
    }, sort_keys=True, default=str)
    return _sha(body, specials, str(getattr(tokenizer, "chat_template", None) or ""))


def cache_key(dataset, tokenizer, params: dict) -> tuple[str, dict]:
    """(key, description) for tokenizing `dataset` with `tokenizer` under `params`."""
    import trl

    desc = {
        "format": FORMAT_VERSION,
        "trl": trl.__version__,
        "data_sha256": dataset_fingerprint(dataset),
        "rows": len(dataset),
        "tokenizer": str(getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__),
        "tokenizer_sha256": tokenizer_fingerprint(tokenizer),
        "params": {k: params[k] for k in sorted(params)},
    }
    return _sha(json.dumps(desc, sort_keys=True, default=str))[:32], desc


class TokenCache:
    """A folder of tokenized datasets, one sub-folder per key."""

    def __init__(self, root: str | Path, keep: int = 16):
        self.root = Path(root)
        self.keep = keep

    def path_for(self, key: str) -> Path:
        return self.root / key

    def load(self, key: str):
        """The cached dataset for `key`, or None."""
        path = self.path_for(key)
        if not (path / META_FILE).is_file():
            return None
        from datasets import load_from_disk

        try:
            dataset = load_from_disk(str(path))
        except Exception:  # unreadable entry (e.g. written by an incompatible datasets): rebuild it
            return None
        (path / META_FILE).touch()  # most recently used
        return dataset

    def save(self, key: str, dataset, desc: dict) -> Path:
        from eva_cli.atomic import atomic_dir

        path = self.path_for(key)
        with atomic_dir(path) as tmp:
            dataset.save_to_disk(str(tmp))
            (tmp / META_FILE).write_text(json.dumps({**desc, "key": key, "created": time.time()}, indent=2,
                                                    default=str) + "\n", encoding="utf-8")
        self.prune()
        return path

    def entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.iterdir() if p.is_dir() and (p / META_FILE).is_file()]
        return sorted(found, key=lambda p: (p / META_FILE).stat().st_mtime, reverse=True)

    def prune(self) -> None:
        for old in self.entries()[self.keep:]:
            shutil.rmtree(old, ignore_errors=True)

