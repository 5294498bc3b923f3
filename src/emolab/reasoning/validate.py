"""Checks every generated item must pass before it is kept.

``check_item`` returns the names of the failed checks (empty: the item is valid):

- ``missing_field``: a content field is absent or empty.
- ``choice_count``: EU has 4-6 emotion choices and 3-5 cause choices; EA has 4 choices.
- ``label_not_in_choices``: each label is exactly one of its choices.
- ``duplicate_choices``: choices differ once case, spaces and punctuation are ignored.
- ``scenario_length``: the scenario has 50-500 words.
- ``answer_emotion_in_scenario`` (EU): no word of the correct emotion, in any of its usual
  forms, appears in the scenario (``anger``/``angry``, ``pride``/``proud``,
  ``embarrassment``/``embarrassed``...): an item that names its answer tests nothing.
- ``explanation_unsupported``: the explanation argues for the chosen answer. Checked
  lexically, with no model: for each question the explanation must share more content words
  (stems, stop words left out) with the correct choice than with any wrong choice, and at
  least one. For the emotion question the correct emotion (any form) must be named, and
  at least as often as any wrong one ("delight rather than embarrassment" passes). This
  catches explanations that argue for another option or talk past the question; it cannot
  catch a fluent but wrong argument.
- ``prompt_echo``: a choice holds the words the extractor was told about a field
  (``agents.EXTRACTOR_HINTS``: "the right cause", "3 other options that are less effective")
  or the name of a schema field (``other_causes``), or the explanation holds a whole hint of
  five words or more. A small model copies its instructions into the answer, and such an item
  can pass the other checks.
- ``repetitive``: the scenario, the explanation or a choice says a sentence or a 4-word
  sequence three times or more (``emolab.evaluate.repetition``, the measure of degenerate
  explanations in bench/default_model.py): a looping background kept one item otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from emolab.evaluate.repetition import is_degenerate
from emolab.reasoning.agents import EA_SCHEMA, EU_SCHEMA, EXTRACTOR_HINTS
from emolab.reasoning.items import CONTENT_FIELDS, QUESTIONS

SCENARIO_WORDS = (50, 500)
SNAKE_FIELDS = sorted({name for schema in (EU_SCHEMA, EA_SCHEMA) for name in schema["properties"]
                       if "_" in name})
CHOICE_COUNTS = {"emotion_choices": (4, 6), "cause_choices": (3, 5), "choices": (4, 4)}
CHECKS = ("missing_field", "choice_count", "label_not_in_choices", "duplicate_choices",
          "scenario_length", "answer_emotion_in_scenario", "explanation_unsupported",
          "prompt_echo", "repetitive")

STOP = frozenset("""a an the and or but if of to in on at for with by from as is are was were be
been being it its this that these those he she they them his her their him i you we our your my
me not no so do does did has have had will would can could should about into than then there
what when who which how why all any some just very more most much""".split())
# Forms suffix rules miss.
IRREGULAR = {"anger": ("angry", "angrily"), "pride": ("proud",), "fear": ("afraid", "scared"),
             "shame": ("ashamed",), "anxiety": ("anxious",), "jealousy": ("jealous",),
             "envy": ("envious",), "guilt": ("guilty",), "sadness": ("sad",),
             "happiness": ("happy",), "loneliness": ("lonely",), "gratitude": ("grateful",),
             "curiosity": ("curious",), "surprise": ("surprised", "surprising"),
             "joy": ("joyful", "joyous"), "delight": ("delighted", "delightful")}
_SUFFIXES = ("ments", "ment", "ness", "ation", "ions", "ion", "ity", "ing", "ed", "ful", "ous",
             "ly", "s", "y", "e")


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    return {stem(t) for t in tokens(text) if t not in STOP and len(t) > 2}


def emotion_forms(label: str) -> set[str]:
    """Stems of the words an emotion label is written with, irregular forms included."""
    forms: set[str] = set()
    for word in tokens(label):
        if word in STOP:
            continue
        forms.add(stem(word))
        forms.update(stem(f) for f in IRREGULAR.get(word, ()))
    return forms


def _norm(text: str) -> str:
    return " ".join(tokens(text))


def _supports(explanation: str, choices: list[str], label: str, *, emotion: bool) -> bool:
    if emotion:  # how often each emotion is named; the right one most often (ties pass)
        said = [stem(t) for t in tokens(explanation)]
        named = {c: sum(s in emotion_forms(c) for s in said) for c in choices}
        best = named.get(label, 0)
        return best > 0 and all(n <= best for n in named.values())
    said_set = content_stems(explanation)
    overlap = {c: len(content_stems(c) & said_set) for c in choices}
    best = overlap.get(label, 0)
    return best > 0 and all(n < best for c, n in overlap.items() if c != label)


def _echoes(item: dict[str, Any]) -> bool:
    hints = [_norm(h) for h in EXTRACTOR_HINTS[item["kind"]].values()]
    raw = [c.lower() for key, _ in QUESTIONS[item["kind"]] for c in item[key]]
    choices = [_norm(c) for c in raw]
    explanation = f" {_norm(item['explanation'])} "
    return (any(f" {h} " in f" {c} " for h in hints for c in choices)
            or any(f" {h} " in explanation for h in hints if len(h.split()) >= 5)
            # a field name, such as other_causes, never occurs in natural text
            or any(name in c for name in SNAKE_FIELDS for c in raw))


def check_item(item: dict[str, Any]) -> list[str]:
    kind = item["kind"]
    failed: list[str] = []
    for name in CONTENT_FIELDS[kind]:
        value = item.get(name)
        if value is None or (isinstance(value, str | list) and not value):
            return ["missing_field"]
    for choices_key, label_key in QUESTIONS[kind]:
        choices, label = item[choices_key], item[label_key]
        low, high = CHOICE_COUNTS[choices_key]
        if not low <= len(choices) <= high and "choice_count" not in failed:
            failed.append("choice_count")
        if label not in choices and "label_not_in_choices" not in failed:
            failed.append("label_not_in_choices")
        if len({_norm(c) for c in choices}) < len(choices) and "duplicate_choices" not in failed:
            failed.append("duplicate_choices")
    n_words = len(item["scenario"].split())
    if not SCENARIO_WORDS[0] <= n_words <= SCENARIO_WORDS[1]:
        failed.append("scenario_length")
    if kind == "eu" and emotion_forms(item["emotion_label"]) & {stem(t) for t in
                                                                 tokens(item["scenario"])}:
        failed.append("answer_emotion_in_scenario")
    if "label_not_in_choices" not in failed and not all(
            _supports(item["explanation"], item[c], item[lab], emotion=(c == "emotion_choices"))
            for c, lab in QUESTIONS[kind]):
        failed.append("explanation_unsupported")
    if _echoes(item):
        failed.append("prompt_echo")
    texts = [item["scenario"], item["explanation"],
             *(c for key, _ in QUESTIONS[kind] for c in item[key])]
    if any(is_degenerate(t) for t in texts):
        failed.append("repetitive")
    return failed
