"""Score heads (``emolab.readout``): the head's value on the task's scale, the file format,
the classifier pinning the head's answer with the explanation's opening, and the grammar that
enforces the opening."""

from __future__ import annotations

import json

import numpy as np
import pytest

from emolab.classify import Classifier
from emolab.errors import EmolabError
from emolab.readout import OPENING_TAIL_CHARS, Head, Readout
from emolab.schemas import OPENING
from emolab.tasks import get_task

EI_ANGER, V_OC, EC = get_task("ei-reg:anger"), get_task("v-oc"), get_task("semeval-ec")


def readout(**heads: tuple[list[float], float]) -> Readout:
    return Readout({task_id: Head(np.asarray(w, dtype=np.float32), b)
                    for task_id, (w, b) in heads.items()}, "test features", "abc", {})


def test_values_are_clipped_rounded_and_classes_are_the_nearest():
    r = readout(**{"ei-reg:anger": ([1.0, 0.0], 0.0), "v-oc:valence": ([1.0, 0.0], 0.0)})
    assert r.value(EI_ANGER, np.array([0.61234, 5.0])) == 0.61  # rounded to the task's decimals
    assert r.value(EI_ANGER, np.array([1.7, 0.0])) == 1.0  # clipped to [0, 1]
    assert r.value(EI_ANGER, np.array([-0.3, 0.0])) == 0.0
    assert r.value(V_OC, np.array([1.4, 0.0])) == 1
    assert r.value(V_OC, np.array([-9.0, 0.0])) == -3  # the lowest class, not below it
    assert r.covers(EI_ANGER) and r.covers(V_OC)
    assert not r.covers(get_task("ei-reg:fear")) and not r.covers(EC)


def test_a_head_file_round_trips_and_a_foreign_file_is_named(tmp_path):
    path = tmp_path / "heads.json"
    readout(**{"v-reg:valence": ([0.5, -0.25], 0.1)}).save(path)
    back = Readout.load(path)
    assert back.model_digest == "abc" and back.features == "test features"
    assert back.value(get_task("v-reg"), np.array([1.0, 1.0])) == 0.35
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(EmolabError, match=r"heads\.json: format 'something else'"):
        Readout.load(path)
    path.write_text("{not json")
    with pytest.raises(EmolabError, match=r"heads\.json: not a readable score-head file"):
        Readout.load(path)


def give_head(backend) -> list[str]:
    """Give a fake backend's model a score head for ei-reg:anger whose embedding of a text is
    its length; return the list of the texts it embeds."""
    embedded: list[str] = []

    def embed(texts):
        embedded.extend(texts)
        return np.array([[float(len(t))] for t in texts])

    backend.readout, backend.embed = readout(**{"ei-reg:anger": ([0.01], 0.0)}), embed
    return embedded


def test_the_head_answers_and_the_model_explains_with_the_opening_pinned(fake, tmp_path):
    text = "x" * 62  # the head reads 0.62
    reply = json.dumps({"explanation": 'High anger (0.62): the text says "x".', "intensity": 0.62})
    backend = fake.Backend(replies={text: reply})
    embedded = give_head(backend)
    classifier = Classifier(backend, EI_ANGER, prompt_version="compact")
    result = classifier.classify(text)
    schema = backend.calls[0]["schema"]
    assert embedded == [text]
    assert schema["properties"]["intensity"] == {"type": "number", "minimum": 0.62,
                                                 "maximum": 0.62}
    assert schema["properties"]["explanation"][OPENING] == "High anger (0.62): the text says "
    assert result.best.parsed["intensity"] == 0.62 and result.extra == {"head_answer": 0.62}

    # A task the heads do not cover is answered by the model alone.
    Classifier(backend, get_task("ei-reg:fear"), prompt_version="compact").classify(text)
    assert OPENING not in backend.calls[-1]["schema"]["properties"]["explanation"]
    assert embedded == [text]

    # Rows say the head answered, and a file of head answers is not mixed with others.
    from emolab.data import Example

    out = tmp_path / "rows.jsonl"
    classifier.run([Example("a", text, scores={"anger": 0.5})], out, task_of=lambda e: EI_ANGER)
    row = json.loads(out.read_text().splitlines()[0])
    assert row["head_answer"] == 0.62 and row["readout"] is True and row["pred"] == 0.62
    backend.readout = None
    with pytest.raises(EmolabError, match="readout=True, this run has readout=False"):
        Classifier(backend, EI_ANGER, prompt_version="compact").run(
            [Example("b", text, scores={"anger": 0.5})], out, task_of=lambda e: EI_ANGER)


def test_without_the_schema_or_with_bounded_explanations_the_model_answers_alone(fake):
    backend = fake.Backend()
    give_head(backend)
    assert not Classifier(backend, EI_ANGER, prompt_version="v1").reads_out(EI_ANGER)
    assert not Classifier(backend, EI_ANGER, prompt_version="compact",
                          constrain=False).reads_out(EI_ANGER)
    assert Classifier(backend, EI_ANGER, prompt_version="compact").reads_out(EI_ANGER)


def test_the_grammar_holds_the_opening_and_the_pinned_value():
    from emolab.readout import pinned_with_opening
    from tests_support import schema_accepts as accepts

    schema = pinned_with_opening(EI_ANGER, 0.62, EI_ANGER.stated_opening(0.62),
                                 max_explanation_chars=300)
    good = '{"explanation": "High anger (0.62): the text says \\"furious\\".", "intensity": 0.62}'
    assert accepts(schema, good)
    assert not accepts(schema, good.replace("High anger", "Low anger"))
    assert not accepts(schema, good.replace('"intensity": 0.62', '"intensity": 0.6'))
    looping = good.replace('\\"furious\\".', '\\"will\\" and ' * 12 + ".")
    assert len(looping) > len(good) + OPENING_TAIL_CHARS - 20
    assert not accepts(schema, looping)  # a quote repeated to the token cap is cut short


def test_a_label_answer_may_quote_but_not_loop_until_the_token_cap(fake_backend):
    """The tuned prompt's E-c explanation admits \\" and stops at its 200 characters, so an
    answer that quotes one word over and over still ends with readable labels."""
    from tests_support import schema_accepts as accepts

    schema = Classifier(fake_backend, EC, prompt_version="compact").schema
    answer = ('{{"explanation": "{}", "most_prominent_emotion": "joy", '
              '"multiple_emotions_present": ["joy"]}}')
    assert accepts(schema, answer.format('The word \\"won\\" points to joy.'))
    assert not accepts(schema, answer.format(""))
    assert not accepts(schema, answer.format('The words ' + '\\"sort\\", ' * 40 + "."))
    assert accepts(schema, answer.format("x" * 200))
    assert not accepts(schema, answer.format("x" * 201))
