"""Benchmark the comment classifier: comments/s next to raw fugashi's rate, a 20,000-comment
batch's memory, training and load time.

Run on one core: `taskset -c 1 .venv/bin/python -m bench.classifier_bench`. On a shared machine
compare the CPU-time figures, which other processes' load disturbs least.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy is imported: one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import random
import statistics
import tempfile
import time
from pathlib import Path

from analysis.text.classify import BATCH_SIZE, classify_many
from analysis.text.corpus import LabelledComment, training_comments
from analysis.text.model_store import TrainedModel, load_model, save_model
from analysis.text.tokens import new_tagger, normalise
from analysis.text.training import train

TARGET_RATE = 1000
BIG_BATCH = 20_000


def synthetic_comments(count: int, seed: int = 7) -> list[LabelledComment]:
    """Recombine corpus comments into new ones carrying the union of their goals."""
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
    """Comments per second classified end to end (masking, language, both models) in batches."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), BATCH_SIZE):
        classify_many(model, texts[i : i + BATCH_SIZE])
    return _rates(len(texts), time.perf_counter() - wall, time.process_time() - cpu)


def resident_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def big_batch_memory(model: TrainedModel, texts: list[str]) -> list[float]:
    """Resident memory after each quarter of a large batch classified as classify_csv does."""
    marks = []
    quarter = len(texts) // 4
    for i in range(0, len(texts), BATCH_SIZE):
        classify_many(model, texts[i : i + BATCH_SIZE])
        if (i + BATCH_SIZE) // quarter > len(marks):
            marks.append(resident_mb())
    return marks


def main(rounds: int = 3) -> None:
    """Print the figures; the floor and the classifier alternate so both see the same load."""
    start, cpu = time.perf_counter(), time.process_time()
    model = train()
    tests = ", ".join(f"{name} {m['macro_f1']:.3f}" for name, m in model.info.test_metrics.items())
    print(
        f"training on {model.info.training_size} comments: {time.perf_counter() - start:.1f} s "
        f"wall, {time.process_time() - cpu:.1f} s cpu; macro-F1 {tests}"
    )
    texts = [c.text for c in synthetic_comments(5000, seed=11)]
    classify_many(model, texts[:50])
    rates = []
    for round_ in range(1, rounds + 1):
        floor, rate = raw_fugashi_rate(texts), classify_rate(model, texts)
        rates.append(rate[1])
        print(
            f"round {round_}: raw fugashi (lemma) {floor[0]:6.0f}/s wall {floor[1]:6.0f}/s cpu;  "
            f"classify end to end {rate[0]:6.0f}/s wall {rate[1]:6.0f}/s cpu;  "
            f"ratio {rate[1] / floor[1]:.2f}x cpu"
        )
    print(f"median classify rate: {statistics.median(rates):.0f}/s cpu (target >= {TARGET_RATE})")
    big = [c.text for c in synthetic_comments(BIG_BATCH, seed=5)]
    before = resident_mb()
    marks = big_batch_memory(model, big)
    print(
        f"{BIG_BATCH:,} comments: resident memory {before:.0f} MB before, then "
        + ", ".join(f"{mb:.0f}" for mb in marks)
        + f" MB after each quarter (growth {marks[-1] - marks[0]:+.0f} MB after the first)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.skops"
        save_model(model, path)
        start = time.perf_counter()
        load_model(path)
        print(
            f"model load: {time.perf_counter() - start:.2f} s, {path.stat().st_size / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
