"""Every task renders with every prompt section it needs; label prompts did not change."""

from __future__ import annotations

import re

from emolab.classify.prompts import load_prompt
from emolab.labels import SEMEVAL_EC
from emolab.tasks import get_task, list_tasks


def test_every_task_renders_with_prompt_v1():
    prompt = load_prompt("v1")
    for family in list_tasks():
        task = family.task(family.dimensions[-1] if family.dimensions else None)
        system, user = prompt.messages("a {braced} text", task, max_explanation_chars=200)
        assert user == {"role": "user", "content": "Text: a {braced} text"}
        assert not re.search(r"\{[a-z_]+\}", system["content"]), family.name  # all filled
        for key in task.answer_keys:
            assert f'"{key}"' in system["content"], (family.name, key)


def test_label_set_and_its_task_give_the_same_messages():
    prompt = load_prompt("v1")
    assert prompt.messages("hi", SEMEVAL_EC) == prompt.messages("hi", get_task("ec"))


def test_scale_prompts_name_the_dimension_and_the_classes():
    prompt = load_prompt("v1")
    system = prompt.messages("x", get_task("ei-oc:fear"))[0]["content"]
    assert "fear" in system and "- 3: a great deal of fear" in system
    system = prompt.messages("x", get_task("emobank:dominance"))[0]["content"]
    assert "in control" in system and "from 1 to 5" in system


def test_emollms_prompt_sends_the_instruction_alone():
    from emolab.aeb.freetext import FreeTextTask

    messages = load_prompt("emollms").messages("Task: rate it. Text: hi Intensity Score: ",
                                               FreeTextTask(get_task("v-reg")))
    assert messages == [{"role": "user",
                         "content": "Task: rate it. Text: hi Intensity Score: "}]
