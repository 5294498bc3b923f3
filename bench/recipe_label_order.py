"""Rewrite a TRL pairs file with the chosen answers' labels in another order (recipe study).

Rationalized answers list the gold labels in label-set order, which for SemEval E-c is
alphabetical, and name as most prominent the gold label the model preferred. Both give
"anger" a head start: it comes first whenever it is present. This writes a copy of the pairs
in which every chosen answer lists its labels in a seeded random order and names the first of
them most prominent; the rejected answers and the prompts stay as they were. Train on the copy
with the same settings and compare (bench/recipe_variants.py).

Usage: python bench/recipe_label_order.py runs/recipe-sft/pairs/pairs.jsonl OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def reorder(answer: dict, rng: random.Random) -> dict:
    labels = list(answer["multiple_emotions_present"])
    rng.shuffle(labels)
    return {**answer, "most_prominent_emotion": labels[0], "multiple_emotions_present": labels}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines, changed = [], 0
    for number, line in enumerate(args.pairs.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            message = row["chosen"][-1]
            answer = json.loads(message["content"])
            new = reorder(answer, rng)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise SystemExit(f"{args.pairs}:{number}: field 'chosen' is not a TRL pair whose "
                             f"last message holds a JSON answer ({error})") from None
        changed += new != answer
        content = json.dumps(new, ensure_ascii=False)  # as the model wrote it: no \u escapes
        row["chosen"] = [*row["chosen"][:-1], {**message, "content": content}]
        lines.append(json.dumps(row, ensure_ascii=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(lines)} pairs, {changed} chosen answers reordered")


if __name__ == "__main__":
    main()
