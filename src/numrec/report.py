"""Plots people would rather look at: curves, confusion, mistakes, calibration.

matplotlib comes with the `train` extra; it is imported here only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from numrec import fileio, metrics
from numrec.geometry import NUM_CLASSES

DPI = 110
MISTAKE_COLUMNS = 10
MAX_MISTAKES = 60


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    _plt().close(fig)
    fileio.write_bytes(path, buffer.getvalue())
    return path


def training_curves(history: list[dict[str, float]], path: Path, averaged: bool) -> Path:
    """Train and validation curves; `averaged`: validation used the running average of the weights."""
    plt = _plt()
    val = "validation (averaged weights)" if averaged else "validation"
    epochs = [h["epoch"] for h in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.plot(epochs, [h["train_loss"] for h in history], "o-", label="train (augmented)")
    ax1.plot(epochs, [h["val_loss"] for h in history], "o-", label=val)
    ax1.set(xlabel="epoch", ylabel="cross-entropy", title="Loss", yscale="log")
    ax2.plot(epochs, [100 * (1 - h["train_acc"]) for h in history], "o-", label="train (augmented)")
    ax2.plot(epochs, [100 * (1 - h["val_acc"]) for h in history], "o-", label=val)
    ax2.set(xlabel="epoch", ylabel="error %", title="Error rate", yscale="log")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, path)


def confusion(probs: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    plt = _plt()
    m = metrics.confusion_matrix(probs, labels)
    off = m.copy()
    np.fill_diagonal(off, 0)
    fig, ax = plt.subplots(figsize=(6, 5.4))
    im = ax.imshow(off, cmap="Reds")
    for i in range(NUM_CLASSES):
        for j in range(NUM_CLASSES):
            if m[i, j]:
                ax.text(
                    j, i, str(m[i, j]), ha="center", va="center", fontsize=7, color="tab:blue" if i == j else "black"
                )
    ax.set(
        xticks=range(NUM_CLASSES),
        yticks=range(NUM_CLASSES),
        xlabel="predicted",
        ylabel="true",
        title=f"Confusion matrix (errors shaded), accuracy {100 * metrics.accuracy(probs, labels):.2f}%",
    )
    fig.colorbar(im, ax=ax, fraction=0.046)
    return _save(fig, path)


def mistakes(images: np.ndarray, probs: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    plt = _plt()
    pred = probs.argmax(axis=1)
    wrong = np.nonzero(pred != labels)[0][:MAX_MISTAKES]
    rows = max(1, -(-len(wrong) // MISTAKE_COLUMNS))
    fig, axes = plt.subplots(rows, MISTAKE_COLUMNS, figsize=(MISTAKE_COLUMNS * 1.1, rows * 1.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong, strict=False):
        ax.imshow(images[i], cmap="gray")
        ax.set_title(f"{labels[i]}→{pred[i]} {100 * probs[i].max():.0f}%", fontsize=8, color="tab:red")
    fig.suptitle(f"Misread test digits (true→predicted, confidence): {int((pred != labels).sum())} in all")
    return _save(fig, path)


def reliability(probs: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    plt = _plt()
    bins = [b for b in metrics.reliability_bins(probs, labels) if b["count"]]
    fig, ax = plt.subplots(figsize=(5, 5))
    width = bins[0]["hi"] - bins[0]["lo"] if bins else 0.1
    ax.bar(
        [b["lo"] for b in bins],
        [b["accuracy"] for b in bins],
        width=width,
        align="edge",
        edgecolor="black",
        alpha=0.7,
        label="accuracy in bin",
    )
    ax.plot([0, 1], [0, 1], "k--", label="perfect calibration")
    ax.plot(
        [b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o", color="tab:red", label="mean confidence"
    )
    ax.set(
        xlabel="confidence",
        ylabel="accuracy",
        xlim=(0, 1),
        ylim=(0, 1),
        title=f"Reliability (ECE {100 * metrics.ece(probs, labels):.2f}%)",
    )
    ax.legend(loc="upper left")
    return _save(fig, path)


def write_training_report(out: Path, history: list[dict[str, float]], averaged: bool) -> list[Path]:
    return [training_curves(history, out / "training_curves.png", averaged)] if history else []


def write_evaluation_report(out: Path, images: np.ndarray, probs: np.ndarray, labels: np.ndarray) -> list[Path]:
    return [
        confusion(probs, labels, out / "confusion_matrix.png"),
        mistakes(images, probs, labels, out / "mistakes.png"),
        reliability(probs, labels, out / "reliability.png"),
    ]
