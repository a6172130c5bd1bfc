"""Benchmark the comment classifier: throughput vs raw fugashi, training and load time.

Run on one core: `taskset -c 1 .venv/bin/python -m bench.classifier_bench`. On a shared machine
compare the CPU-time ratio, which other processes' load disturbs least.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported: one core

import random
import statistics
import tempfile
import time
from pathlib import Path

from analysis.text.classify import classify_many
from analysis.text.corpus import LabelledComment, training_comments
from analysis.text.model_store import TrainedModel, load_model, save_model
from analysis.text.tokens import new_tagger, normalise
from analysis.text.training import train


def synthetic_comments(count: int, seed: int = 7) -> list[LabelledComment]:
    """Recombine corpus sentences into new comments carrying the union of their goals."""
    rng = random.Random(seed)
    base = training_comments()
    comments = []
    for _ in range(count):
        parts = rng.sample(base, rng.choice((1, 1, 2)))
        goals = sorted({g for p in parts for g in p.goals if g != "other"}) or ["other"]
        comments.append(LabelledComment("".join(p.text for p in parts), tuple(goals)))
    return comments


Rates = tuple[float, float]
"""Comments per second by wall-clock time and by this process's CPU time."""


def _rates(count: int, wall: float, cpu: float) -> Rates:
    return count / wall, count / cpu


def raw_fugashi_rate(texts: list[str]) -> Rates:
    """Comments per second for tokenising with fugashi and reading each lemma."""
    tagger = new_tagger()
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        for word in tagger(normalise(text)):
            _ = word.feature.lemma
    return _rates(len(texts), time.perf_counter() - wall, time.process_time() - cpu)


def classify_rate(model: TrainedModel, texts: list[str]) -> Rates:
    """Comments per second classified end to end in batches of 256."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 256):
        classify_many(model, texts[i : i + 256])
    return _rates(len(texts), time.perf_counter() - wall, time.process_time() - cpu)


def main(rounds: int = 3) -> None:
    """Print the figures; the floor and the classifier alternate so both see the same load."""
    start = time.perf_counter()
    model = train()
    print(
        f"training on the corpus ({model.info.training_size} comments): "
        f"{time.perf_counter() - start:.1f} s, test macro-F1 {model.info.test_macro_f1:.3f}"
    )
    texts = [c.text for c in synthetic_comments(5000, seed=11)]
    classify_many(model, texts[:50])
    ratios = []
    for round_ in range(1, rounds + 1):
        floor, rate = raw_fugashi_rate(texts), classify_rate(model, texts)
        ratios.append(rate[1] / floor[1])
        print(
            f"round {round_}: raw fugashi (lemma) {floor[0]:6.0f}/s wall {floor[1]:6.0f}/s cpu;  "
            f"classify end to end {rate[0]:6.0f}/s wall {rate[1]:6.0f}/s cpu;  "
            f"ratio {rate[0] / floor[0]:.2f}x wall {rate[1] / floor[1]:.2f}x cpu"
        )
    print(f"median ratio (cpu): {statistics.median(ratios):.2f}x (target >= 0.5)")
    big = synthetic_comments(10_000)
    start, cpu = time.perf_counter(), time.process_time()
    train(extra_labels=big, base_rows=[])
    print(
        f"training on 10,000 comments: {time.perf_counter() - start:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s cpu (target < 30)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.skops"
        save_model(model, path)
        start = time.perf_counter()
        load_model(path)
        print(
            f"model load: {time.perf_counter() - start:.2f} s (target < 2), "
            f"{path.stat().st_size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
