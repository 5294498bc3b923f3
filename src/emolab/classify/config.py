"""Settings of ``emolab classify``: one dataclass, help text per field, YAML in, flags on top.

``ClassifyConfig`` holds what decides the predictions (data, model, sampling, prompt) and the
few knobs that only change how fast or how far a run goes (``HARMLESS``). A run folder keeps
the resolved settings in ``config.yaml``; a rerun into the same folder may change only the
harmless ones. No API key is a setting: a key is read from ``--api-key`` or the environment and
never written to a config file or a manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Self, get_type_hints

import yaml

from emolab.errors import EmolabError
from emolab.schemas import DEFAULT_MAX_TOKENS
from emolab.settings import FromSources, setting

# Settings a rerun into an existing run folder may change: they decide how many rows are done
# and how fast, never what a row says.
# (A batch's padding may move a near tie between two tokens: ``batch_size`` is counted with the
# speed knobs, as llama.cpp's slots are, and bench/transformers_batch.py counts the changed rows.)
HARMLESS = frozenset({"limit", "data_dir", "threads", "concurrency", "batch_size"})
# Settings only one backend reads; for the others a difference does not matter.
BACKEND_ONLY = {"base_url": "openai"}
SECRET_NAMES = frozenset({"api_key", "openai_api_key", "key", "token"})

_f = setting


@dataclass
class ClassifyConfig(FromSources):
    settings_name = "classify settings"

    dataset: str | None = _f(None, "Data set to classify a split of (see `emolab data list`); "
                             "with a TEXT only its label set is used.", aliases=("-d",))
    split: str = _f("dev", "Split of the data set.", aliases=("-s",))
    limit: int | None = _f(None, "Only the first N rows of the split (None: all of them).")
    labels: str | None = _f(None, "Label set: semeval-ec, dair-emotion, goemotions, "
                            "goemotions-ekman, isear (default: the data set's, else semeval-ec).")
    task: str | None = _f(None, "Task (see `emolab tasks`): a label set, ei-reg, ei-oc, v-reg, "
                          "v-oc, sst, sst5, tdt, emobank, vader (default: the data set's, else "
                          "--labels).", aliases=("-t",))
    dimension: str | None = _f(None, "What a task with several dimensions asks about: the "
                               "emotion of ei-reg / ei-oc, the dimension of emobank; with "
                               "--dataset only those rows are run.", flag="--emotion",
                               aliases=("--dimension", "-e"))
    data_dir: str | None = _f(None, "Folder holding the original data files (a --config file "
                              "that names one wins over EMOLAB_DATA).", envvar="EMOLAB_DATA")
    backend: str = _f("llamacpp", "llamacpp (local GGUF, schema by grammar), transformers, "
                      "openai (HTTP server).", aliases=("-b",))
    model: str | None = _f(None, "'default' (emolab's tuned model for the tasks it was "
                           "trained on, else the embedded SmolLM2), 'emolab', 'base' (the "
                           "untuned SmolLM2), a GGUF file or model folder, or a server's model "
                           "name (the openai backend needs one).", aliases=("-m",))
    n: int = _f(1, "Candidate answers per text.")
    temperature: float = _f(0.0, "Sampling temperature; 0 = greedy.")
    top_p: float = _f(1.0, "Nucleus sampling mass, in (0, 1].")
    seed: int | None = _f(None, "Seed of sampling (candidate i uses seed + i).")
    max_tokens: int = _f(DEFAULT_MAX_TOKENS, "Tokens per answer at most (default: enough for "
                         "any answer the schema allows, so none is cut).")
    constrain: bool = _f(True, "Enforce the JSON schema while decoding; off: prompt only, "
                         "outputs are parsed leniently.")
    prompt_version: str | None = _f(None, "Prompt template version (src/emolab/classify/"
                                    "prompts; default: the model's own, compact for emolab's "
                                    "tuned model, else v1).")
    threads: int | None = _f(None, "CPU threads of local backends (default: the backend's).")
    base_url: str | None = _f(None, "OpenAI-compatible server, with /v1 (openai backend; "
                              "a --config file that names one wins over OPENAI_BASE_URL).",
                              envvar="OPENAI_BASE_URL")
    concurrency: int | None = _f(None, "Requests in flight (openai backend; default: the "
                                 "backend's).")
    batch_size: int | None = _f(None, "Texts decoded together (transformers backend; "
                                "default: 32 on a GPU, 16 on a CPU).")

    def __post_init__(self) -> None:
        self._check_types()
        self.require_at_least_one("limit", "n", "max_tokens", "threads", "concurrency",
                                  "batch_size")
        if self.temperature < 0:
            raise EmolabError(f"temperature must be >= 0, not {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise EmolabError(f"top_p must be in (0, 1], not {self.top_p}")
        from emolab.backends import BACKENDS

        if self.backend not in BACKENDS:
            raise EmolabError(f"unknown backend {self.backend!r}; choose one of: "
                              f"{', '.join(BACKENDS)}")
        if self.backend == "openai" and not self.model:
            raise EmolabError("the openai backend needs a model: the server's model name "
                              "(--model or 'model:' in the config file)")
        if self.labels is not None:
            from emolab.labels import get_label_set

            get_label_set(self.labels)  # raises "unknown label set ..."
        if self.task is not None:
            from emolab.tasks import get_task

            if self.labels is not None:
                raise EmolabError("give --task or --labels, not both (a label set is a task)")
            if self.dataset is None:
                get_task(self.task, self.dimension)  # unknown task or dimension
        if self.dataset is not None:
            from emolab.data import get_dataset

            get_dataset(self.dataset).canonical_split(self.split)  # unknown name or split
        from emolab.classify.prompts import available_versions

        if self.prompt_version is not None and self.prompt_version not in available_versions():
            raise EmolabError(f"unknown prompt version {self.prompt_version!r}; available: "
                              f"{', '.join(available_versions())}")

    def _check_types(self) -> None:
        """YAML can hold anything: say which setting has the wrong kind of value."""
        kinds = {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}
        for name, hint in get_type_hints(type(self)).items():
            if name not in {f.name for f in fields(self)}:
                continue
            value = getattr(self, name)
            allowed = getattr(hint, "__args__", (hint,))
            if value is None:
                if type(None) in allowed:
                    continue
                raise EmolabError(f"{name} must be set (got nothing)")
            kind = next(k for k in allowed if k is not type(None))
            ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
                  if kind is float else
                  isinstance(value, int) and not isinstance(value, bool) if kind is int else
                  isinstance(value, kind))
            if not ok:
                raise EmolabError(f"{name} must be {kinds[kind]}, not {value!r}")
            if kind is float:
                setattr(self, name, float(value))

    @classmethod
    def from_sources(cls, yaml_path: str | Path | None, overrides: dict[str, Any]) -> Self:
        if yaml_path:
            loaded = yaml.safe_load(Path(yaml_path).read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                secrets = sorted(str(k) for k in loaded
                                 if str(k).replace("-", "_").lower() in SECRET_NAMES)
                if secrets:
                    raise EmolabError(
                        f"{yaml_path}: {', '.join(secrets)} is not a setting: a key is never "
                        "read from or written to a config file; give it with --api-key or "
                        "OPENAI_API_KEY")
        return super().from_sources(yaml_path, overrides)


def conflicts(saved: dict[str, Any], cfg: ClassifyConfig) -> list[str]:
    """Settings that differ from ``saved`` and would change what a row says, as 'name: a -> b'.

    Harmless settings may differ; a setting only one backend reads counts only for that backend;
    keys one side does not know (another emolab version) are skipped.
    """
    from emolab.run_folder import RunFolder

    ignore = [name for name, backend in BACKEND_ONLY.items()
              if backend not in (cfg.backend, saved.get("backend"))]
    return RunFolder(Path("."), harmless=HARMLESS).differences(cfg.to_dict(), saved,
                                                                ignore=ignore)
