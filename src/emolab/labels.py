"""Label sets (taxonomies) of the data sets, each label with a one-line definition.

The definitions are written for prompts: short, concrete, and about what a text shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from emolab.errors import EmolabError


@dataclass(frozen=True)
class LabelSet:
    name: str
    definitions: dict[str, str]  # label -> one-line definition, in the data set's own order
    # A label a model may answer with to say "no emotion" where the data set marks that as an
    # empty row rather than a class of its own (BRIGHTER): it means the empty set and is never
    # scored (GoEmotions' neutral is a gold class, so it is not one).
    none_label: str | None = None

    def __post_init__(self) -> None:
        if self.none_label is not None and self.none_label not in self.definitions:
            raise ValueError(f"none label {self.none_label!r} is not in {self.name}")

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label a model may answer with (the none label included)."""
        return tuple(self.definitions)

    @property
    def scored(self) -> tuple[str, ...]:
        """The labels that are gold columns and metrics: all but the none label."""
        return tuple(label for label in self.definitions if label != self.none_label)

    def without_none(self, labels: list[str]) -> list[str]:
        """An answer's labels as a gold row writes them: the none label means no label."""
        return [label for label in labels if label != self.none_label]

    def __contains__(self, label: object) -> bool:
        return label in self.definitions

    def __len__(self) -> int:
        return len(self.definitions)

    def __hash__(self) -> int:  # the definitions dict is not hashable; name + labels identify
        return hash((self.name, self.labels))


SEMEVAL_EC = LabelSet("semeval-ec", {
    "anger": "annoyance, rage or hostility towards someone or something",
    "anticipation": "looking forward to, expecting or being interested in what comes next",
    "disgust": "revulsion, contempt or strong disapproval",
    "fear": "worry, anxiety, apprehension or terror",
    "joy": "happiness, delight, amusement or satisfaction",
    "love": "affection, fondness or warmth towards someone or something",
    "optimism": "hope and confidence about the future",
    "pessimism": "expecting the worst, hopelessness about the future",
    "sadness": "unhappiness, grief, disappointment or loneliness",
    "surprise": "astonishment or amazement at something unexpected",
    "trust": "confidence in, or reliance on, someone or something",
})

DAIR_EMOTION = LabelSet("dair-emotion", {
    "sadness": "unhappiness, grief, disappointment or loneliness",
    "joy": "happiness, delight, contentment or satisfaction",
    "love": "affection, tenderness or romantic feeling",
    "anger": "annoyance, irritation, rage or hostility",
    "fear": "worry, anxiety, nervousness or terror",
    "surprise": "astonishment or amazement at something unexpected",
})

GOEMOTIONS = LabelSet("goemotions", {
    "admiration": "respect or approval of someone's qualities or achievements",
    "amusement": "finding something funny or entertaining",
    "anger": "strong displeasure or hostility",
    "annoyance": "mild anger or irritation",
    "approval": "agreeing with or accepting something",
    "caring": "concern for someone's wellbeing",
    "confusion": "not understanding, uncertainty",
    "curiosity": "wanting to know or learn something",
    "desire": "wanting something or wishing for it strongly",
    "disappointment": "sadness that hopes or expectations were not met",
    "disapproval": "thinking something is wrong or unacceptable",
    "disgust": "revulsion or strong distaste",
    "embarrassment": "self-conscious discomfort, awkwardness or shame",
    "excitement": "eager enthusiasm or energy",
    "fear": "being afraid, worried or scared",
    "gratitude": "thankfulness or appreciation",
    "grief": "deep sorrow, usually over a loss or death",
    "joy": "happiness or delight",
    "love": "strong affection or warmth",
    "nervousness": "anxiety or unease",
    "optimism": "hope or confidence about the future",
    "pride": "satisfaction in one's own or a close one's achievements",
    "realization": "suddenly becoming aware of something",
    "relief": "reassurance after anxiety or distress ends",
    "remorse": "regret or guilt for one's own wrongdoing",
    "sadness": "unhappiness or sorrow",
    "surprise": "reaction to something unexpected",
    "neutral": "no particular emotion is expressed",
})

GOEMOTIONS_EKMAN = LabelSet("goemotions-ekman", {
    "anger": "anger, annoyance or disapproval",
    "disgust": "revulsion or strong distaste",
    "fear": "fear or nervousness",
    "joy": "joy, amusement, approval, gratitude, love, optimism, pride and other positive feelings",
    "sadness": "sadness, disappointment, embarrassment, grief or remorse",
    "surprise": "surprise, realization, confusion or curiosity",
    "neutral": "no particular emotion is expressed",
})

ISEAR = LabelSet("isear", {
    "joy": "happiness or delight about an event",
    "fear": "being afraid of danger or of something that might happen",
    "anger": "being angry at someone or something that was unfair or offensive",
    "sadness": "unhappiness about a loss, separation or failure",
    "disgust": "revulsion at something repugnant or morally repellent",
    "shame": "feeling exposed or inadequate in front of others",
    "guilt": "feeling responsible for having done something wrong",
})

# SemEval-2025 Task 11 (BRIGHTER), perceived emotions. Each language's files carry the columns
# its annotators used: English lacks disgust, Afrikaans surprise; a row with no emotion is all
# zeros, which a model says with "neutral".
_BRIGHTER_EMOTIONS = ("anger", "disgust", "fear", "joy", "sadness", "surprise")
_NEUTRAL = "no emotion is expressed"


def _brighter(name: str, emotions: tuple[str, ...]) -> LabelSet:
    definitions = {e: SEMEVAL_EC.definitions[e] for e in emotions}
    return LabelSet(name, {**definitions, "neutral": _NEUTRAL}, none_label="neutral")


BRIGHTER = _brighter("brighter", _BRIGHTER_EMOTIONS)
BRIGHTER_NO_DISGUST = _brighter("brighter-no-disgust",
                                tuple(e for e in _BRIGHTER_EMOTIONS if e != "disgust"))
BRIGHTER_NO_SURPRISE = _brighter("brighter-no-surprise",
                                 tuple(e for e in _BRIGHTER_EMOTIONS if e != "surprise"))

LABEL_SETS: dict[str, LabelSet] = {
    s.name: s for s in (SEMEVAL_EC, DAIR_EMOTION, GOEMOTIONS, GOEMOTIONS_EKMAN, ISEAR,
                        BRIGHTER, BRIGHTER_NO_DISGUST, BRIGHTER_NO_SURPRISE)
}


def get_label_set(name: str) -> LabelSet:
    try:
        return LABEL_SETS[name]
    except KeyError:
        raise EmolabError(
            f"unknown label set {name!r}; choose one of: {', '.join(LABEL_SETS)}"
        ) from None
