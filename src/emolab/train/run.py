"""One training run: rows in, a LoRA adapter, a merged model and a manifest out.

The method modules (sft, dpo, orpo) only build TRL's config and trainer; everything they share
lives here: the model and tokenizer, the data, the hardware plan, the metrics log, resuming,
and what is written to the run folder.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.models import hf_folder, resolve_model
from emolab.train import data as train_data
from emolab.train.config import TrainConfig
from emolab.train.manifest import now, refuse_other_settings, train_folder, write_manifest

METRICS_FILE = "metrics.jsonl"


def plan_hardware(cfg: TrainConfig, *, cuda: bool, bnb: bool,
                  cpu_bf16: bool = False) -> dict[str, Any]:
    """Optimizer, loading and precision: 8-bit AdamW and 4-bit loading need CUDA + bitsandbytes.

    On a CPU with native bf16 instructions, bf16 autocast over float32 weights ran a LoRA
    forward + backward of SmolLM2-135M 1.8x faster than float32 (AVX512-BF16, 2 cores); on
    CPUs without them it is slower, so ``auto`` only picks it where the hardware has it.
    """
    gpu_tricks = cuda and bnb
    optim = cfg.optim if cfg.optim != "auto" else ("adamw_bnb_8bit" if gpu_tricks else "adamw_torch")
    quantize = cfg.quantize if cfg.quantize != "auto" else ("4bit" if gpu_tricks else "none")
    if not gpu_tricks and (optim == "adamw_bnb_8bit" or quantize == "4bit"):
        raise EmolabError("8-bit AdamW and 4-bit loading need a CUDA GPU and bitsandbytes; "
                          "use --optim adamw_torch --quantize none here")
    return {"device": "cuda" if cuda else "cpu", "optimizer": optim, "quantize": quantize,
            "precision": _precision(cfg.precision, cuda=cuda, cpu_bf16=cpu_bf16)}


def _precision(asked: str, *, cuda: bool, cpu_bf16: bool) -> str:
    if asked != "auto":
        return asked
    return "bf16" if cuda or cpu_bf16 else "fp32"


def _cpu_has_bf16() -> bool:
    import torch

    try:  # oneDNN's own test for AVX512-BF16 / AMX
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _detect() -> tuple[bool, bool]:
    import torch

    return torch.cuda.is_available(), importlib.util.find_spec("bitsandbytes") is not None


def _load_model(folder: Path, hardware: dict[str, Any]) -> Any:
    import torch
    from transformers import AutoModelForCausalLM

    if hardware["quantize"] == "4bit":
        from transformers import BitsAndBytesConfig

        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_compute_dtype=torch.bfloat16,
                                   bnb_4bit_use_double_quant=True)
        return AutoModelForCausalLM.from_pretrained(folder, quantization_config=quant,
                                                    dtype=torch.bfloat16, device_map="auto")
    # A GPU holds bf16 weights; a CPU keeps float32 weights and autocasts the matrix products.
    gpu_bf16 = hardware["precision"] == "bf16" and hardware["device"] == "cuda"
    dtype = torch.bfloat16 if gpu_bf16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype)
    return model.to(hardware["device"])


def _warm_start(model: Any, adapter: Path, base: Path, hardware: dict[str, Any],
                echo: Callable[[str], None]) -> Any:
    """``model`` with the LoRA adapter of an earlier run, its weights trainable."""
    from peft import PeftModel

    from emolab.train.export_lora import read_config

    recorded = read_config(adapter).get("base_model_name_or_path")
    if recorded and Path(recorded).name != base.name:
        echo(f"note: {adapter} was trained on {recorded}; continuing it on {base}")
    if hardware["quantize"] == "4bit":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model)
    return PeftModel.from_pretrained(model, adapter, is_trainable=True)


def _load_tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    if not tokenizer.chat_template:
        raise EmolabError(f"the tokenizer in {folder} has no chat template; use an instruct model")
    if tokenizer.pad_token is None:  # batches need padding; the end token is the usual stand-in
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _keep_heap_from_growing() -> None:
    """Make glibc hand every large freed block back to the system (Linux only).

    glibc raises its mmap threshold each time a large block is freed, after which blocks of
    that size come from the heap and stay there. Training allocates tensors of a new size with
    every batch (rows differ in length), so the heap fragments and grows: an ORPO run of the
    135M model reached 24 GB and was killed at step 26. A fixed threshold stops that. It is
    32 MB, glibc's own ceiling for the moving threshold: at 1 MB every activation tensor was
    mapped and unmapped anew, and SFT steps took 20% longer, mostly in the kernel.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # another C library (musl): nothing to tune
        return
    m_mmap_threshold = -3  # mallopt's parameter number, from malloc.h
    libc.mallopt(m_mmap_threshold, 32 << 20)


def _metrics_callback(path: Path) -> Any:
    from transformers import TrainerCallback

    class MetricsLog(TrainerCallback):
        """Appends every log (loss, learning rate, eval metrics) as one JSON line."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            if state.is_world_process_zero and logs:
                row = {"step": state.global_step, "epoch": state.epoch, "time": time.time(), **logs}
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(row) + "\n")

    return MetricsLog()


def _trim_metrics(path: Path, resume_from: str | None) -> None:
    """Keep the log consistent with the checkpoint a run starts from: steps logged after it
    (by a run killed before its next checkpoint) are run again, so their lines go."""
    if not path.exists():
        return
    if resume_from is None:
        path.unlink()
        return
    last_step = int(Path(resume_from).name.rsplit("-", 1)[1])
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["step"] <= last_step]
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def _common_args(cfg: TrainConfig, hardware: dict[str, Any], has_eval: bool) -> dict[str, Any]:
    """The TrainingArguments every TRL config shares."""
    return dict(
        output_dir=cfg.out, max_steps=cfg.max_steps, learning_rate=cfg.lr,
        per_device_train_batch_size=cfg.batch_size, per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum, weight_decay=cfg.weight_decay,
        warmup_steps=cfg.warmup_ratio, lr_scheduler_type=cfg.lr_scheduler,
        optim=hardware["optimizer"], bf16=hardware["precision"] == "bf16", fp16=False,
        activation_checkpointing=cfg.gradient_checkpointing,  # the new name of the same switch
        logging_steps=cfg.logging_steps, logging_first_step=True,
        eval_strategy="steps" if has_eval else "no", eval_steps=cfg.eval_steps,
        save_strategy="steps", save_steps=cfg.save_steps, save_total_limit=cfg.save_total_limit,
        seed=cfg.seed, data_seed=cfg.seed, report_to="none", disable_tqdm=not cfg.progress,
        use_cpu=hardware["device"] == "cpu",
    )


def _resume_from(cfg: TrainConfig, out: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    last = get_last_checkpoint(str(out)) if out.is_dir() else None
    if cfg.resume:
        if last is None:
            raise EmolabError(f"--resume: {out} holds no checkpoint-N folder to resume from")
        return last
    if last is not None:
        raise EmolabError(f"{out} already holds checkpoints; pass --resume to continue that run "
                          "or choose another --out")
    return None


def _load_split(cfg: TrainConfig, tokenizer: Any) -> tuple[train_data.Split, dict[str, Any]]:
    rows = train_data.shape_rows(train_data.read_rows(cfg.pairs), cfg.method, cfg.pairs)
    eval_rows = None
    if cfg.eval_pairs:
        eval_rows = train_data.shape_rows(train_data.read_rows(cfg.eval_pairs), cfg.method,
                                          cfg.eval_pairs)
    split = train_data.prepare(rows, eval_rows, tokenizer=tokenizer, max_length=cfg.max_length,
                               eval_share=cfg.eval_share, seed=cfg.seed)
    info = {"train_file": str(cfg.pairs), "train_sha256": train_data.sha256(cfg.pairs),
            "rows_read": len(rows), "dropped_too_long": split.dropped_train,
            "train_rows": len(split.train), "eval_rows": len(split.eval),
            "eval_file": cfg.eval_pairs,
            "eval_sha256": train_data.sha256(cfg.eval_pairs) if cfg.eval_pairs else None,
            "eval_dropped_too_long": split.dropped_eval, "max_length": cfg.max_length}
    return split, info


def merge(adapter: Path, base: Path, target: Path, tokenizer: Any) -> None:
    """Base + adapter folded into one model, reloaded in float32 so a 4-bit base merges cleanly."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    merged.save_pretrained(target)
    tokenizer.save_pretrained(target)


def train(cfg: TrainConfig, *, echo: Callable[[str], None] = print) -> dict[str, Any]:
    started = now()
    for name in ("pairs", "eval_pairs"):  # fail before minutes of loading, not after
        given = getattr(cfg, name)
        if given is not None and not Path(given).is_file():
            raise EmolabError(f"--{name.replace('_', '-')} {given}: no such file")
    if not cfg.pairs:
        raise EmolabError("give the training rows: --pairs FILE")
    if cfg.init_adapter and not (Path(cfg.init_adapter) / "adapter_config.json").is_file():
        raise EmolabError(f"--init-adapter {cfg.init_adapter}: not a LoRA adapter folder (no "
                          "adapter_config.json); a training run writes one to <out>/adapter")
    out = Path(cfg.out)
    resume_from = _resume_from(cfg, out)  # before the heavy imports: a wrong --out fails at once
    if resume_from is not None:
        refuse_other_settings(out, cfg.resolved())
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import set_seed

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    _keep_heap_from_growing()
    cuda, bnb = _detect()
    hardware = plan_hardware(cfg, cuda=cuda, bnb=bnb, cpu_bf16=not cuda and _cpu_has_bf16())
    echo(f"device {hardware['device']}: optimizer {hardware['optimizer']}, "
         f"{'4-bit' if hardware['quantize'] == '4bit' else 'full-precision'} base model, "
         f"{hardware['precision']}")

    base = hf_folder(resolve_model(cfg.model))
    tokenizer = _load_tokenizer(base)
    split, data_info = _load_split(cfg, tokenizer)
    echo(f"{len(split.train)} training rows, {len(split.eval)} evaluation rows; "
         f"dropped {split.dropped_train} training and {split.dropped_eval} evaluation rows "
         f"longer than {cfg.max_length} tokens")

    out.mkdir(parents=True, exist_ok=True)
    train_folder(out).keep_settings(cfg)
    _trim_metrics(out / METRICS_FILE, resume_from)
    model = _load_model(base, hardware)
    peft_config = None
    if cfg.init_adapter:  # the trainer gets the adapter's model, so it adds no LoRA of its own
        model = _warm_start(model, Path(cfg.init_adapter), base, hardware, echo)
    else:
        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha,
                                 lora_dropout=cfg.lora_dropout, target_modules=cfg.modules,
                                 task_type="CAUSAL_LM")
    set_seed(cfg.seed)  # the trainers seed again before LoRA init; this covers everything else
    method = importlib.import_module(f"emolab.train.{cfg.method}")
    trainer = method.build_trainer(
        cfg, model=model, tokenizer=tokenizer, train=Dataset.from_list(split.train),
        eval=Dataset.from_list(split.eval) if split.eval else None, peft_config=peft_config,
        common=_common_args(cfg, hardware, bool(split.eval)),
        callbacks=[_metrics_callback(out / METRICS_FILE)])
    result = trainer.train(resume_from_checkpoint=resume_from)

    adapter = out / "adapter"
    trainer.save_model(str(adapter))
    tokenizer.save_pretrained(adapter)
    if cfg.merge:
        del trainer, model  # free the training copy before loading the merge copy
        merge(adapter, base, out / "merged", tokenizer)
    ended = now()
    session = {"started_utc": started.isoformat(), "ended_utc": ended.isoformat(),
               "seconds": round((ended - started).total_seconds(), 2),
               "resumed_from": resume_from, "global_step": result.global_step,
               "train_loss": result.training_loss, "metrics": result.metrics}
    config = {**cfg.to_dict(), "learning_rate": cfg.lr, "base_model_folder": str(base)}
    write_manifest(out, config=config, data=data_info, hardware=hardware, session=session)
    echo(f"step {result.global_step}: train loss {result.training_loss:.4f}; wrote {adapter}"
         + (f" and {out / 'merged'}" if cfg.merge else ""))
    return {"out": str(out), "global_step": result.global_step, "data": data_info,
            "hardware": hardware, "session": session}
