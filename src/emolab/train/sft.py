"""Supervised fine-tuning with TRL's ``SFTTrainer``: on ``messages`` conversations, or on the
chosen answers of a pairs file (prompt/completion rows, loss on the completion only)."""

from __future__ import annotations

from typing import Any


def build_trainer(cfg: Any, *, model: Any, tokenizer: Any, train: Any, eval: Any,
                  peft_config: Any, common: dict[str, Any], callbacks: list[Any]) -> Any:
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(**common, max_length=cfg.max_length)
    return SFTTrainer(model=model, args=args, train_dataset=train, eval_dataset=eval,
                      processing_class=tokenizer, peft_config=peft_config, callbacks=callbacks)
