"""TransformersBackend on the embedded SmolLM2 (converted once to a Hugging Face folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from emolab.backends import SamplingParams, load_backend
from emolab.backends.transformers import _adapter_base
from emolab.errors import EmolabError
from emolab.labels import SEMEVAL_EC
from emolab.schemas import ANSWER_KEYS, answer_model, answer_schema

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MESSAGES = [
    {"role": "system", "content": "Classify the emotions of the text. Answer with JSON. "
                                  "Emotions: " + ", ".join(SEMEVAL_EC.labels)},
    {"role": "user", "content": "Finally got the job!!! Best day ever, thank you all"},
]
# A short explanation bound keeps the test quick and leaves the token budget room to close
# the object; the default-bound model accepts everything the short-bound one does.
SHORT = 80


@pytest.fixture(scope="module")
def backend():
    with load_backend("transformers", model="default", n_threads=2) as b:
        yield b


def test_importing_the_registry_does_not_import_torch():
    code = "import sys, emolab.backends; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_adapter_without_a_local_base_names_the_fix(tmp_path):
    (tmp_path / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": "SomeOrg/some-hub-model", "peft_type": "LORA"}))
    with pytest.raises(EmolabError, match="base_model="):
        _adapter_base(tmp_path, None)


@pytest.mark.slow
def test_constrained_answer_validates_with_keys_in_order(backend):
    schema = answer_schema(SEMEVAL_EC, max_explanation_chars=SHORT)
    [gen] = backend.generate(MESSAGES, schema=schema, params=SamplingParams(max_tokens=160))
    assert gen.finish_reason == "stop", gen.text
    answer = json.loads(gen.text)
    assert tuple(answer) == ANSWER_KEYS
    answer_model(SEMEVAL_EC, max_explanation_chars=SHORT).model_validate(answer)
    answer_model(SEMEVAL_EC).model_validate(answer)
    assert gen.prompt_tokens > 0 and 0 < gen.completion_tokens <= 160


@pytest.mark.slow
def test_greedy_n_gives_n_answers(backend):
    gens = backend.generate(MESSAGES, params=SamplingParams(n=3, max_tokens=4))
    assert len(gens) == 3 and len({g.text for g in gens}) == 1
    assert all(g.finish_reason == "length" and g.completion_tokens == 4 for g in gens)


@pytest.mark.slow
def test_seeded_sampling_is_reproducible_and_leaves_global_rng_alone(backend):
    import torch

    # Sampling n rows under the schema, as candidate generation does (short: a prefix suffices).
    schema = answer_schema(SEMEVAL_EC)
    params = SamplingParams(n=2, temperature=1.0, top_p=0.95, max_tokens=12, seed=7)
    torch.manual_seed(0)
    first = [g.text for g in backend.generate(MESSAGES, schema=schema, params=params)]
    after = torch.rand(3)
    second = [g.text for g in backend.generate(MESSAGES, schema=schema, params=params)]
    other = [g.text for g in backend.generate(MESSAGES, schema=schema, params=SamplingParams(
        n=2, temperature=1.0, top_p=0.95, max_tokens=12, seed=8))]
    assert len(first) == 2
    assert all(t.startswith('{"explanation": "') for t in first + other), first + other
    assert first == second
    assert other != first
    torch.manual_seed(0)
    assert torch.equal(torch.rand(3), after)  # the seeded call ran on a forked RNG


@pytest.mark.slow
def test_lora_adapter_folder_loads_base_plus_adapter(backend, tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from emolab.models import hf_folder, resolve_model

    base_dir = hf_folder(resolve_model("default"))
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    # Random (not zero) B matrices: an adapter that changes the logits, so loading it shows.
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                        init_lora_weights=False, task_type="CAUSAL_LM")
    peft_model = get_peft_model(base, config).eval()
    peft_model.save_pretrained(tmp_path / "adapter")

    ids = torch.tensor([[1, 504, 3303, 314, 1345, 2]])
    with torch.inference_mode():
        expected = peft_model(ids).logits
        plain = backend.model(ids).logits
    with load_backend("transformers", model=str(tmp_path / "adapter")) as adapted:
        with torch.inference_mode():
            got = adapted.model(ids).logits
        assert str(tmp_path / "adapter") in adapted.model_id
        [gen] = adapted.generate(MESSAGES, params=SamplingParams(max_tokens=3))
    assert torch.allclose(got, expected, atol=1e-4)
    assert not torch.allclose(got, plain, atol=1e-2)
    assert gen.completion_tokens == 3 or gen.finish_reason == "stop"


@pytest.mark.slow
def test_a_batch_answers_each_conversation_under_its_own_schema(backend):
    from emolab.backends.base import CapabilityError
    from emolab.labels import get_label_set

    dair = get_label_set("dair-emotion")
    texts = ["Finally got the job!!! Best day ever, thank you all", "I hate this queue", "ok"]
    conversations = [[MESSAGES[0], {"role": "user", "content": t}] for t in texts]
    label_sets = [SEMEVAL_EC, dair, SEMEVAL_EC]
    schemas = [answer_schema(s, max_explanation_chars=SHORT) for s in label_sets]
    params = SamplingParams(max_tokens=120)
    alone = [backend.generate(m, schema=s, params=params)[0]
             for m, s in zip(conversations, schemas, strict=True)]
    before = backend.batch_size
    try:
        backend.batch_size = 3
        together = [g for [g] in backend.generate_many(conversations, schema=schemas,
                                                       params=params)]
        features = backend.embed(texts)
        with pytest.raises(CapabilityError, match="mix"):
            backend.generate_many(conversations, schema=[schemas[0], None, None], params=params)
        backend.batch_size = 1
        one_by_one = backend.embed(texts)
    finally:
        backend.batch_size = before
    for gen, label_set in zip(together, label_sets, strict=True):
        assert gen.finish_reason == "stop", gen.text
        answer_model(label_set, max_explanation_chars=SHORT).model_validate_json(gen.text)
    # Left padding: each row's prompt is counted without it and its answer starts after it.
    assert [g.prompt_tokens for g in together] == [g.prompt_tokens for g in alone]
    assert [g.text for g in together] == [g.text for g in alone]
    import numpy as np

    assert np.allclose(features, one_by_one, atol=1e-4)  # padded vs one at a time
