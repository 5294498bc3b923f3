"""Classify and explain: prompts, lenient parsing + validation, and a resumable runner.

The names below load on first use, so that importing a light submodule (``classify.config``,
which the command line reads to build its options) does not pull in numpy and pydantic.
"""

from importlib import import_module
from typing import Any

_HOME = {
    "FAILURE_KINDS": "parsing", "ParseResult": "parsing", "parse_answer": "parsing",
    "DEFAULT_PROMPT_VERSION": "prompts", "PromptTemplate": "prompts", "load_prompt": "prompts",
    "Candidate": "runner", "Classifier": "runner", "Result": "runner",
    "PredictionsFile": "store",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'emolab.classify' has no attribute {name!r}")
    return getattr(import_module(f"emolab.classify.{_HOME[name]}"), name)
