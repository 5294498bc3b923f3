"""The llama.cpp backend with the embedded SmolLM2 GGUF, for real (marked slow)."""


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
def test_xgrammar_and_llamacpp_grammars_pick_the_same_greedy_tokens(backend):
    """Two independent engines for the same schema: greedy answers must be identical, and the
    cheap check of the top token must have spared most of the full masks."""
    params = SamplingParams(max_tokens=64)
    text = "We lost again, I am so angry"
    fast = backend.generate(messages(text), schema=SCHEMA, params=params)[0].text
    sampler = backend._llm.last_sampler
    assert sampler is not None and sampler.full_masks < sampler.steps / 2
    with load_backend("llamacpp", n_threads=2, grammar_engine="llamacpp") as gbnf:
        reference = gbnf.generate(messages(text), schema=SCHEMA, params=params)[0].text
    assert fast == reference


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


def test_an_unknown_grammar_engine_is_refused():
    with pytest.raises(EmolabError, match="grammar engine"):
        load_backend("llamacpp", grammar_engine="regex")
