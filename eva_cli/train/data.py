"""The train/eval preference pairs as TRL wants them, plus their fingerprints and length checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from eva_cli.errors import InputError, MissingArtifactError

TRL_COLUMNS = ("prompt", "chosen", "rejected")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def require_pairs(path: Path, split: str) -> Path:
    if not path.is_file() or path.stat().st_size == 0:
        raise MissingArtifactError(f"{path} is missing: there are no {split} pairs to train on.",
                                   "Run `eva build-pairs` first.")
    return path


def load_pairs(path: Path, split: str):
    """A `datasets.Dataset` with only prompt/chosen/rejected (lists of {role, content})."""
    import pyarrow.parquet as pq
    from datasets import Dataset

    require_pairs(path, split)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(f"{path} is not a readable parquet file ({exc}).", "Re-run `eva build-pairs`.") from exc
    missing = [c for c in TRL_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(f"{path} lacks the column(s) {', '.join(missing)}.", "Re-run `eva build-pairs`.")
    if table.num_rows == 0:
        raise InputError(f"{path} holds no pairs.", "Run `eva build-pairs` on a larger corpus.")
    return Dataset.from_dict({c: table.column(c).to_pylist() for c in TRL_COLUMNS})


def pair_sources(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, columns=["source"])
    except Exception:
        return []
    return sorted({s for s in table.column("source").to_pylist() if s})


@dataclass
class LengthReport:
    pairs: int
    truncated: int        # prompt + a reply is longer than max_length: the reply is cut
    prompt_too_long: int  # the prompt alone fills max_length: nothing of the reply is left
    longest: int

    def message(self, max_length: int, source: Path) -> str | None:
        if not self.truncated and not self.prompt_too_long:
            return None
        text = (f"--max-length {max_length}: {self.truncated} of {self.pairs} pairs in {source.name} are longer "
                f"(longest {self.longest} tokens) and will be truncated")
        if self.prompt_too_long:
            text += f"; {self.prompt_too_long} prompts alone fill it, so those pairs are left out"
        return text + "."


def check_lengths(dataset, tokenizer, max_length: int) -> tuple[LengthReport, list[int]]:
    """Count pairs that `max_length` truncates, the way TRL renders them; return kept row indices."""
    from trl.data_utils import maybe_apply_chat_template

    prompt_lens, total_lens = [], []
    texts_p, texts_c, texts_r = [], [], []
    for row in dataset:
        out = maybe_apply_chat_template(row, tokenizer)
        texts_p.append(out["prompt"])
        texts_c.append(out["prompt"] + out["chosen"])
        texts_r.append(out["prompt"] + out["rejected"])
    enc = lambda texts: [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]  # noqa: E731
    prompt_lens = enc(texts_p)
    total_lens = [max(c, r) + 1 for c, r in zip(enc(texts_c), enc(texts_r))]  # +1: the EOS TRL may add
    truncated = sum(t > max_length for t in total_lens)
    # a prompt needs room for a BOS TRL may add and at least one reply token
    too_long = [i for i, p in enumerate(prompt_lens) if p + 2 > max_length]
    keep = [i for i, p in enumerate(prompt_lens) if p + 2 <= max_length]
    report = LengthReport(len(prompt_lens), truncated, len(too_long), max(total_lens, default=0))
    return report, keep
