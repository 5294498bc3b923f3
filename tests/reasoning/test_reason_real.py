"""The concise pipeline for real with the embedded SmolLM2 (llamacpp, schema-constrained).

Token limits are small so it stays short on 2 cores; a 135M model often writes items that the
checks reject, so the test asserts what must hold whatever the model writes: the agents were
called in order, each structured answer was parsed or its failure recorded with the raw text,
and the report accounts for every item.
"""

from __future__ import annotations

import pytest

from emolab.reasoning.config import ReasonConfig
from emolab.reasoning.run import generate
from emolab.reasoning.store import RunStore


@pytest.mark.slow
@pytest.mark.data
def test_concise_pipeline_with_smollm2(tmp_path, real_data_dir):
    from emolab.backends import load_backend

    cfg = ReasonConfig(pipeline="concise", n=1, kinds="ea", seed=0, max_dialogues=1, retries=0,
                       background_tokens=160, turn_tokens=24, extract_tokens=260,
                       data_dir=str(real_data_dir))
    with load_backend("llamacpp", model="default", n_threads=2, n_ctx=4096) as backend:
        report = generate(backend, cfg, RunStore(tmp_path / "run", create=True))
    (record,) = RunStore(tmp_path / "run").records
    assert report["dialogues"]["recorded"] == 1 and report["agent_calls"] == record["calls"] >= 1
    if record["status"] == "dropped":  # counted, with the agent and the raw answer kept
        assert report["dialogues"]["dropped_by_agent"] == {record["drop"]["agent"]: 1}
        assert record["failures"] and record["failures"][-1]["agent"] == record["drop"]["agent"]
        return
    assert 60 <= len(record["background"].split()) <= 250
    assert [t["role"] for t in record["turns"]] == ["client", "therapist"] * 5
    assert all(t["text"].strip() for t in record["turns"])
    kept, rejected = record["items"], record["rejected"]
    assert len(kept) + len(rejected) == 1 == sum(report["items"]["extracted"].values())
    item = (kept or [r["item"] for r in rejected])[0]
    assert item["id"] == "s0-d000000-ea" and item["category"] in (
        "Personal-Self", "Personal-Others", "Social-Self", "Social-Others")
