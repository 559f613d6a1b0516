"""Seeded percentile-bootstrap confidence intervals for means, and for paired differences of means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVEL = 0.95
_CHUNK = 4_000_000  # resample indices drawn at most this many at a time


@dataclass(frozen=True)
class BootstrapConfig:
    resamples: int = 2000
    seed: int = 42
    level: float = LEVEL

    def __post_init__(self) -> None:
        if self.resamples < 1:
            raise ValueError("resamples must be positive")
        if not 0 < self.level < 1:
            raise ValueError("level must be between 0 and 1")

    def as_dict(self) -> dict:
        return {"method": "percentile", "resamples": self.resamples, "seed": self.seed, "level": self.level}


def _resampled_means(values: np.ndarray, cfg: BootstrapConfig) -> np.ndarray:
    """Means of `values` over `cfg.resamples` seeded resamples with replacement."""
    n = len(values)
    rng = np.random.default_rng(cfg.seed)
    out = np.empty(cfg.resamples)
    step = max(1, _CHUNK // max(n, 1))
    for lo in range(0, cfg.resamples, step):
        hi = min(cfg.resamples, lo + step)
        out[lo:hi] = values[rng.integers(0, n, size=(hi - lo, n))].mean(axis=1)
    return out


def _interval(samples: np.ndarray, level: float) -> list[float]:
    alpha = (1 - level) / 2
    lo, hi = np.quantile(samples, [alpha, 1 - alpha])
    return [float(lo), float(hi)]


def mean_ci(values, cfg: BootstrapConfig = BootstrapConfig()) -> list[float] | None:
    """95% CI of the mean of `values`; None for fewer than 2 values."""
    values = np.asarray(values, dtype=np.float64)
    if values.size < 2:
        return None
    return _interval(_resampled_means(values, cfg), cfg.level)


def paired_delta_ci(after, before, cfg: BootstrapConfig = BootstrapConfig()) -> list[float] | None:
    """95% CI of mean(after) - mean(before) where both are measured on the same items."""
    after = np.asarray(after, dtype=np.float64)
    before = np.asarray(before, dtype=np.float64)
    if after.shape != before.shape:
        raise ValueError("paired arrays must have the same shape")
    if after.size < 2:
        return None
    return _interval(_resampled_means(after - before, cfg), cfg.level)
