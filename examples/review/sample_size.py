"""How many review tasks make a meaningful win rate: the half-width of its 95% CI as a function of n.
Judgments drawn with P(tuned better)=0.45, P(base better)=0.35, P(tie)=0.20 (true win rate 0.55), one per task;
CI by the project's bootstrap (eva_cli.evaluate.bootstrap.mean_ci, 2000 resamples), averaged over 200 draws.
Run: .venv/bin/python examples/review/sample_size.py (figures in docs/review.md)."""
import numpy as np
from eva_cli.evaluate.bootstrap import BootstrapConfig, mean_ci
rng = np.random.default_rng(0)
for n in (20, 30, 50, 100, 200, 400):
    hw, cover = [], 0
    for k in range(200):
        s = rng.choice([1.0, 0.0, 0.5], size=n, p=[0.45, 0.35, 0.20])
        lo, hi = mean_ci(s, BootstrapConfig(resamples=2000, seed=k))
        hw.append((hi - lo) / 2); cover += lo <= 0.55 <= hi
    worst = 1.96 * np.sqrt(0.25 / n)
    print(f"n={n:4d}  bootstrap half-width {np.mean(hw):.3f}  coverage {cover/200:.2f}  worst case 1.96*sqrt(.25/n) {worst:.3f}")
