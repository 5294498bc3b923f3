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
def test_greedy_grammar_shortcut_gives_the_same_tokens(backend):
    """Checking the model's top token first must not change what greedy decoding picks."""
    params = SamplingParams(max_tokens=48)
    texts = ["We lost again, I am so angry"]
    fast = [backend.generate(messages(t), schema=SCHEMA, params=params)[0].text for t in texts]
    sampler = backend._llm.last_grammar_sampler
    assert sampler is not None and sampler.full_masks < sampler.steps  # the shortcut was used
    backend._llm.lazy_grammar = False
    try:
        full = [backend.generate(messages(t), schema=SCHEMA, params=params)[0].text
                for t in texts]
    finally:
        backend._llm.lazy_grammar = True
    assert fast == full
