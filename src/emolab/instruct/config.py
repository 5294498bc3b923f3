"""Settings of ``emolab instruct build``: one dataclass, help per field, YAML in, flags on top."""

from __future__ import annotations

from dataclasses import dataclass

from emolab.errors import EmolabError
from emolab.settings import FromSources, setting

EXPLANATION_SOURCES = ("keywords", "per-label", "rationalize")
FORMATS = ("trl", "emollms")
DEFAULT_TASKS = "ec,ei-reg,ei-oc,v-reg,v-oc"


@dataclass
class InstructConfig(FromSources):
    settings_name = "instruct settings"

    tasks: str = setting(DEFAULT_TASKS, "Comma-separated tasks: ec, ei-reg, ei-oc, v-reg, v-oc, "
                         "dair-emotion, goemotions, goemotions-ekman, isear.")
    per_task: int = setting(500, "Training rows per task (the same share of every emotion of "
                                 "EI tasks), drawn with the seed.")
    explanations: str = setting("keywords", "Where explanations come from: keywords (the words "
                                "of the text that carry the answer, by log-odds on the training "
                                "split, quoted in a sentence), per-label (label tasks: a clause "
                                "per label quoting that label's own words or phrase; scales as "
                                "keywords) or rationalize (a backend writes them, the answer "
                                "pinned by the schema).")
    prompt_version: str = setting("compact", "Prompt the rows are written in (compact: for tuned "
                                  "models; v1: the long one).")
    output_format: str = setting("trl", "trl (prompt / completion / messages) or emollms (AAID "
                                 "layout: ShareGPT conversations, free-text answers).")
    seed: int = setting(0, "Seed of the sample and of the explanation phrasing.")
    data_dir: str | None = setting(None, "Folder holding the original data files (default: "
                                   "EMOLAB_DATA).")
    backend: str = setting("llamacpp", "Backend of --explanations rationalize.")
    model: str | None = setting(None, "Model of --explanations rationalize.")
    rationalizer_prompt: str = setting("v1", "Prompt the rationalizing model is asked in (v1: "
                                       "the teaching prompt an untuned model needs, explanations "
                                       "bounded; the rows themselves use --prompt-version).")
    max_explanation_chars: int = setting(200, "Longest explanation.")

    def __post_init__(self) -> None:
        self.require_at_least_one("per_task", "max_explanation_chars")
        if self.explanations not in EXPLANATION_SOURCES:
            raise EmolabError(f"explanations must be one of {', '.join(EXPLANATION_SOURCES)}, "
                              f"not {self.explanations!r}")
        if self.output_format not in FORMATS:
            raise EmolabError(f"format must be one of {', '.join(FORMATS)}, not "
                              f"{self.output_format!r}")
        self.task_names()  # unknown names fail here

    def task_names(self) -> list[str]:
        from emolab.tasks import get_family, list_tasks

        names = []
        for part in self.tasks.split(","):
            if part.strip():
                family = get_family(part.strip())
                if family.training_set is None:
                    trained = [f.name for f in list_tasks() if f.training_set is not None]
                    raise EmolabError(f"task {family.name!r} has no training split here; choose "
                                      f"from: {', '.join(trained)}")
                names.append(family.name)
        if not names:
            raise EmolabError("give at least one task")
        return names
