"""Versioned prompt templates (``prompts/<version>.yaml``) turned into chat messages.

The messages are a plain ``[{"role": "system", ...}, {"role": "user", ...}]`` list: each backend
applies its model's own chat template to it (llama.cpp reads the template from the GGUF,
transformers from the tokenizer, a server does it itself), so no prompt format is hard-coded here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from emolab.backends.base import Message
from emolab.errors import EmolabError
from emolab.labels import LabelSet
from emolab.schemas import MAX_EXPLANATION_CHARS
from emolab.tasks import LabelTask, Task

DEFAULT_PROMPT_VERSION = "v1"

# C0/C1 control characters other than tab and newline: they carry no emotion, some tokenizers
# turn each into several byte tokens, and a stray \x00 or \x1b can upset a terminal or template.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Section:
    system: str | None  # None: the conversation has only the user message
    user: str


@dataclass(frozen=True)
class PromptTemplate:
    """One prompt version: a ``Section`` per kind of answer (``labels``, ``score``, ...)."""

    version: str
    sections: dict[str, Section]
    # True: the explanation is the schema's plain maxLength string (prompts for untuned models).
    # A prompt for models trained to quote (compact) marks it with
    # emolab.schemas.quoting_explanation instead, which can also carry a score head's opening.
    bounded_explanation: bool = True

    def messages(self, text: str, task: Task | LabelSet, *,
                 max_explanation_chars: int = MAX_EXPLANATION_CHARS) -> list[Message]:
        task = as_task(task)
        section = self.sections.get(task.prompt_section)
        if section is None:
            raise EmolabError(f"prompt {self.version} has no {task.prompt_section!r} section, "
                              f"so it cannot ask task {task.id!r}; use another --prompt-version")
        fields = task.prompt_fields(max_explanation_chars=max_explanation_chars)
        user: Message = {"role": "user", "content": section.user.format(text=text)}
        if section.system is None:
            return [user]
        return [{"role": "system", "content": section.system.format(**fields)}, user]


def as_task(task: Task | LabelSet) -> Task:
    """A label set stands for its multi-label task (the contract before tasks existed)."""
    return LabelTask(task) if isinstance(task, LabelSet) else task


def available_versions() -> list[str]:
    folder = resources.files("emolab.classify") / "prompts"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


@cache
def load_prompt(version: str = DEFAULT_PROMPT_VERSION) -> PromptTemplate:
    path = resources.files("emolab.classify") / "prompts" / f"{version}.yaml"
    if not path.is_file():
        raise EmolabError(f"unknown prompt version {version!r}; available: "
                          f"{', '.join(available_versions())}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != version:
        raise EmolabError(f"prompt file {version}.yaml is malformed (no mapping, or a version "
                          "that does not match its file name)")
    sections = {}
    bounded = data.get("bounded_explanation", True)
    for name, body in data.items():
        if name in ("version", "bounded_explanation"):
            continue
        if not isinstance(body, dict) or "user" not in body:
            raise EmolabError(f"prompt file {version}.yaml: section {name!r} needs 'user' "
                              "(and usually 'system')")
        sections[name] = Section(body.get("system"), body["user"])
    if not sections:
        raise EmolabError(f"prompt file {version}.yaml has no sections")
    return PromptTemplate(version=version, sections=sections, bounded_explanation=bounded is True)


def clean_text(text: str) -> str:
    """Normalise a text before it goes into a prompt: NFC, control characters to spaces."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()
