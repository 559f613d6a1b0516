"""Labelled messages for training and evaluating the screen: CSV, TSV, JSON, JSONL or Parquet.

Labels are the risk levels (none / elevated / crisis), or any binary labelling mapped with
`positive` ("--label-column label --positive at_risk": rows labelled at_risk are at risk, the
rest are not). Optional columns: categories (a list or "a,b"), lang, kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eva_cli.errors import InputError

LEVELS = ("none", "elevated", "crisis")


@dataclass(frozen=True)
class LabelColumns:
    """How to read a labelled file (the flags --text-column, --label-column, --positive)."""

    text: str = "text"
    label: str = "expected_risk"  # falls back to "label" when the file has no such column
    positive: tuple[str, ...] = ()  # binary labels: these values are at risk, every other value is not
    positive_level: str = "elevated"  # the level a binary positive counts as

    def __post_init__(self) -> None:
        if self.positive_level not in ("elevated", "crisis"):
            raise InputError(f"--positive-level must be elevated or crisis (got {self.positive_level!r}).")


@dataclass
class Labelled:
    text: str
    level: str  # none | elevated | crisis
    lang: str = "?"
    kind: str = ""  # explicit | implicit | hard_negative | ordinary | "" (unknown)
    categories: list[str] = field(default_factory=list)
    line: int = 0
    binary: bool = False  # the label was binary: only at-risk vs not is known

    @property
    def positive(self) -> bool:
        return self.level != "none"


def _frame(path: Path, flag: str):
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        if suffix == ".json":
            return pd.read_json(path, dtype=False)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".tsv", ".txt"):
            return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{flag}: {path} cannot be read ({str(exc).splitlines()[0][:120]}).",
                         "Give UTF-8 CSV, TSV, JSONL, JSON or Parquet with a text and a label column.") from None
    raise InputError(f"{flag}: {path} has an unknown extension {suffix!r}.", "Use .csv, .tsv, .jsonl, .json or .parquet.")


def _categories(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [c.strip() for c in value.replace(";", ",").split(",") if c.strip()]
    try:
        return [str(c) for c in value]
    except TypeError:
        return []


def read_labelled(path: str | Path, columns: LabelColumns = LabelColumns(), *, flag: str = "--evaluate") -> list[Labelled]:
    """Read and validate a labelled file; any bad row is an InputError naming the file, row and flag."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{flag}: {path} does not exist.", "Give a labelled CSV, JSONL or Parquet file.")
    df = _frame(path, flag)
    label_col = columns.label
    if label_col not in df.columns and label_col == "expected_risk" and "label" in df.columns:
        label_col = "label"
    for col, opt in ((columns.text, "--text-column"), (label_col, "--label-column")):
        if col not in df.columns:
            raise InputError(f"{flag}: {path} has no column {col!r} (columns: {', '.join(map(str, df.columns))}).",
                             f"Name the right one with {opt}.")
    positive = {p.strip() for p in columns.positive if p.strip()}
    rows: list[Labelled] = []
    for i, rec in enumerate(df.to_dict("records"), 1):
        text, raw = rec.get(columns.text), rec.get(label_col)
        if not isinstance(text, str) or not text.strip():
            continue
        label = str(raw).strip() if raw is not None else ""
        if positive:
            level = columns.positive_level if label in positive else "none"
        elif label in LEVELS:
            level = label
        else:
            raise InputError(f"{flag}: {path}:{i} {label_col} {label!r} is not one of {', '.join(LEVELS)}.",
                             "For other labels name the at-risk values with --positive (e.g. --positive at_risk).")
        cats = _categories(rec.get("categories")) if level != "none" else []
        kind = str(rec.get("kind") or "")
        rows.append(Labelled(text, level, str(rec.get("lang") or "?"), kind, cats, i, binary=bool(positive)))
    if not rows:
        raise InputError(f"{flag}: {path} has no labelled messages.")
    return rows
