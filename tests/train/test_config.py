from __future__ import annotations

from dataclasses import fields

import pytest
import yaml

from emolab.errors import EmolabError
from emolab.train.config import TrainConfig
from emolab.train.run import plan_hardware


def test_defaults_follow_the_papers():
    cfg = TrainConfig()
    assert (cfg.method, cfg.lr, cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout) == (
        "orpo", 2e-4, 16, 32, 0.0)
    assert (cfg.batch_size, cfg.grad_accum, cfg.max_steps, cfg.eval_steps, cfg.max_length) == (
        4, 2, 100, 10, 1024)
    assert cfg.weight_decay == 0.01
    assert TrainConfig(method="dpo").beta == 0.1


def test_every_field_has_help():
    assert all(f.metadata.get("help") for f in fields(TrainConfig))


def test_yaml_then_flags(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"max-steps": 7, "lora_r": 8, "learning_rate": 1e-4}))
    cfg = TrainConfig.from_sources(path, {"max_steps": 3, "lora_r": None, "seed": 5})
    assert cfg.max_steps == 3  # the flag wins
    assert cfg.lora_r == 8  # a flag not given leaves the YAML value
    assert cfg.lr == 1e-4 and cfg.seed == 5


def test_resolved_yaml_round_trips(tmp_path):
    cfg = TrainConfig(method="dpo", max_steps=9)
    cfg.write_yaml(tmp_path / "config.yaml")
    again = TrainConfig.from_sources(tmp_path / "config.yaml", {})
    assert again == TrainConfig(method="dpo", max_steps=9, learning_rate=cfg.lr)


@pytest.mark.parametrize("bad", [{"method": "ppo"}, {"lora_r": 0}, {"max_steps": 0},
                                 {"eval_share": 1.0}, {"learning_rate": -1.0}, {"beta": 0},
                                 {"optim": "sgd"}, {"quantize": "8bit"}, {"max_length": 8},
                                 {"lora_dropout": 1.5}])
def test_validation_errors(bad):
    with pytest.raises(EmolabError):
        TrainConfig(**bad)


def test_unknown_setting_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lora_rank: 4\n")
    with pytest.raises(EmolabError, match="lora_rank"):
        TrainConfig.from_sources(path, {})


def test_gpu_tricks_only_with_cuda_and_bitsandbytes():
    cfg = TrainConfig()
    gpu = plan_hardware(cfg, cuda=True, bnb=True)
    assert (gpu["optimizer"], gpu["quantize"]) == ("adamw_bnb_8bit", "4bit")
    for cuda, bnb in ((False, False), (False, True), (True, False)):
        plain = plan_hardware(cfg, cuda=cuda, bnb=bnb)
        assert (plain["optimizer"], plain["quantize"]) == ("adamw_torch", "none")
    assert plan_hardware(cfg, cuda=False, bnb=False)["precision"] == "fp32"
    with pytest.raises(EmolabError, match="CUDA"):
        plan_hardware(TrainConfig(optim="adamw_bnb_8bit"), cuda=False, bnb=True)


def test_precision_follows_the_hardware_unless_forced():
    auto = TrainConfig()
    assert plan_hardware(auto, cuda=False, bnb=False, cpu_bf16=True)["precision"] == "bf16"
    assert plan_hardware(auto, cuda=False, bnb=False, cpu_bf16=False)["precision"] == "fp32"
    assert plan_hardware(auto, cuda=True, bnb=False)["precision"] == "bf16"
    forced = TrainConfig(precision="fp32")
    assert plan_hardware(forced, cuda=False, bnb=False, cpu_bf16=True)["precision"] == "fp32"
    with pytest.raises(EmolabError, match="precision"):
        TrainConfig(precision="fp8")
