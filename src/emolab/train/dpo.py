"""Direct preference optimisation with TRL's ``DPOTrainer``.

With a LoRA adapter no second copy of the model is needed: TRL scores the reference answers
with the adapter switched off, i.e. with the base model itself.
"""

from __future__ import annotations

from typing import Any


def build_trainer(cfg: Any, *, model: Any, tokenizer: Any, train: Any, eval: Any,
                  peft_config: Any, common: dict[str, Any], callbacks: list[Any]) -> Any:
    from trl import DPOConfig, DPOTrainer

    args = DPOConfig(**common, max_length=cfg.max_length, beta=cfg.beta)
    return DPOTrainer(model=model, args=args, train_dataset=train, eval_dataset=eval,
                      processing_class=tokenizer, peft_config=peft_config, callbacks=callbacks)
