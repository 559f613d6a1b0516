"""The workspace: the one folder through which commands hand artifacts on.

See docs/architecture.md for which command writes and reads each path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eva_cli.errors import EvaError, MissingArtifactError


@dataclass(frozen=True)
class Workspace:
    root: Path

    # ingest
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def examples(self) -> Path:
        return self.data_dir / "examples.parquet"

    @property
    def ingest_report(self) -> Path:
        return self.data_dir / "ingest-report.json"

    # build-pairs
    @property
    def pairs_dir(self) -> Path:
        return self.root / "pairs"

    def pairs(self, split: str) -> Path:
        return self.pairs_dir / f"{split}.parquet"

    @property
    def pairs_report(self) -> Path:
        return self.pairs_dir / "report.json"

    # train / eval / merge
    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def run_dir(self, name: str) -> Path:
        return self.runs_dir / name

    def run_names(self) -> list[str]:
        if not self.runs_dir.is_dir():
            return []
        return sorted(p.name for p in self.runs_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def resolve_run(self, name: str | None) -> Path:
        """The named run, or the most recently modified one when `name` is None."""
        names = self.run_names()
        if name is None:
            if not names:
                raise MissingArtifactError(f"no training runs in {self.runs_dir}.", "Run `eva train` first.")
            return max((self.run_dir(n) for n in names), key=lambda p: p.stat().st_mtime)
        path = self.run_dir(name)
        if not path.is_dir():
            listed = ", ".join(names) if names else "none yet; run `eva train`"
            raise EvaError(f"--run: no run named {name!r} in {self.runs_dir}.", f"Existing runs: {listed}.")
        return path

    # review (eva review prepare / serve): tasks.jsonl, judgments.jsonl, review.json
    @property
    def reviews_dir(self) -> Path:
        return self.root / "review"

    def review_dir(self, name: str) -> Path:
        return self.reviews_dir / name

    # tokenization cache (train)
    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    # bot
    @property
    def bot_dir(self) -> Path:
        return self.root / "bot"

    @property
    def bot_db(self) -> Path:
        return self.bot_dir / "eva.sqlite"

    def require(self, path: Path, produced_by: str) -> Path:
        if not path.is_file() or path.stat().st_size == 0:
            raise MissingArtifactError(f"{path} is missing or empty.", f"Run `{produced_by}` first.")
        return path

    def summary(self) -> dict[str, str]:
        """Which artifacts exist, for `eva doctor`."""
        items = {
            "examples": self.examples,
            "pairs/train": self.pairs("train"),
            "pairs/eval": self.pairs("eval"),
            "bot db": self.bot_db,
        }
        out = {k: ("present" if p.exists() else "-") for k, p in items.items()}
        out["runs"] = ", ".join(self.run_names()) or "-"
        return out
