"""Settings of ``emolab train sft|dpo|orpo``: one dataclass, help per field, YAML in, flags on top.

Defaults follow the ORPO paper's LoRA recipe (lr 2e-4, r=16, batch 4 x 2 accumulation steps,
100 steps, evaluation every 10, max length 1,024, weight decay 0.01) and DPO's beta 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emolab.errors import EmolabError
from emolab.settings import FromSources, setting

METHODS = ("sft", "dpo", "orpo")
OPTIMS = ("auto", "adamw_torch", "adamw_bnb_8bit")
QUANTIZE = ("auto", "none", "4bit")
PRECISIONS = ("auto", "fp32", "bf16")
# A LoRA adapter needs a far larger step than full fine-tuning; these are per method because
# DPO's loss is much steeper than the SFT / ORPO negative log-likelihood.
DEFAULT_LR = {"sft": 2e-4, "dpo": 5e-5, "orpo": 2e-4}
# ORPO's lambda (weight of the odds-ratio term) and DPO's beta are both 0.1 in their papers.
DEFAULT_BETA = 0.1


_f = setting


@dataclass
class TrainConfig(FromSources):
    settings_name = "training settings"

    method: str = _f("orpo", "Trainer: sft, dpo or orpo.")
    pairs: str | None = _f(None, "Training rows: a pairs file (JSONL or Parquet, TRL "
                           "prompt/chosen/rejected, from `emolab pairs export --format trl`) "
                           "or, for sft, rows with 'messages'.", aliases=("--data", "-p"))
    eval_pairs: str | None = _f(None, "Validation rows in the same format; without them a "
                                "held-out share of the training rows is used.")
    eval_share: float = _f(0.1, "Share of training rows held out for evaluation when no "
                           "--eval-pairs is given (0 turns evaluation off).")
    model: str = _f("default", "'default' (embedded SmolLM2-135M-Instruct: training starts "
                    "from the base), 'emolab' (the tuned model), or a Hugging Face causal-LM "
                    "folder.", aliases=("-m",))
    out: str = _f("runs/train", "Run folder: checkpoints, adapter, merged model, logs, manifest.",
                  aliases=("-o",))
    learning_rate: float | None = _f(None, "Peak learning rate (default: 2e-4 for sft and orpo, "
                                     "5e-5 for dpo).", aliases=("--lr",))
    beta: float = _f(DEFAULT_BETA, "dpo: beta of the implicit reward; orpo: lambda, the weight "
                     "of the odds-ratio loss.")
    lora_r: int = _f(16, "LoRA rank.")
    lora_alpha: int = _f(32, "LoRA scaling numerator (alpha / r scales the update).")
    lora_dropout: float = _f(0.0, "Dropout on the LoRA input.")
    target_modules: str = _f("all-linear", "Modules that get LoRA: 'all-linear' or a comma "
                             "list such as 'q_proj,v_proj'.")
    batch_size: int = _f(4, "Rows per device per step.")
    grad_accum: int = _f(2, "Gradient-accumulation steps (effective batch = batch_size x this).")
    max_steps: int = _f(100, "Optimizer steps in all.")
    eval_steps: int = _f(10, "Evaluate every N steps.")
    save_steps: int = _f(10, "Write a checkpoint every N steps (what --resume starts from).")
    save_total_limit: int | None = _f(3, "Keep at most N checkpoints (None keeps all).")
    logging_steps: int = _f(1, "Log the loss every N steps.")
    max_length: int = _f(1024, "Tokens of prompt + completion at most; longer rows are dropped.")
    weight_decay: float = _f(0.01, "AdamW weight decay.")
    warmup_ratio: float = _f(0.0, "Share of max_steps with a linear learning-rate warm-up.")
    lr_scheduler: str = _f("linear", "transformers learning-rate schedule name.")
    optim: str = _f("auto", "auto (8-bit AdamW with CUDA + bitsandbytes, else AdamW), "
                    "adamw_torch or adamw_bnb_8bit.")
    quantize: str = _f("auto", "Base model loading: auto (4-bit with CUDA + bitsandbytes, else "
                       "full precision), none or 4bit.")
    precision: str = _f("auto", "auto (bf16 on a GPU, and as autocast over float32 weights on a "
                        "CPU with native bf16, e.g. AVX512-BF16 or AMX; else fp32), fp32 or bf16.")
    gradient_checkpointing: bool = _f(False, "Recompute activations to save memory (slower).")
    seed: int = _f(42, "Seed of the LoRA initialisation, the data order and the held-out split.")
    resume: bool = _f(False, "Continue from the latest checkpoint in the run folder.")
    init_adapter: str | None = _f(None, "Start from this LoRA adapter (a folder with "
                                  "adapter_config.json, e.g. runs/NAME/adapter) instead of a "
                                  "fresh one, to train it further on new rows; its rank, alpha "
                                  "and modules are kept (the lora_* settings are not used).")
    merge: bool = _f(True, "Also write the merged model (base + LoRA) to <out>/merged.")
    threads: int | None = _f(None, "torch CPU threads (default: torch's choice).")
    progress: bool = _f(True, "Show the progress bar.")

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise EmolabError(f"method must be one of {METHODS}, not {self.method!r}")
        if self.optim not in OPTIMS:
            raise EmolabError(f"optim must be one of {OPTIMS}, not {self.optim!r}")
        if self.precision not in PRECISIONS:
            raise EmolabError(f"precision must be one of {PRECISIONS}, not {self.precision!r}")
        if self.quantize not in QUANTIZE:
            raise EmolabError(f"quantize must be one of {QUANTIZE}, not {self.quantize!r}")
        self.require_at_least_one("lora_r", "lora_alpha", "batch_size", "grad_accum", "max_steps",
                                  "eval_steps", "save_steps", "logging_steps", "max_length")
        if self.max_length < 16:
            raise EmolabError(f"max_length {self.max_length} leaves no room for an answer")
        if not 0 <= self.eval_share < 1:
            raise EmolabError(f"eval_share must be in [0, 1), not {self.eval_share}")
        if not 0 <= self.lora_dropout < 1:
            raise EmolabError(f"lora_dropout must be in [0, 1), not {self.lora_dropout}")
        if not 0 <= self.warmup_ratio < 1:
            raise EmolabError(f"warmup_ratio must be in [0, 1), not {self.warmup_ratio}")
        if self.learning_rate is not None and self.learning_rate <= 0:
            raise EmolabError(f"learning_rate must be positive, not {self.learning_rate}")
        if self.beta <= 0:
            raise EmolabError(f"beta must be positive, not {self.beta}")
        if self.weight_decay < 0:
            raise EmolabError(f"weight_decay must not be negative, not {self.weight_decay}")
        if self.save_total_limit is not None and self.save_total_limit < 1:
            raise EmolabError("save_total_limit must be at least 1 (or None to keep all)")

    @property
    def lr(self) -> float:
        return self.learning_rate if self.learning_rate is not None else DEFAULT_LR[self.method]

    @property
    def modules(self) -> str | list[str]:
        if self.target_modules == "all-linear":
            return "all-linear"
        return [m.strip() for m in self.target_modules.split(",") if m.strip()]

    def resolved(self) -> dict[str, Any]:
        return {**self.to_dict(), "learning_rate": self.lr}
