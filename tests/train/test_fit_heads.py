"""Fitting score heads (``emolab.train.heads``) on a small V-reg fixture with a stand-in for the
model's embeddings: the head learns the score, dev rows are scored but not fitted on, the
embeddings cache makes a second fit embed nothing, and a label task is refused."""

from __future__ import annotations

import numpy as np
import pytest

from emolab.errors import EmolabError
from emolab.readout import Readout
from emolab.tasks import get_task
from emolab.train.heads import fit_readout

V_HEADER = "ID\tTweet\tAffect Dimension\tIntensity Score\n"


def write_v_reg(root, split: str, scores: list[float]) -> None:
    folder = root / "semeval2018_task1" / "English" / "V-reg"
    folder.mkdir(parents=True, exist_ok=True)
    # the number of "!" carries the valence; a word makes every tweet distinct
    rows = [f"{split}-{i}\tword{i} {'!' * round(10 * s)}\tvalence\t{s}\n"
            for i, s in enumerate(scores)]
    (folder / f"2018-Valence-reg-En-{split}.txt").write_text(V_HEADER + "".join(rows))


def bangs(texts: list[str], seen: list[str]) -> np.ndarray:
    seen.extend(texts)
    return np.array([[t.count("!"), len(t) % 3, 1.0] for t in texts], dtype=np.float32)


def test_a_head_learns_the_score_and_a_second_fit_embeds_nothing(tmp_path):
    rng = np.random.default_rng(0)
    write_v_reg(tmp_path, "train", [round(float(x), 2) for x in rng.uniform(0, 1, 60)])
    write_v_reg(tmp_path, "dev", [round(float(x), 2) for x in rng.uniform(0, 1, 20)])
    seen: list[str] = []
    progress: list[tuple[int, int]] = []
    cache = tmp_path / "heads.embeddings.npz"
    readout = fit_readout(lambda t: bangs(t, seen), ["v-reg"], model_digest="d1", cache=cache,
                          data_dir=str(tmp_path), progress=lambda *p: progress.append(p))
    task = get_task("v-reg")
    head = readout.heads[task.id]
    assert head.dev_pearson is not None and head.dev_pearson > 0.95
    assert readout.info["rows"][task.id] == {"train": 60, "dev": 20,
                                             "alpha": readout.info["rows"][task.id]["alpha"]}
    assert len(seen) == 80 and progress[-1] == (80, 80)
    assert readout.value(task, np.array([8.0, 0.0, 1.0])) == pytest.approx(0.8, abs=0.05)

    again: list[str] = []
    second = fit_readout(lambda t: bangs(t, again), ["v-reg"], model_digest="d1", cache=cache,
                         data_dir=str(tmp_path))
    assert again == [] and np.allclose(second.heads[task.id].weights, head.weights)
    path = tmp_path / "heads.json"
    second.save(path)
    assert Readout.load(path).model_digest == "d1"


def test_a_label_task_gets_no_head(tmp_path):
    from tests_support import write_semeval

    write_semeval(tmp_path, [("a", "so happy")], split="train")
    with pytest.raises(EmolabError, match="not a score or class task"):
        fit_readout(lambda t: bangs(t, []), ["ec"], model_digest="d", data_dir=str(tmp_path),
                    cache=tmp_path / "c.npz")
