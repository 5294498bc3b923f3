"""Settle pairs without people: the correct response is chosen; when both are correct an
optional judge backend rates them with a rubric, else a recorded tie rule decides.

Human decisions are never overwritten; automatic ones carry ``source = auto-*`` and the rule.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from emolab.backends.base import Backend, SamplingParams
from emolab.preference.store import Item, PairStore

JUDGE_DIMENSIONS = ("clarity", "helpfulness", "verbosity", "overall")
TIE_RULES = ("shorter", "longer", "first")
JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {d: {"type": "integer", "enum": [1, 2, 3, 4, 5]} for d in JUDGE_DIMENSIONS},
    "required": list(JUDGE_DIMENSIONS),
    "additionalProperties": False,
}
RUBRIC = """You rate an answer to an emotion-classification task. The answer's labels are already
known to be correct; rate only how it explains them, each from 1 (poor) to 5 (excellent):
- clarity: the explanation is easy to follow and points at the words of the text;
- helpfulness: it would help a reader see why these emotions are present;
- verbosity: 5 means concise and to the point, 1 means padded or repetitive;
- overall: your overall judgement of the answer.
Answer with JSON only."""


def _explanation(item: Item, slot: int) -> str:
    parsed = item.responses[slot].parsed or {}
    return str(parsed.get("explanation", ""))


def judge_ratings(judge: Backend, item: Item, slot: int) -> dict[str, int] | None:
    """Rate one response with the judge; None when its answer cannot be read."""
    answer = item.responses[slot].parsed
    messages = [
        {"role": "system", "content": RUBRIC},
        {"role": "user", "content": f"Text: {item.text}\nGold emotions: {', '.join(item.gold)}\n"
                                    f"Answer: {json.dumps(answer, ensure_ascii=False)}"},
    ]
    text = judge.generate(messages, schema=JUDGE_SCHEMA,
                          params=SamplingParams(max_tokens=64))[0].text
    try:
        scores = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(scores, dict) or not all(
            isinstance(scores.get(d), int) and 1 <= scores[d] <= 5 for d in JUDGE_DIMENSIONS):
        return None
    return {d: scores[d] for d in JUDGE_DIMENSIONS}


def _tie_break(item: Item, rule: str) -> int:
    if rule == "first":
        return 0
    lengths = [len(_explanation(item, slot)) for slot in (0, 1)]
    if lengths[0] == lengths[1]:
        return 0
    shorter = 0 if lengths[0] < lengths[1] else 1
    return shorter if rule == "shorter" else 1 - shorter


def settle(store: PairStore, *, judge: Backend | None = None, tie_rule: str = "shorter",
           on_item: Callable[[str], None] | None = None) -> Counter:
    """Decide every undecided pair; return how many were settled by which source."""
    if tie_rule not in TIE_RULES:
        raise ValueError(f"tie rule must be one of {', '.join(TIE_RULES)}")
    sources: Counter = Counter()
    judge_user = store.judge(f"judge:{judge.model_id}") if judge else None
    for item in store.items():
        current = store.decision(item.id)
        if current and not current["source"].startswith("auto"):
            sources["human (kept)"] += 1
            continue
        correct = [r.correct for r in item.responses]
        if item.status == "rationalized":
            slot, source, rule = 0, "auto-correct", "rationalized answer over the wrong answer"
        elif correct.count(True) == 1:
            slot, source, rule = correct.index(True), "auto-correct", "the only correct response"
        else:  # both correct
            slot, source, rule = None, "", ""
            if judge_user is not None:
                ratings = [judge_ratings(judge, item, s) for s in (0, 1)]
                for s, scores in enumerate(ratings):
                    if scores:
                        store.save_rating(item.id, judge_user.id, s, scores)
                if all(ratings) and ratings[0]["overall"] != ratings[1]["overall"]:
                    slot = 0 if ratings[0]["overall"] > ratings[1]["overall"] else 1
                    source, rule = "auto-judge", f"higher overall rating by {judge_user.name}"
            if slot is None:
                slot = _tie_break(item, tie_rule)
                source, rule = "auto-tie", f"both correct; tie rule: {tie_rule} explanation"
        store.decide(item.id, slot, source=source, rule=rule,
                     by=judge_user.name if source == "auto-judge" else "emolab pairs auto")
        sources[source] += 1
        if on_item:
            on_item(source)
    return sources
