"""What a model is asked. EU comes in two forms:

- ``two-step`` (the paper's protocol, the default): first the emotion; then the cause, with
  the question naming the emotion the model chose in that sample ("Why would Dorea feel
  Delight …"; "these emotions" when the first answer was unreadable).
- ``joint`` (what EmoBench's current code does): both questions in one prompt, answered
  together as ``emotion`` and ``cause``.

EA asks for the most effective response or action. Choices are lettered ``(a)``, ``(b)``, …
The closing instruction depends on whether the answer is schema-constrained JSON or free text
that the lenient parser reads, and on ``--cot``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from emolab.backends.base import Message
from emolab.emobench.parser import letter

EU_MODES = ("two-step", "joint")

_TEXT = {
    "en": {
        "intro": "You will read a short scenario, a question about a person in it, and lettered "
                 "choices. Put yourself in that person's place and pick the single best choice.",
        "plain": "Reply with the letter of your choice only, with no explanation.",
        "cot": "Think it through step by step: the person's feelings, what the scenario says "
               "about their past, and how each choice fits. End with a last line that holds "
               "only the letter of your final choice.",
        "json": "Reply with a JSON object: {keys}.",
        "json_cot": "Reply with a JSON object: first \"reasoning\", a few sentences weighing "
                    "the choices, then {keys}.",
        "scenario": "Scenario:",
        "choices": "Choices:",
        "emotion": "Question: Which emotion(s) would {subject} end up feeling in this situation?",
        "cause": "Question: Why would {subject} feel {emotion} in this situation?",
        "cause_joint": "Question 2: Why would {subject} feel that way in this situation?",
        "emotion_joint": "Question 1: Which emotion(s) would {subject} end up feeling in this "
                         "situation?",
        "these": "these emotions",
        "ea": "Question: In this situation, what is the most effective {kind} for {subject}?",
        "kinds": {"action": "action", "response": "response"},
        "letter": "the letter of your choice",
    },
    "zh": {
        "intro": "你将读到一个简短的场景、一个关于其中某个人的问题，以及若干带字母的选项。"
                 "请设身处地站在这个人的角度，选出唯一最合适的选项。",
        "plain": "只回复所选选项的字母，不要解释。",
        "cot": "请一步步思考：这个人的感受、场景中提到的经历，以及每个选项是否合适。"
               "最后一行只写出你最终选择的字母。",
        "json": "请回复一个 JSON 对象：{keys}。",
        "json_cot": "请回复一个 JSON 对象：先写 \"reasoning\"（几句话权衡各选项），再写 {keys}。",
        "scenario": "场景：",
        "choices": "选项：",
        "emotion": "问题：在这种情况下，{subject}最终会有什么情绪？",
        "cause": "问题：在这种情况下，{subject}为什么会感到{emotion}？",
        "cause_joint": "问题 2：在这种情况下，{subject}为什么会有这样的感受？",
        "emotion_joint": "问题 1：在这种情况下，{subject}最终会有什么情绪？",
        "these": "这些情绪",
        "ea": "问题：在这种情况下，对{subject}来说最有效的{kind}是什么？",
        "kinds": {"action": "行动", "response": "回应"},
        "letter": "所选字母",
    },
}


def _text(language: str) -> dict:
    return _TEXT.get(language, _TEXT["en"])


def question_text(task: str, subject: str, *, question_type: str = "action",
                  language: str = "en") -> str:
    """The question the runner asks, without its "Question:" lead: EU's emotion question, or
    EA's for an ``action`` / ``response``. Generated items carry it as their ``question``."""
    t = _text(language)
    if task == "EU":
        text = t["emotion"].format(subject=subject)
    else:
        kind = t["kinds"].get(question_type.lower(), question_type)
        text = t["ea"].format(kind=kind, subject=subject)
    return re.sub(r"^[^:：]+[:：]\s*", "", text)


def choice_lines(choices: Sequence[str]) -> str:
    return "\n".join(f"({letter(i)}) {c.strip()}" for i, c in enumerate(choices))


def system_prompt(language: str, *, cot: bool, structured: bool,
                  keys: Sequence[str] = ("answer",)) -> str:
    t = _text(language)
    if structured:
        shown = ", ".join(f"\"{k}\": {t['letter']}" for k in keys)
        closing = (t["json_cot"] if cot else t["json"]).format(keys=shown)
    else:
        closing = t["cot"] if cot else t["plain"]
    return f"{t['intro']}\n{closing}"


def _messages(system: str, body: str) -> list[Message]:
    return [{"role": "system", "content": system}, {"role": "user", "content": body}]


def _scenario(t: dict, scenario: str) -> str:
    return f"{t['scenario']}\n{scenario.strip()}\n"


def emotion_messages(item, choices: Sequence[str], *, cot: bool, structured: bool
                     ) -> list[Message]:
    t = _text(item.language)
    body = (f"{_scenario(t, item.scenario)}\n{t['emotion'].format(subject=item.subject)}\n\n"
            f"{t['choices']}\n{choice_lines(choices)}")
    return _messages(system_prompt(item.language, cot=cot, structured=structured), body)


def cause_messages(item, choices: Sequence[str], emotion: str | None, *, cot: bool,
                   structured: bool) -> list[Message]:
    t = _text(item.language)
    question = t["cause"].format(subject=item.subject, emotion=emotion or t["these"])
    body = f"{_scenario(t, item.scenario)}\n{question}\n\n{t['choices']}\n{choice_lines(choices)}"
    return _messages(system_prompt(item.language, cot=cot, structured=structured), body)


def joint_messages(item, emotion_choices: Sequence[str], cause_choices: Sequence[str], *,
                   cot: bool, structured: bool) -> list[Message]:
    t = _text(item.language)
    body = (f"{_scenario(t, item.scenario)}\n{t['emotion_joint'].format(subject=item.subject)}\n"
            f"{t['choices']}\n{choice_lines(emotion_choices)}\n\n"
            f"{t['cause_joint'].format(subject=item.subject)}\n"
            f"{t['choices']}\n{choice_lines(cause_choices)}")
    # Free text too is asked for the two keys (parser.read_pair reads them leniently).
    del structured
    system = system_prompt(item.language, cot=cot, structured=True, keys=("emotion", "cause"))
    return _messages(system, body)


def ea_messages(item, choices: Sequence[str], *, cot: bool, structured: bool) -> list[Message]:
    t = _text(item.language)
    kind = t["kinds"].get(item.question_type, item.question_type)
    body = (f"{_scenario(t, item.scenario)}\n{t['ea'].format(kind=kind, subject=item.subject)}"
            f"\n\n{t['choices']}\n{choice_lines(choices)}")
    return _messages(system_prompt(item.language, cot=cot, structured=structured), body)
