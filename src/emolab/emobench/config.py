"""Settings of ``emolab emobench run``: one dataclass, help text per field, YAML in, flags on top.

A run folder keeps them in ``config.yaml``; a rerun into the same folder may change only the
settings that decide how far or how fast it goes (``HARMLESS``), never what an answer says.
"""

from __future__ import annotations

from dataclasses import dataclass

from emolab.emobench.prompts import EU_MODES
from emolab.emobench.schema import DEFAULT_REASONING_CHARS, token_budget
from emolab.errors import EmolabError
from emolab.settings import FromSources, setting

HARMLESS = frozenset({"limit", "data_dir", "threads", "retries"})
_f = setting


@dataclass
class EmoBenchConfig(FromSources):
    settings_name = "emobench settings"

    task: str = _f("all", "EU, EA or all (both).")
    lang: str = _f("en", "Language of the items: en, zh or all.")
    items: str | None = _f(None, "A JSONL file of items in EmoBench's own format (EU.jsonl / "
                           "EA.jsonl field names) instead of the shipped ones.")
    limit: int | None = _f(None, "Only the first N items of each task.")
    data_dir: str | None = _f(None, "Folder holding the data sets (a --config file that names "
                              "one wins over EMOLAB_DATA).", envvar="EMOLAB_DATA")
    backend: str = _f("llamacpp", "llamacpp (local GGUF), transformers, openai (HTTP server).",
                      aliases=("-b",))
    model: str | None = _f(None, "'default' (the embedded SmolLM2: the tuned model was not "
                           "trained on EmoBench), a GGUF file or model folder, or a server's "
                           "model name.", aliases=("-m",))
    cot: bool = _f(False, "Ask for reasoning before the answer (a 'reasoning' field first when "
                   "constrained; a last line with the letter when free text).")
    eu_mode: str = _f("two-step", "two-step: the emotion, then its cause given the chosen "
                      "emotion (the paper); joint: both in one prompt (EmoBench's current code).")
    samples: int = _f(1, "Answers sampled per question, majority-voted (the paper: 5).")
    permutations: int = _f(0, "Extra choice orders besides the original, seeded (the paper: 3).")
    temperature: float = _f(0.0, "Sampling temperature; 0 = greedy (then --samples must be 1).")
    top_p: float = _f(1.0, "Nucleus sampling mass, in (0, 1].")
    seed: int = _f(0, "Seed of the permutations and of sampling.")
    constrain: bool | None = _f(None, "Enforce the answer schema while decoding (default: when "
                                "the backend can); off: free text read by the lenient parser.")
    reasoning_chars: int = _f(DEFAULT_REASONING_CHARS, "Longest reasoning the schema allows "
                              "(with --cot, constrained).")
    max_tokens: int | None = _f(None, "Tokens per answer at most (default: enough for any "
                                "constrained answer; 16, or 512 with --cot, for free text).")
    retries: int = _f(2, "Extra attempts with the same prompt after a backend error or (when "
                      "sampling) an unreadable answer.")
    threads: int | None = _f(None, "CPU threads of local backends.")
    base_url: str | None = _f(None, "OpenAI-compatible server, with /v1 (openai backend; a "
                              "--config file that names one wins over OPENAI_BASE_URL).",
                              envvar="OPENAI_BASE_URL")

    def __post_init__(self) -> None:
        self.task = self.task.upper() if self.task.lower() != "all" else "all"
        if self.task not in ("EU", "EA", "all"):
            raise EmolabError(f"task must be EU, EA or all, not {self.task!r}")
        if self.lang not in ("en", "zh", "all"):
            raise EmolabError(f"lang must be en, zh or all, not {self.lang!r}")
        if self.eu_mode not in EU_MODES:
            raise EmolabError(f"eu_mode must be one of {', '.join(EU_MODES)}, not "
                              f"{self.eu_mode!r}")
        self.require_at_least_one("limit", "samples", "reasoning_chars", "max_tokens", "threads")
        if self.permutations < 0 or self.retries < 0:
            raise EmolabError("permutations and retries must be 0 or more")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise EmolabError("temperature must be >= 0 and top_p in (0, 1]")
        if self.samples > 1 and self.temperature == 0:
            raise EmolabError(f"--samples {self.samples} needs --temperature above 0: greedy "
                              "decoding gives the same answer every time")
        from emolab.backends import BACKENDS

        if self.backend not in BACKENDS:
            raise EmolabError(f"unknown backend {self.backend!r}; choose one of: "
                              f"{', '.join(BACKENDS)}")
        if self.backend == "openai" and not self.model:
            raise EmolabError("the openai backend needs a model: the server's model name")

    @property
    def tasks(self) -> tuple[str, ...]:
        return ("EU", "EA") if self.task == "all" else (self.task,)

    def tokens(self, n_answers: int, structured: bool) -> int:
        if self.max_tokens is not None:
            return self.max_tokens
        if structured:
            return token_budget(n_answers, cot=self.cot, reasoning_chars=self.reasoning_chars)
        return 512 if self.cot else 16 * n_answers
