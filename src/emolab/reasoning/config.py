"""Settings of ``emolab reason generate``: one dataclass, help text per field, YAML in,
flags on top. A run folder keeps them in ``manifest.json``; a rerun may change only the
settings in ``HARMLESS`` (how far and how fast, never what an item says)."""

from __future__ import annotations

from dataclasses import dataclass

from emolab.errors import EmolabError
from emolab.settings import FromSources, setting

HARMLESS = frozenset({"n", "max_dialogues", "concurrency", "threads", "data_dir", "base_url",
                      "n_ctx"})

_f = setting
SCENARIO_SOURCES = ("extractor", "background")


@dataclass
class ReasonConfig(FromSources):
    settings_name = "reason settings"

    backend: str = _f("llamacpp", "llamacpp (local GGUF), transformers, openai (HTTP server).",
                      aliases=("-b",))
    model: str | None = _f(None, "'default' (embedded SmolLM2: the tuned model was not trained "
                           "to write dialogues), a GGUF file or model folder, or a server's "
                           "model name.", aliases=("-m",))
    pipeline: str = _f("dialogue", "dialogue (supervised, 4-14 turns) or concise (5 rounds, "
                       "no supervisor).", aliases=("-p",))
    n: int = _f(20, "Items to keep in all (split evenly between the kinds).")
    seed: int = _f(0, "Seed of attributes, personas and every agent call.")
    kinds: str = _f("eu,ea", "Item kinds to extract: eu, ea or both (comma-separated).")
    personas: str | None = _f(None, "JSON Lines file with a 'persona' field per line (e.g. "
                              "PersonaHub); replaces the sampled personas.")
    temperature: float = _f(0.7, "Sampling temperature of every agent.")
    top_p: float = _f(0.9, "Nucleus sampling mass of every agent.")
    retries: int = _f(2, "Extra attempts of an agent whose answer is unusable; then the "
                      "dialogue is dropped.")
    background_rounds: int = _f(3, "Times the background writer is asked to continue a "
                                "background shorter than the pipeline's minimum (small models "
                                "stop early); still short after them, the dialogue is dropped.")
    background_tokens: int = _f(700, "Tokens of one part of the background at most.")
    turn_tokens: int = _f(160, "Tokens of one client or therapist turn at most.")
    supervisor_tokens: int = _f(200, "Tokens of a supervisor verdict at most.")
    extract_tokens: int = _f(900, "Tokens of an extracted item at most.")
    scenario: str = _f("extractor", "Who writes an item's scenario: 'extractor' (from the "
                       "background and the conversation, as EC2ER does) or 'background' (the "
                       "background itself, for models too small to write one).")
    dedupe_threshold: float = _f(85.0, "rapidfuzz token_sort_ratio (0-100) at or above which "
                                 "a scenario is a near-duplicate.")
    balance_ratio: float = _f(1.5, "A category may hold at most this multiple of its "
                              "expected share.")
    max_dialogues: int | None = _f(None, "Dialogue indices to try at most (default 5 x n).")
    concurrency: int = _f(1, "Dialogues in flight (useful against a server with slots).")
    threads: int | None = _f(None, "CPU threads of local backends.")
    n_ctx: int | None = _f(None, "Context length of the llamacpp backend (default 4096).")
    base_url: str | None = _f(None, "OpenAI-compatible server, with /v1 (openai backend; a "
                              "--config file that names one wins over OPENAI_BASE_URL).",
                              envvar="OPENAI_BASE_URL")
    data_dir: str | None = _f(None, "Folder holding emobench/, for the test-item dedupe (a "
                              "--config file that names one wins over EMOLAB_DATA).",
                              envvar="EMOLAB_DATA")

    def __post_init__(self) -> None:
        from emolab.backends import BACKENDS
        from emolab.reasoning.pipelines import get_pipeline

        get_pipeline(self.pipeline)
        if self.backend not in BACKENDS:
            raise EmolabError(f"unknown backend {self.backend!r}; choose one of: "
                              f"{', '.join(BACKENDS)}")
        if self.backend == "openai" and not self.model:
            raise EmolabError("the openai backend needs a model: the server's model name")
        bad = set(self.kind_list) - {"eu", "ea"}
        if bad or not self.kind_list:
            raise EmolabError(f"kinds must be eu, ea or eu,ea, not {self.kinds!r}")
        self.require_at_least_one("n", "background_tokens", "turn_tokens", "supervisor_tokens",
                                  "extract_tokens", "max_dialogues", "concurrency", "threads",
                                  "n_ctx")
        if self.scenario not in SCENARIO_SOURCES:
            raise EmolabError(f"scenario must be one of {', '.join(SCENARIO_SOURCES)}, not "
                              f"{self.scenario!r}")
        if self.retries < 0:
            raise EmolabError("retries must be >= 0")
        if self.background_rounds < 0:
            raise EmolabError("background_rounds must be >= 0")
        if not 0 <= self.dedupe_threshold <= 100:
            raise EmolabError("dedupe_threshold must be in [0, 100]")
        if self.balance_ratio < 1:
            raise EmolabError("balance_ratio must be at least 1")

    @property
    def kind_list(self) -> list[str]:
        return [k.strip().lower() for k in self.kinds.split(",") if k.strip()]

    @property
    def dialogue_limit(self) -> int:
        return self.max_dialogues or 5 * self.n

    def quotas(self) -> dict[str, int]:
        kinds = self.kind_list
        return {k: self.n // len(kinds) + (i < self.n % len(kinds)) for i, k in enumerate(kinds)}
