"""The model policy: which model, which prompt and which score heads a job gets. This is the
one place where ``default`` is decided; every command that answers tasks asks it
(docs/models.md has the table).

``default`` (or no ``--model``) means emolab's tuned model when

- every task the job answers is one it was trained on (its card lists them), and
- the backend runs the package's own weights (llamacpp, transformers; a server runs whatever
  it serves), and
- no other prompt was asked for than the one it was trained with;

otherwise it means the untuned base, SmolLM2-135M-Instruct. A job that answers no task
(training, probing, the demo's before/after loop) starts from the base. ``emolab`` always means
the tuned model, ``base`` always the untuned one. The tuned model comes with its score heads
(``ModelRef.readout``); a backend that cannot apply them refuses the score tasks they answer
(``Classifier.refuse_unapplied_heads``) rather than answering them the weaker way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

# Backends that run the shipped weights themselves; a server (openai) runs whatever it serves.
LOCAL_BACKENDS = ("llamacpp", "transformers")
TUNED_NAME = "emolab"
BASE_PROMPT = "v1"  # the prompt the untuned base is asked with unless another is asked for


class ModelChoice(NamedTuple):
    model: str | None  # for the backend: "emolab", None / "default" / "base" (the base), a path
    prompt_version: str
    tuned: bool  # emolab's tuned model, with its score heads where it has them


def choose_model(model: str | None, backend: str, families: Iterable[str] = (),
                 prompt_version: str | None = None) -> ModelChoice:
    """The model a job gets; ``families``: the task families it answers (none: it answers no
    task, and ``default`` is the base)."""
    from emolab.models.tuned import require_shipped, shipped

    asked = list(families)
    tuned = shipped()
    fits = (tuned is not None and bool(asked) and backend in LOCAL_BACKENDS
            and all(tuned.serves(f) for f in asked)
            and prompt_version in (None, tuned.prompt_version))
    if model in (None, "default") and fits:
        assert tuned is not None
        return ModelChoice(TUNED_NAME, tuned.prompt_version, True)
    if model == TUNED_NAME:
        return ModelChoice(model, prompt_version or require_shipped().prompt_version, True)
    return ModelChoice(model, prompt_version or BASE_PROMPT, False)


def describe_default() -> list[tuple[str, str]]:
    """(job, what ``default`` is for it): the table of docs/models.md and ``emolab tasks``."""
    from emolab.models.tuned import shipped

    tuned = shipped()
    trained = ", ".join(tuned.tasks) if tuned is not None else "none (no tuned model shipped)"
    name = tuned.name if tuned is not None else "-"
    return [
        (f"answers only tasks the tuned model was trained on ({trained}), on a local backend",
         f"{name} (base + LoRA, prompt {tuned.prompt_version if tuned else '-'}, score heads)"),
        ("answers any other task, or asks for another prompt", f"SmolLM2-135M-Instruct, prompt "
         f"{BASE_PROMPT}"),
        ("runs on a server (openai backend, label --engine servers / ray)",
         "the model the server serves (give its name)"),
        ("answers no task: train, probe, demo (the base it trains)", "SmolLM2-135M-Instruct"),
    ]
