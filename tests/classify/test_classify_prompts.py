import pytest

from emolab.classify.prompts import available_versions, clean_text, load_prompt
from emolab.errors import EmolabError
from emolab.labels import get_label_set


def test_v1_messages_put_definitions_in_system_and_text_last():
    labels = get_label_set("isear")
    messages = load_prompt("v1").messages("I failed the exam {twice}", labels)
    assert [m["role"] for m in messages] == ["system", "user"]
    system, user = messages[0]["content"], messages[1]["content"]
    for label, meaning in labels.definitions.items():
        assert f"- {label}: {meaning}" in system
    assert "explanation" in system and "multiple_emotions_present" in system
    assert user.endswith("I failed the exam {twice}")  # braces in the text survive formatting
    assert "{" not in system.replace('{"explanation"', "")  # no unfilled placeholder


def test_system_prompt_is_shared_across_texts():
    labels = get_label_set("semeval-ec")
    a = load_prompt().messages("first text", labels)
    b = load_prompt().messages("second text", labels)
    assert a[0] == b[0] and a[1] != b[1]


def test_versions_are_files_and_unknown_version_is_a_clear_error():
    assert "v1" in available_versions()
    with pytest.raises(EmolabError, match="unknown prompt version 'v99'"):
        load_prompt("v99")


def test_clean_text_drops_control_characters_keeps_newlines():
    assert clean_text("  a\x00b\x1b[31mc\nd\te\x7f ") == "a b [31mc\nd\te"
    assert clean_text("\x00\x01 ") == ""
