"""Benchmark the comment classifier: throughput vs raw fugashi, training and load time."""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from analysis.text.classify import classify_many
from analysis.text.corpus import LabelledComment, training_comments
from analysis.text.model_store import load_model, save_model
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


def raw_fugashi_rate(texts: list[str]) -> float:
    """Comments per second for tokenising with fugashi and reading each lemma."""
    tagger = new_tagger()
    start = time.perf_counter()
    for text in texts:
        for word in tagger(normalise(text)):
            _ = word.feature.lemma
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    """Print the figures."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start = time.perf_counter()
    model = train()
    print(
        f"training on the corpus ({model.info.training_size} comments): "
        f"{time.perf_counter() - start:.1f} s, test macro-F1 {model.info.test_macro_f1:.3f}"
    )
    texts = [c.text for c in synthetic_comments(5000, seed=11)]
    classify_many(model, texts[:50])
    floor = raw_fugashi_rate(texts)
    start = time.perf_counter()
    for i in range(0, len(texts), 256):
        classify_many(model, texts[i : i + 256])
    rate = len(texts) / (time.perf_counter() - start)
    print(f"raw fugashi (lemma):   {floor:8.0f} comments/s")
    ratio = rate / floor
    print(f"classify end to end:   {rate:8.0f} comments/s  ratio {ratio:.2f}x (target >= 0.5)")
    big = synthetic_comments(10_000)
    start = time.perf_counter()
    train(extra_labels=big, base_rows=[])
    print(f"training on 10,000 comments: {time.perf_counter() - start:.1f} s (target < 30)")
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
