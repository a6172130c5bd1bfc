"""Write test set 1 once: a seeded, stratified fifth of the voices corpus, as voices_test.csv.

Run `python -m analysis.text.corpus_split` when the voices files are complete. The file is then
fixed: rows added to the voices files later are training data, and the split is only redone
(with --force) when the corpus is rewritten, which makes older test figures incomparable.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from sklearn.model_selection import train_test_split

from analysis.text.corpus import TEST_1, LabelledComment, bundled_path, voices_comments
from surveys.codec import join_codes

TEST_SHARE = 0.2
SEED = 17


def split(rows: list[LabelledComment]) -> list[LabelledComment]:
    """The test part of the voices corpus: a fifth of each primary goal, duplicates once."""
    unique = list({row.text: row for row in rows}.values())
    _, test = train_test_split(
        unique, test_size=TEST_SHARE, random_state=SEED, stratify=[r.primary for r in unique]
    )
    return sorted(test, key=unique.index)


def write(rows: list[LabelledComment], path: Path) -> None:
    """Write labelled comments with the corpus's columns text, goals, primary."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "goals", "primary"])
        for row in rows:
            writer.writerow([row.text, join_codes(row.goals), row.primary])


def main(argv: list[str]) -> int:
    """Write voices_test.csv unless it exists (or --force is given)."""
    path = bundled_path(TEST_1)
    if path.is_file() and "--force" not in argv:
        print(f"{path.name} exists and is fixed; pass --force to split anew")
        return 1
    rows = split(voices_comments())
    write(rows, path)
    print(f"wrote {len(rows)} test comments to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
