"""The llama.cpp backend (xllamacpp) with the embedded SmolLM2 GGUF, for real (marked slow)."""

import json

import pytest

from emolab.backends import SamplingParams, load_backend
from emolab.classify.parsing import parse_answer
from emolab.errors import EmolabError
from emolab.labels import get_label_set
from emolab.schemas import answer_schema

LABELS = get_label_set("semeval-ec")
SCHEMA = answer_schema(LABELS)


def messages(text):
    from emolab.classify.prompts import load_prompt

    return load_prompt().messages(text, LABELS)


@pytest.fixture(scope="module")
def backend():
    with load_backend("llamacpp", n_threads=2) as engine:
        yield engine


def test_a_model_folder_is_refused_before_loading(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EmolabError, match="use --backend transformers"):
        load_backend("llamacpp", model=str(tmp_path))


@pytest.mark.slow
def test_constrained_answers_validate(backend):
    texts = ["I can't believe we finally won the cup!!",
             "¡Estoy muy triste, mi perro murió ayer!",  # another language
             "my flight got cancelled again \x07\x1b[0m smh 😡😡",  # controls and emoji
             "Scared stiff about the exam results tomorrow..."]
    for text in texts:
        [generation] = backend.generate(messages(text), schema=SCHEMA,
                                        params=SamplingParams(max_tokens=200))
        result = parse_answer(generation.text, LABELS)
        assert result.schema_valid, generation.text
        assert generation.finish_reason == "stop"
        assert generation.completion_tokens and generation.prompt_tokens


@pytest.mark.slow
def test_seeded_candidates_are_reproducible(backend):
    params = SamplingParams(n=2, temperature=0.8, top_p=0.9, max_tokens=60, seed=11)
    first = [g.text for g in backend.generate(messages("What a day."), params=params)]
    again = [g.text for g in backend.generate(messages("What a day."), params=params)]
    assert len(first) == 2 and first == again


@pytest.mark.slow
def test_greedy_is_decoded_once_for_n_copies(backend):
    params = SamplingParams(n=3, max_tokens=12)
    outputs = backend.generate(messages("Lovely."), params=params)
    assert len(outputs) == 3 and len({g.text for g in outputs}) == 1


@pytest.mark.slow
def test_token_counting_and_context(backend):
    assert backend.context_length == 2048
    assert 0 < backend.count_tokens("hello world") < 5
    too_long = [{"role": "user", "content": "word " * 3000}]
    with pytest.raises(EmolabError, match="context"):
        backend.generate(too_long, params=SamplingParams(max_tokens=8))


@pytest.mark.slow
def test_ranges_lengths_and_a_pinned_opening_hold_while_decoding(backend):
    """llguidance inside llama.cpp: a number outside its range, an explanation past its
    length, or one that does not open as pinned cannot come out."""
    from emolab.readout import pinned_with_opening
    from emolab.tasks import get_task

    task = get_task("ei-reg:anger")
    narrow = task.schema(max_explanation_chars=30)
    narrow["properties"]["intensity"].update(minimum=0.1, maximum=0.2)
    talk = [{"role": "user", "content": "I am furious with you!!! Rate my anger."}]
    for _ in range(2):
        [gen] = backend.generate(talk, schema=narrow, params=SamplingParams(max_tokens=120))
        answer = json.loads(gen.text)
        assert 0.1 <= answer["intensity"] <= 0.2 and len(answer["explanation"]) <= 30
    pinned = pinned_with_opening(task, 0.62, task.stated_opening(0.62),
                                 max_explanation_chars=200)
    [gen] = backend.generate(talk, schema=pinned, params=SamplingParams(max_tokens=200))
    answer = json.loads(gen.text)
    assert answer["intensity"] == 0.62 and tuple(answer) == ("explanation", "intensity")
    assert answer["explanation"].startswith("High anger (0.62): the text says ")


@pytest.mark.slow
def test_a_schema_llama_cpp_cannot_hold_fails_loudly(backend):
    """llama.cpp decodes without a grammar it cannot satisfy (it only logs it): such an
    answer must never pass as constrained."""
    impossible = {"type": "object", "required": ["x"], "additionalProperties": False,
                  "properties": {"x": {"type": "number", "minimum": 2, "maximum": 1}}}
    talk = [{"role": "user", "content": "Give a number."}]
    with pytest.raises(EmolabError, match="outside the JSON schema"):
        backend.generate(talk, schema=impossible, params=SamplingParams(max_tokens=40))


@pytest.mark.slow
def test_every_pinned_score_is_decoded_exactly(backend):
    """0.41 is 409.99999... thousandths in binary: a pinned value is a const, not a range
    with multipleOf 0.001, or llama.cpp would decode it without a grammar."""
    from emolab.readout import pinned_with_opening
    from emolab.tasks import get_task

    task = get_task("ei-reg:anger")
    talk = [{"role": "user", "content": "I am cross."}]
    for value in (0.41, 0.29, 0.57, 1.0, 0.0):
        pinned = pinned_with_opening(task, value, task.stated_opening(value),
                                     max_explanation_chars=120)
        [gen] = backend.generate(talk, schema=pinned, params=SamplingParams(max_tokens=200))
        assert json.loads(gen.text)["intensity"] == value, gen.text


@pytest.mark.slow
def test_a_seed_gives_the_same_text_whatever_ran_before():
    """The same seeded request from two cache states: a fresh engine, and one whose prompt
    cache holds the same prompt from a greedy answer and another prompt after it."""
    params = SamplingParams(n=2, temperature=0.9, top_p=0.95, max_tokens=40, seed=3)
    with load_backend("llamacpp", n_threads=2) as fresh:
        first = [g.text for g in fresh.generate(messages("What a day."), params=params)]
    with load_backend("llamacpp", n_threads=2) as used:
        used.generate(messages("What a day."), params=SamplingParams(max_tokens=20))
        used.generate(messages("Another text entirely."), params=SamplingParams(max_tokens=5))
        again = [g.text for g in used.generate(messages("What a day."), params=params)]
    assert first == again and len(set(first)) == 2


@pytest.mark.slow
def test_slots_answer_several_conversations_at_once_in_order():
    texts = ["Lovely.", "Awful.", "Scary.", "Fine."]
    params = SamplingParams(max_tokens=24)
    with load_backend("llamacpp", n_threads=2, concurrency=2) as engine:
        together = engine.generate_many([messages(t) for t in texts], schema=SCHEMA,
                                        params=params)
        alone = [engine.generate(messages(t), schema=SCHEMA, params=params) for t in texts]
    assert [g[0].finish_reason for g in together] and len(together) == 4
    assert all(parse_answer(g[0].text, LABELS).schema_valid or g[0].finish_reason == "length"
               for g in together)
    assert [g[0].text[:20] for g in together] == [g[0].text[:20] for g in alone]


@pytest.mark.slow
def test_seeded_sampling_under_the_schema_is_reproducible_and_valid(backend):
    # room for the classifier's 200-character explanation cap and every label
    schema = answer_schema(LABELS, max_explanation_chars=200)
    params = SamplingParams(n=3, temperature=0.4, top_p=0.8, max_tokens=900, seed=5)
    first = [g.text for g in backend.generate(messages("What a day."), schema=schema,
                                              params=params)]
    again = [g.text for g in backend.generate(messages("What a day."), schema=schema,
                                              params=params)]
    assert first == again
    assert all(parse_answer(text, LABELS).schema_valid for text in first), first


def test_a_concurrency_below_one_is_refused():
    with pytest.raises(EmolabError, match="concurrency"):
        load_backend("llamacpp", concurrency=0)
