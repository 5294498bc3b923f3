"""Settings of ``emolab demo``: the whole loop at a size that fits an hour on two CPU cores.

Scaling up means raising ``dev_size`` (a steadier before/after table), ``train_size`` (more
pairs), ``sft_steps`` and ``orpo_steps``; on a GPU also ``batch_size``. The best recipe measured
on two cores (configs/recipe.yaml) is supervised steps alone on 400 training texts.
"""

from __future__ import annotations

from dataclasses import dataclass

from emolab.errors import EmolabError
from emolab.schemas import DEFAULT_MAX_TOKENS
from emolab.settings import FromSources, setting

_f = setting


@dataclass
class DemoConfig(FromSources):
    settings_name = "demo settings"

    out: str = _f("runs/demo", "Run folder: every stage's output, the table and the report.",
                  aliases=("-o",))
    dataset: str = _f("semeval-ec", "Multi- or single-label classification data set.",
                      aliases=("-d",))
    model: str = _f("base", "The model the loop answers with and trains: 'base' (embedded "
                    "SmolLM2-135M-Instruct GGUF) or a GGUF file whose architecture "
                    "transformers can load.", aliases=("-m",))
    dev_size: int = _f(100, "Dev texts classified before and after (a seeded random sample).")
    train_size: int = _f(120, "Training texts turned into preference pairs.")
    rationalize: bool = _f(True, "When both candidates are wrong, ask the model for an answer "
                           "with the gold labels pinned and pair it with a wrong one.")
    sft_steps: int = _f(0, "Supervised steps on the chosen answers before ORPO (0: none).")
    orpo_steps: int = _f(30, "ORPO optimizer steps (0: none, the SFT model is the tuned one).")
    learning_rate: float = _f(2e-4, "Peak learning rate of SFT and ORPO (the paper's 2e-4).",
                              aliases=("--lr",))
    batch_size: int = _f(4, "Rows per step (the paper's 4).")
    grad_accum: int = _f(2, "Gradient accumulation (the paper's 2: 8 rows per update).")
    max_length: int = _f(1024, "Tokens per training row; longer rows are dropped and counted.")
    candidate_temperature: float = _f(0.4, "Sampling temperature of the two pair candidates.")
    candidate_top_p: float = _f(0.8, "Top-p of the two pair candidates.")
    max_tokens: int = _f(DEFAULT_MAX_TOKENS, "Tokens per answer at most (enough for any answer "
                         "the schema allows).")
    export_type: str = _f("q8_0", "GGUF type of the tuned model: q8_0, f16 or f32.")
    threads: int = _f(2, "CPU threads for generation and training.")
    seed: int = _f(42, "Seed of the samples, the candidates and training.")

    def __post_init__(self) -> None:
        self.require_at_least_one("dev_size", "train_size", "batch_size", "grad_accum",
                                  "max_length", "max_tokens", "threads")
        if self.sft_steps < 0 or self.orpo_steps < 0:
            raise EmolabError("sft_steps and orpo_steps must not be negative")
        if not self.sft_steps and not self.orpo_steps:
            raise EmolabError("nothing to train: give sft_steps or orpo_steps (or both)")
        if self.export_type not in ("q8_0", "f16", "f32"):
            raise EmolabError(f"export_type must be q8_0, f16 or f32, not {self.export_type!r}")
        if not 0 < self.candidate_top_p <= 1 or self.candidate_temperature <= 0:
            raise EmolabError("candidates need a temperature above 0 and top-p in (0, 1]")
