"""The YAML files under configs/ load into the settings they are written for."""

from __future__ import annotations

from pathlib import Path

from emolab.demo.config import DemoConfig
from emolab.train.config import TrainConfig

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def test_the_recipe_config_is_a_demo_config():
    cfg = DemoConfig.from_sources(CONFIGS / "recipe.yaml", {})
    assert (cfg.train_size, cfg.sft_steps, cfg.orpo_steps) == (400, 60, 0)


def test_the_orpo_config_is_a_train_config():
    cfg = TrainConfig.from_sources(CONFIGS / "orpo.yaml", {"pairs": "pairs.jsonl"})
    assert (cfg.method, cfg.learning_rate, cfg.max_steps) == ("orpo", 2e-4, 100)


def test_the_shipped_model_config_is_a_train_config():
    cfg = TrainConfig.from_sources(CONFIGS / "emolab-affect-v1.yaml", {})
    assert (cfg.method, cfg.batch_size * cfg.grad_accum, cfg.max_steps) == ("sft", 16, 220)
