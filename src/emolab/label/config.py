"""Settings of ``emolab label``: one dataclass, help text per field, YAML in, flags on top.

``deciding()`` is the part that decides what a row says; its hash is the run folder's
fingerprint. The rest (engine, servers, slots, threads, batch size, shard size, limit) only
changes how fast or how far a run goes and may differ between sessions of one folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emolab.errors import EmolabError
from emolab.schemas import DEFAULT_MAX_TOKENS
from emolab.settings import FromSources, setting

_f = setting


@dataclass
class LabelConfig(FromSources):
    settings_name = "label settings"

    tasks: str = _f("ec", "Comma-separated tasks (see emolab.tasks): ec, isear, ei-reg:anger, "
                    "v-reg, v-oc, sst5, ...", aliases=("-t",))
    format: str | None = _f(None, "Corpus format: csv, tsv, jsonl, parquet, txt (default: from "
                            "the file's suffix).")
    text_column: str | None = _f(None, "Column holding the text (default: 'text'; none for "
                                 "plain text).")
    id_column: str | None = _f(None, "Column holding a unique id (default: a stable id from the "
                               "line number and a hash of the row).")
    output_format: str = _f("parquet", "parquet or jsonl shards.")
    shard_rows: int = _f(1000, "Rows per shard at most.")
    commit_seconds: float = _f(60.0, "Commit a shard at least this often (seconds), so a slow "
                               "run loses little when killed.")
    limit: int | None = _f(None, "Only the first N rows of the corpus.")
    engine: str = _f("auto", "local (in-process backend), servers (OpenAI-compatible servers), "
                     "llama-server (llama.cpp's own server started here, --concurrency slots), "
                     "ray (Ray Data pipeline over the servers), auto: servers when --base-url "
                     "is given, else local.")
    backend: str = _f("llamacpp", "Backend of the local engine: llamacpp, transformers.",
                      aliases=("-b",))
    model: str | None = _f(None, "'default' (emolab's tuned model when it knows every task, "
                           "else the embedded SmolLM2), 'emolab', 'base', a GGUF file or model "
                           "folder, or the servers' model name (needed with servers).",
                           aliases=("-m",))
    base_url: list[str] = field(default_factory=list, metadata={
        "help": "OpenAI-compatible servers, with /v1; repeat the option for several."})
    ray_address: str | None = _f(None, "Ray cluster to join with --engine ray ('auto', "
                                 "'ray://HOST:10001'); default: a local Ray on loopback.")
    concurrency: int = _f(4, "Requests in flight per server (its parallel slots).")
    llama_servers: int = _f(1, "llama-server engine: how many servers to start; the threads "
                            "are split among them (on 2 cores, two servers of 1 thread and 2 "
                            "slots each answered 1.6-1.7x the texts/s of the local engine).")
    threads: int | None = _f(None, "CPU threads of the local backend.")
    batch_size: int | None = _f(None, "Texts the transformers backend decodes together "
                                "(default: 16 on a CPU, 32 on a GPU).")
    max_tokens: int = _f(DEFAULT_MAX_TOKENS, "Tokens per answer at most.")
    temperature: float = _f(0.0, "Sampling temperature; 0 = greedy.")
    top_p: float = _f(1.0, "Nucleus sampling mass, in (0, 1].")
    seed: int | None = _f(None, "Seed of sampling.")
    constrain: bool = _f(True, "Enforce each task's JSON schema while decoding.")
    prompt_version: str | None = _f(None, "Prompt template version (default: the model's "
                                    "own, compact for emolab's tuned model, else v1).")

    def __post_init__(self) -> None:
        from emolab.label.engines import ENGINES
        from emolab.label.readers import FORMATS
        from emolab.label.writer.shards import OUTPUT_FORMATS

        if isinstance(self.base_url, str):
            self.base_url = [self.base_url]
        self.require_at_least_one("shard_rows", "limit", "concurrency", "threads", "max_tokens",
                                  "llama_servers", "batch_size")
        if self.format is not None and self.format not in FORMATS:
            raise EmolabError(f"format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        if self.output_format not in OUTPUT_FORMATS:
            raise EmolabError(f"output_format must be one of {', '.join(OUTPUT_FORMATS)}")
        if self.engine not in ENGINES:
            raise EmolabError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.commit_seconds <= 0:
            raise EmolabError("commit_seconds must be above 0")
        if self.temperature < 0 or not 0 < self.top_p <= 1:
            raise EmolabError("temperature must be >= 0 and top_p in (0, 1]")
        if self.engine_name in ("servers", "ray"):
            if not self.base_url:
                raise EmolabError(f"the {self.engine_name} engine needs --base-url (one or more)")
            if not self.model:
                raise EmolabError("servers need a model name: --model NAME (as the servers "
                                  "call it)")

    def with_model(self, families: list[str]) -> LabelConfig:
        """The model and prompt settled (``emolab.models.policy``): what the fingerprint holds."""
        from dataclasses import replace

        from emolab.models.policy import choose_model

        runs_gguf = {"local": self.backend, "llama-server": "llamacpp"}
        chosen = choose_model(self.model, runs_gguf.get(self.engine_name, "openai"), families,
                              self.prompt_version)
        return replace(self, model=chosen.model, prompt_version=chosen.prompt_version)

    @property
    def engine_name(self) -> str:
        if self.engine != "auto":
            return self.engine
        return "servers" if self.base_url else "local"

    def deciding(self, task_ids: list[str], fmt: str) -> dict[str, Any]:
        """What decides a row's content: the run folder's fingerprint is the hash of this.
        ``fmt``: the corpus format as detected, so naming the default changes nothing."""
        from emolab.label.readers import DEFAULT_TEXT_COLUMN
        from emolab.models.policy import LOCAL_BACKENDS, TUNED_NAME
        from emolab.models.tuned import require_shipped, weights_digest

        backend = {"servers": "openai", "ray": "openai",
                   "llama-server": "llama-server"}.get(self.engine_name, self.backend)
        weights = None  # a server answers with whatever it serves; local weights are known
        if self.model == TUNED_NAME and backend in (*LOCAL_BACKENDS, "llama-server"):
            weights = weights_digest(require_shipped())
        return {"tasks": self.tasks.replace(" ", ""), "task_ids": task_ids, "backend": backend,
                "model": self.model or "default", "prompt_version": self.prompt_version,
                "constrain": self.constrain, "max_tokens": self.max_tokens,
                "temperature": self.temperature, "top_p": self.top_p, "seed": self.seed,
                "format": fmt,
                "text_column": self.text_column or (None if fmt == "txt" else DEFAULT_TEXT_COLUMN),
                "id_column": self.id_column, "output_format": self.output_format,
                "weights": weights}
