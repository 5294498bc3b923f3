"""Small preference pairs the training tests write themselves."""

from __future__ import annotations

import json
from pathlib import Path

# Short texts with a clear emotion (DAIR AI labels); the rejected answer names a wrong one.
TEXTS = [
    ("I finally got the job, I can't stop smiling!", "joy", "sadness"),
    ("My dog died this morning and the house is so quiet.", "sadness", "joy"),
    ("How dare they lie to me again?", "anger", "joy"),
    ("Someone is following me down the dark street.", "fear", "love"),
    ("Wow, I did not expect a party for me at all!", "surprise", "anger"),
    ("I love our slow evenings together.", "love", "fear"),
]
SYSTEM = "Name the emotions of the text. Answer with JSON."


def answer(emotion: str) -> str:
    return json.dumps({"explanation": f"The words show {emotion}.",
                       "most_prominent_emotion": emotion,
                       "multiple_emotions_present": [emotion]})


def pair(text: str, good: str, bad: str, index: int) -> dict:
    return {"prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
            "chosen": [{"role": "assistant", "content": answer(good)}],
            "rejected": [{"role": "assistant", "content": answer(bad)}],
            "id": f"t{index}", "source": "test"}


def make_pairs(n: int = len(TEXTS)) -> list[dict]:
    return [pair(*TEXTS[i % len(TEXTS)], i) for i in range(n)]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
