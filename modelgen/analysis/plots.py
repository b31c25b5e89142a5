"""PNG plots (matplotlib, no display needed) for the README, the docs and a credit memo."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .breakeven import BreakevenResult
from .montecarlo import MonteCarloResult
from .outputs import atomic_write, worse_when_higher
from .report_book import bin_labels, loss_histogram
from .sensitivity import SensitivityResult


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    plt = _pyplot()
    try:
        return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, bbox_inches="tight"))
    finally:
        plt.close(fig)


def plot_breakeven(results: list[BreakevenResult], path: Path) -> Path:
    plt = _pyplot()
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 2.2 + 0.6 * len(results[0].classes) * len(results)), squeeze=False)
    for ax, res in zip(axes[:, 0], results):
        names = [c.name for c in res.classes]
        values = [c.crossings[0].value if c.crossings else np.nan for c in res.classes]
        y = np.arange(len(names))
        ax.barh(y, [0 if np.isnan(v) else v - res.lo for v in values], left=res.lo, color="#4472C4")
        for k, (c, v) in enumerate(zip(res.classes, values)):
            label = c.describe(res.stress.path).replace(f"{res.stress.path} ", "") if not np.isnan(v) else c.status
            ax.text(res.lo if np.isnan(v) else v, k, f" {label}", va="center", fontsize=8)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(res.lo, res.hi)
        ax.set_xlabel(res.stress.path)
        ax.set_title(f"Breakeven per class: {res.stress.path}", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_sensitivity(result: SensitivityResult, path: Path) -> Path:
    plt = _pyplot()
    metrics = result.metrics
    if len(result.varies) == 1:
        fig, ax = plt.subplots(figsize=(8, 4.5))
        x = result.varies[0].values
        for m in metrics:
            ax.plot(x, result.values[m], marker="o", label=m)
        ax.set_xlabel(result.varies[0].path)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        ax.set_title("Sensitivity (reference model)", fontsize=10)
    else:
        v1, v2 = result.varies
        fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4.8), squeeze=False)
        for ax, m in zip(axes[0], metrics):
            # n/a (an IRR that does not exist) in grey
            cmap = plt.get_cmap("RdYlGn_r" if worse_when_higher(m) else "RdYlGn").with_extremes(bad="#D9D9D9")
            dx = (v2.values[-1] - v2.values[0]) / max(1, len(v2.values) - 1) / 2
            dy = (v1.values[-1] - v1.values[0]) / max(1, len(v1.values) - 1) / 2
            image = ax.imshow(np.ma.masked_invalid(result.values[m]), origin="lower", aspect="auto", cmap=cmap,
                              extent=(v2.values[0] - dx, v2.values[-1] + dx, v1.values[0] - dy, v1.values[-1] + dy))
            fig.colorbar(image, ax=ax)
            ax.set_xlabel(v2.path)
            ax.set_ylabel(v1.path)
            ax.set_title(f"{m} (grey: n/a)" if np.isnan(result.values[m]).any() else m, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def plot_montecarlo(result: MonteCarloResult, path: Path) -> Path:
    plt = _pyplot()
    d = result.data
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    rent = d.get("rent")
    if rent is not None:
        months = np.arange(1, rent.shape[1] + 1)
        for lo, hi, alpha in ((0.05, 0.95, 0.2), (0.25, 0.75, 0.35)):
            left.fill_between(months, np.quantile(rent, lo, axis=0), np.quantile(rent, hi, axis=0),
                              alpha=alpha, color="#4472C4", label=f"P{round(lo * 100)}-P{round(hi * 100)}")
        left.plot(months, np.median(rent, axis=0), color="#1F3864", label="median")
        left.set_xlabel("Month")
        left.set_ylabel("Rent per GPU-hour (USD)")
        left.legend(fontsize=8)
        left.set_title(f"Rent paths ({result.paths:,}, seed {result.seed})", fontsize=10)
    labels = bin_labels()
    width = 0.8 / max(1, len(result.stats))
    x = np.arange(len(labels))
    for j, s in enumerate(result.stats):
        hist = loss_histogram(d["loss_pct"][:, j], d["loss"][:, j], d["invested"][:, j])
        right.bar(x + j * width, hist, width=width, label=s["class"])
    right.set_xticks(x + width * (len(result.stats) - 1) / 2, labels, rotation=45, fontsize=8)
    right.set_ylabel("Share of paths")
    right.set_title("Loss distribution per class (% of invested)", fontsize=10)
    right.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, path)
