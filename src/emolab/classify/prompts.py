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

DEFAULT_PROMPT_VERSION = "v1"

# C0/C1 control characters other than tab and newline: they carry no emotion, some tokenizers
# turn each into several byte tokens, and a stray \x00 or \x1b can upset a terminal or template.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class PromptTemplate:
    version: str
    system: str
    user: str

    def messages(self, text: str, label_set: LabelSet, *,
                 max_explanation_chars: int = MAX_EXPLANATION_CHARS) -> list[Message]:
        definitions = "\n".join(f"- {label}: {meaning}"
                                for label, meaning in label_set.definitions.items())
        fields = {"n_labels": len(label_set), "definitions": definitions,
                  "max_explanation_chars": max_explanation_chars}
        return [
            {"role": "system", "content": self.system.format(**fields)},
            {"role": "user", "content": self.user.format(text=text)},
        ]


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
    missing = [key for key in ("version", "system", "user") if key not in data]
    if missing or data["version"] != version:
        raise EmolabError(f"prompt file {version}.yaml is malformed (missing {missing} "
                          "or a version that does not match its file name)")
    return PromptTemplate(version=version, system=data["system"], user=data["user"])


def clean_text(text: str) -> str:
    """Normalise a text before it goes into a prompt: NFC, control characters to spaces."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()
