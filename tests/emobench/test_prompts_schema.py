"""What the model is asked, and the schema that constrains its letter."""

from __future__ import annotations

import pytest
from emobench_support import ea_row, eu_row, write_items

from emolab.emobench import prompts
from emolab.emobench.items import read_items
from emolab.emobench.schema import answer_schema, token_budget


@pytest.fixture
def items(tmp_path):
    rows = [eu_row(1), ea_row(1), ea_row(2, language="zh", subject="小明")]
    return read_items(write_items(tmp_path / "items.jsonl", rows))


def test_ea_prompt_letters_and_question(items) -> None:
    _, ea, _ = items
    messages = prompts.ea_messages(ea, ["Go", "Stay"], cot=False, structured=False)
    system, user = messages[0]["content"], messages[1]["content"]
    assert "letter" in system and "JSON" not in system
    assert "most effective action for Sam" in user
    assert user.endswith("(a) Go\n(b) Stay")
    structured = prompts.ea_messages(ea, ["Go", "Stay"], cot=True, structured=True)
    assert '"reasoning"' in structured[0]["content"] and '"answer"' in structured[0]["content"]


def test_chinese_items_are_asked_in_chinese(items) -> None:
    zh = items[2]
    user = prompts.ea_messages(zh, ["去", "留"], cot=False, structured=False)[1]["content"]
    assert "对小明来说最有效的回应" in user and "(a) 去" in user


def test_cause_prompt_names_the_emotion_or_falls_back(items) -> None:
    eu = items[0]
    named = prompts.cause_messages(eu, ["x", "y"], "Pride", cot=False, structured=True)
    assert "Why would Dorea feel Pride" in named[1]["content"]
    unread = prompts.cause_messages(eu, ["x", "y"], None, cot=False, structured=True)
    assert "Why would Dorea feel these emotions" in unread[1]["content"]
    joint = prompts.joint_messages(eu, ["Joy", "Fear"], ["x", "y"], cot=False, structured=False)
    assert "Question 1" in joint[1]["content"] and "Question 2" in joint[1]["content"]
    assert '"emotion"' in joint[0]["content"] and '"cause"' in joint[0]["content"]


def test_schema_enums_and_order() -> None:
    schema = answer_schema({"answer": 6}, cot=True, reasoning_chars=300)
    assert list(schema["properties"]) == ["reasoning", "answer"] == schema["required"]
    assert schema["properties"]["answer"]["enum"] == list("abcdef")
    assert schema["properties"]["reasoning"]["maxLength"] == 300
    assert schema["additionalProperties"] is False
    joint = answer_schema({"emotion": 4, "cause": 5}, cot=False)
    assert list(joint["properties"]) == ["emotion", "cause"]
    assert token_budget(1, cot=True, reasoning_chars=300) > 4 * 300
    with pytest.raises(ValueError):
        answer_schema({"answer": 1}, cot=False)
