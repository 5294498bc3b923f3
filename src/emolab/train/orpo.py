"""Odds-ratio preference optimisation with TRL's ``ORPOTrainer`` (``trl.experimental.orpo`` in
TRL 1.x): supervised loss on the chosen answer plus lambda times the odds-ratio term, with no
reference model. ``cfg.beta`` is that lambda (0.1 in the paper)."""

from __future__ import annotations

import warnings
from typing import Any


def build_trainer(cfg: Any, *, model: Any, tokenizer: Any, train: Any, eval: Any,
                  peft_config: Any, common: dict[str, Any], callbacks: list[Any]) -> Any:
    with warnings.catch_warnings():  # ORPO lives in trl.experimental in TRL 1.x; we know
        warnings.filterwarnings("ignore", message=".*trl.experimental")
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    args = ORPOConfig(**common, max_length=cfg.max_length, beta=cfg.beta)
    return ORPOTrainer(model=model, args=args, train_dataset=train, eval_dataset=eval,
                       processing_class=tokenizer, peft_config=peft_config, callbacks=callbacks)
