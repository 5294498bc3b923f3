"""Every task by name, and which task a data set poses.

Names follow the data sets' own short names: ``semeval-ec`` (alias ``ec``), ``ei-reg``,
``ei-oc``, ``v-reg``, ``v-oc``, ``sst``, ``sst5``, ``tdt``, ``emobank``, ``vader`` and the label
sets. A task about one of several dimensions is asked for as ``name:dimension``
(``ei-reg:anger``, ``emobank:arousal``); a task with one dimension needs none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emolab.data.records import Example, TaskKind
from emolab.errors import EmolabError
from emolab.labels import BRIGHTER, LABEL_SETS, SEMEVAL_EC, get_label_set
from emolab.tasks.base import Task
from emolab.tasks.labels import LabelTask
from emolab.tasks.scales import OrdinalTask, Scale, ScoreTask

EI_EMOTIONS = ("anger", "fear", "joy", "sadness")
SINGLE_LABEL_SETS = frozenset({"dair-emotion", "isear"})


@dataclass(frozen=True)
class TaskFamily:
    """A task name with its dimensions; ``build(dimension)`` makes the task of one."""

    name: str
    kind: TaskKind
    description: str
    dimensions: tuple[str, ...]  # () for label sets; one entry when the dimension is implied
    build: Callable[[str | None], Task]
    # The data set whose training split teaches this task: instruction data, score heads and
    # encoder baselines all read it (None: no training split is known here).
    training_set: str | None = None

    def task(self, dimension: str | None = None) -> Task:
        if not self.dimensions:
            if dimension is not None:
                raise EmolabError(f"task {self.name!r} has no dimensions; leave out "
                                  f"{dimension!r}")
            return self.build(None)
        if dimension is None:
            if len(self.dimensions) > 1:
                raise EmolabError(f"task {self.name!r} asks about one of "
                                  f"{', '.join(self.dimensions)}: give it as {self.name}:NAME "
                                  "(or --emotion NAME)")
            dimension = self.dimensions[0]
        if dimension not in self.dimensions:
            raise EmolabError(f"task {self.name!r} has no dimension {dimension!r}; choose one "
                              f"of: {', '.join(self.dimensions)}")
        return self.build(dimension)


def _definition(emotion: str) -> str:
    return SEMEVAL_EC.definitions.get(emotion, emotion)


def _ei_reg(emotion: str | None) -> Task:
    return ScoreTask("ei-reg", dimension=emotion, answer_key="intensity",
                     question=f"how intensely the author feels {emotion} "
                              f"({_definition(emotion or '')})",
                     scale=Scale(0, 1, f"no {emotion} at all", f"the most intense {emotion}",
                                 imputed=0.5))


def _ei_oc(emotion: str | None) -> Task:
    classes = {0: f"no {emotion} can be inferred", 1: f"a little {emotion} can be inferred",
               2: f"a moderate amount of {emotion} can be inferred",
               3: f"a great deal of {emotion} can be inferred"}
    return OrdinalTask("ei-oc", dimension=emotion, answer_key="intensity_class",
                       question=f"how intensely the author feels {emotion} "
                                f"({_definition(emotion or '')})",
                       scale=Scale(0, 3, classes[0], classes[3], classes=classes, imputed=0))


_VALENCE_QUESTION = "how positive or negative the author's state of mind is"
_V_CLASSES = {-3: "very negative", -2: "moderately negative", -1: "slightly negative",
              0: "neutral or mixed", 1: "slightly positive", 2: "moderately positive",
              3: "very positive"}


def _v_reg(dimension: str | None) -> Task:
    return ScoreTask("v-reg", dimension="valence", answer_key="valence",
                     question=_VALENCE_QUESTION,
                     scale=Scale(0, 1, "very negative", "very positive", imputed=0.5))


def _v_oc(dimension: str | None) -> Task:
    return OrdinalTask("v-oc", dimension="valence", answer_key="valence_class",
                       question=_VALENCE_QUESTION,
                       scale=Scale(-3, 3, "very negative", "very positive",
                                   classes=_V_CLASSES, imputed=0))


_SENTIMENT_QUESTION = "how positive or negative the sentiment of the text is"


def _sst(dimension: str | None) -> Task:
    return ScoreTask("sst", dimension="sentiment", answer_key="sentiment",
                     question=_SENTIMENT_QUESTION,
                     scale=Scale(0, 1, "extremely negative", "extremely positive", imputed=0.5))


def _sst5(dimension: str | None) -> Task:
    classes = {0: "very negative", 1: "negative", 2: "neutral", 3: "positive", 4: "very positive"}
    return OrdinalTask("sst5", dimension="sentiment", answer_key="sentiment_class",
                       question=_SENTIMENT_QUESTION,
                       scale=Scale(0, 4, classes[0], classes[4], classes=classes, imputed=2))


def _tdt(dimension: str | None) -> Task:
    classes = {-1: "negative", 0: "neutral", 1: "positive"}
    return OrdinalTask("tdt", dimension="sentiment", answer_key="sentiment_class",
                       question=_SENTIMENT_QUESTION,
                       scale=Scale(-1, 1, classes[-1], classes[1], classes=classes, imputed=0))


def _vader(dimension: str | None) -> Task:
    return ScoreTask("vader", dimension="sentiment", answer_key="sentiment",
                     question="how intensely positive or negative the text is",
                     scale=Scale(-4, 4, "extremely negative", "extremely positive", imputed=0))


_EMOBANK = {
    "valence": ("how positive or negative the writer feels", "very negative", "very positive"),
    "arousal": ("how calm or excited the writer is", "very calm", "very excited"),
    "dominance": ("how much in control the writer feels", "controlled by others or the "
                  "situation", "fully in control"),
}


def _emobank(dimension: str | None) -> Task:
    question, low, high = _EMOBANK[dimension or "valence"]
    return ScoreTask("emobank", dimension=dimension, answer_key=dimension or "valence",
                     question=question, scale=Scale(1, 5, low, high, imputed=3))


def _brighter_intensity(emotion: str | None) -> Task:
    # SemEval-2025 Task 11 track B: how much of the emotion the text conveys, 0-3.
    classes = {0: f"no {emotion}", 1: f"a low degree of {emotion}",
               2: f"a moderate degree of {emotion}", 3: f"a high degree of {emotion}"}
    return OrdinalTask("brighter-intensity", dimension=emotion, answer_key="intensity_class",
                       question=f"how intensely the text conveys {emotion} "
                                f"({_definition(emotion or '')})",
                       scale=Scale(0, 3, classes[0], classes[3], classes=classes, imputed=0))


# Label sets named after the data set that holds their training split.
_TRAINED_LABEL_SETS = frozenset({"semeval-ec", "dair-emotion", "goemotions", "goemotions-ekman",
                                 "isear"})


def _label_family(name: str) -> TaskFamily:
    label_set = get_label_set(name)
    kind = TaskKind.SINGLE_LABEL if name in SINGLE_LABEL_SETS else TaskKind.MULTI_LABEL
    what = "one emotion" if kind is TaskKind.SINGLE_LABEL else "any of the emotions"
    return TaskFamily(name, kind, f"{what} of {name} ({len(label_set)} labels), explained", (),
                      lambda _: LabelTask(label_set, kind),
                      training_set=name if name in _TRAINED_LABEL_SETS else None)


FAMILIES: dict[str, TaskFamily] = {f.name: f for f in (
    *(_label_family(name) for name in LABEL_SETS),
    TaskFamily("ei-reg", TaskKind.REGRESSION, "intensity 0-1 of an emotion (SemEval EI-reg)",
               EI_EMOTIONS, _ei_reg, training_set="semeval-ei-reg"),
    TaskFamily("ei-oc", TaskKind.ORDINAL, "intensity class 0-3 of an emotion (SemEval EI-oc)",
               EI_EMOTIONS, _ei_oc, training_set="semeval-ei-oc"),
    TaskFamily("v-reg", TaskKind.REGRESSION, "valence 0-1 (SemEval V-reg)", ("valence",),
               _v_reg, training_set="semeval-v-reg"),
    TaskFamily("v-oc", TaskKind.ORDINAL, "valence class -3..3 (SemEval V-oc)", ("valence",),
               _v_oc, training_set="semeval-v-oc"),
    TaskFamily("sst", TaskKind.REGRESSION, "sentiment 0-1 (SST)", ("sentiment",), _sst),
    TaskFamily("sst5", TaskKind.ORDINAL, "sentiment class 0-4 (SST-5)", ("sentiment",), _sst5),
    TaskFamily("tdt", TaskKind.ORDINAL, "sentiment class -1..1 (TDT)", ("sentiment",), _tdt),
    TaskFamily("emobank", TaskKind.REGRESSION, "valence, arousal or dominance 1-5 (EmoBank)",
               tuple(_EMOBANK), _emobank),
    TaskFamily("vader", TaskKind.REGRESSION, "sentiment intensity -4..4 (VADER sets)",
               ("sentiment",), _vader),
    TaskFamily("brighter-intensity", TaskKind.ORDINAL,
               "intensity class 0-3 of an emotion (SemEval-2025 Task 11 track B)",
               BRIGHTER.scored, _brighter_intensity),
)}
ALIASES = {"ec": "semeval-ec", "e-c": "semeval-ec", "dair": "dair-emotion",
           "ekman": "goemotions-ekman", "sst-5": "sst5"}


def list_tasks() -> list[TaskFamily]:
    return list(FAMILIES.values())


def get_family(name: str) -> TaskFamily:
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return FAMILIES[key]
    except KeyError:
        raise EmolabError(f"unknown task {name!r}; choose one of: {', '.join(FAMILIES)}"
                          ) from None


def get_task(spec: str, dimension: str | None = None) -> Task:
    """``get_task("ec")``, ``get_task("ei-reg:anger")`` or ``get_task("ei-reg", "anger")``."""
    name, _, inline = spec.partition(":")
    if inline and dimension and inline != dimension:
        raise EmolabError(f"task {spec!r} names dimension {inline!r}, but {dimension!r} was "
                          "also given")
    return get_family(name).task(inline or dimension)


def task_of_example(family: TaskFamily, example: Example) -> Task:
    """The task one example of a data set poses: its dimension is in its meta or scores."""
    own = example.meta.get("answer_task")  # a multilingual row: its language's own label set
    if own is not None and own != family.name:
        family = get_family(own)
    if not family.dimensions:
        return family.task()
    dimension = example.meta.get("dimension") or next(iter(example.scores), None)
    return family.task(dimension if len(family.dimensions) > 1 else None)
