"""Alignment: SFT, DPO and ORPO with LoRA through TRL's trainers, and OpenAI DPO fine-tuning.

Nothing heavy is imported here: torch, transformers, trl and peft load inside the functions.
"""

from emolab.train.config import TrainConfig

__all__ = ["TrainConfig"]
