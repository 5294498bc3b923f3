"""Ask a backend every question of every item in every choice order; keep every raw answer.

One JSONL row per (task, item, choice order), appended to an ``AppendLog`` when that unit is
complete, so a run that dies loses at most the unit in progress and a rerun skips what is there
(``emolab.jsonl_log`` says how a torn last line is handled). A row::

    {"task": "EU", "item": "en-1", "order": 1,
     "orders": {"emotion": [3, 0, ...], "cause": [...]},      # original index per position
     "samples": [{"emotion": {"raw": "...", "read": 2, "retried": []},
                  "cause": {...}}, ...],
     "seconds": 1.9}

``read`` is the position (0 = a) the answer named in the order shown, or None when it named
none. Retries repeat the same messages: after a backend error (up to ``retries`` times, then
the run stops and can be resumed), and, when sampling, after an unreadable answer (the earlier
raw answers are kept in ``retried``). Greedy decoding is not retried for an unreadable answer:
the same prompt would give the same text.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from emolab.backends.base import Backend, CapabilityError, SamplingParams
from emolab.emobench import prompts
from emolab.emobench.config import EmoBenchConfig
from emolab.emobench.items import Item
from emolab.emobench.parser import read_choice, read_pair
from emolab.emobench.permutations import permutation, shown
from emolab.emobench.schema import answer_schema
from emolab.errors import EmolabError
from emolab.jsonl_log import AppendLog, read_log

ANSWERS = "answers.jsonl"
Reader = Callable[[str], dict[str, int | None]]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of an answers file, read without changing it (a torn last line is skipped)."""
    return read_log(path, key=unit_key)


def unit_key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["task"], row["item"], row["order"]


class Runner:
    """Asks ``backend`` the EmoBench questions as ``cfg`` says; ``structured``: schema on."""

    def __init__(self, backend: Backend, cfg: EmoBenchConfig, *, structured: bool) -> None:
        self.backend, self.cfg, self.structured = backend, cfg, structured
        self.generations = 0  # calls that produced answers, retries included

    # -- one unit ---------------------------------------------------------------------------

    def unit(self, item: Item, k: int) -> dict[str, Any]:
        started = time.perf_counter()
        orders = {q.name: permutation(len(q.choices), k=k, seed=self.cfg.seed,
                                      key=f"{item.task}:{item.id}:{q.name}")
                  for q in item.questions}
        choices = {q.name: shown(q.choices, orders[q.name]) for q in item.questions}
        key = f"{item.task}:{item.id}:{k}"
        if item.task == "EA":
            samples = self._single(item, choices, key)
        elif self.cfg.eu_mode == "joint":
            samples = self._joint(item, choices, key)
        else:
            samples = self._two_step(item, choices, key)
        return {"task": item.task, "item": item.id, "order": k, "orders": orders,
                "samples": samples, "seconds": round(time.perf_counter() - started, 3)}

    def _single(self, item: Item, choices: dict[str, list[str]], key: str) -> list[dict]:
        (name,) = choices
        messages = prompts.ea_messages(item, choices[name], cot=self.cfg.cot,
                                       structured=self.structured)
        return [{name: answer} for answer in
                self._ask(messages, {"answer": len(choices[name])}, self._reader(choices[name]),
                          self.cfg.samples, key)]

    def _two_step(self, item: Item, choices: dict[str, list[str]], key: str) -> list[dict]:
        cot, structured = self.cfg.cot, self.structured
        emotions = self._ask(prompts.emotion_messages(item, choices["emotion"], cot=cot,
                                                      structured=structured),
                             {"answer": len(choices["emotion"])},
                             self._reader(choices["emotion"]), self.cfg.samples,
                             key + ":emotion")
        # Samples that chose the same emotion share one cause prompt: ask it once, n times.
        by_emotion: dict[int | None, list[int]] = {}
        for i, answer in enumerate(emotions):
            by_emotion.setdefault(answer["read"], []).append(i)
        causes: list[dict | None] = [None] * len(emotions)
        for read, where in by_emotion.items():
            named = None if read is None else choices["emotion"][read]
            messages = prompts.cause_messages(item, choices["cause"], named, cot=cot,
                                              structured=structured)
            answers = self._ask(messages, {"answer": len(choices["cause"])},
                                self._reader(choices["cause"]), len(where),
                                f"{key}:cause:{read}")
            for i, answer in zip(where, answers, strict=True):
                causes[i] = answer
        return [{"emotion": e, "cause": c} for e, c in zip(emotions, causes, strict=True)]

    def _joint(self, item: Item, choices: dict[str, list[str]], key: str) -> list[dict]:
        messages = prompts.joint_messages(item, choices["emotion"], choices["cause"],
                                          cot=self.cfg.cot, structured=self.structured)

        def read(text: str) -> dict[str, int | None]:
            emotion, cause = read_pair(text, choices["emotion"], choices["cause"])
            return {"emotion": emotion, "cause": cause}

        answers = self._ask(messages, {"emotion": len(choices["emotion"]),
                                       "cause": len(choices["cause"])}, read, self.cfg.samples,
                            key, joint=True)
        return answers

    # -- asking -----------------------------------------------------------------------------

    @staticmethod
    def _reader(choices: list[str]) -> Reader:
        return lambda text: {"answer": read_choice(text, choices)}

    def _seed(self, key: str) -> int:
        return (self.cfg.seed * 1_000_003 + zlib.crc32(key.encode())) % 2**31

    def _ask(self, messages: list[dict[str, str]], counts: dict[str, int], read: Reader, n: int,
             key: str, *, joint: bool = False
             ) -> list[dict]:
        """``n`` answers to one prompt. Single questions give ``{"raw", "read", "retried"}``
        per sample; ``joint`` gives ``{"emotion": {...}, "cause": {...}}`` per sample."""
        schema = answer_schema(counts, cot=self.cfg.cot,
                               reasoning_chars=self.cfg.reasoning_chars) if self.structured else None
        params = SamplingParams(n=n, temperature=self.cfg.temperature, top_p=self.cfg.top_p,
                                max_tokens=self.cfg.tokens(len(counts), self.structured),
                                seed=self._seed(key))
        results = []
        for i, generation in enumerate(self._generate(messages, schema, params, key)):
            text, readings, retried = generation.text, read(generation.text), []
            for attempt in range(1, self.cfg.retries + 1):
                if self.cfg.temperature == 0 or all(r is not None for r in readings.values()):
                    break
                retried.append(text)
                again = replace(params, n=1, seed=(params.seed + 7919 * attempt + i) % 2**31)
                text = self._generate(messages, schema, again, key)[0].text
                readings = read(text)
            if joint:
                results.append({name: {"raw": text, "read": readings[name], "retried": retried}
                                for name in counts})
            else:
                results.append({"raw": text, "read": readings["answer"], "retried": retried})
        return results

    def _generate(self, messages, schema, params: SamplingParams, key: str):
        """The backend's answers; after an error the same request again, ``retries`` times."""
        for attempt in range(self.cfg.retries + 1):
            try:
                generations = self.backend.generate(messages, schema=schema, params=params)
            except CapabilityError:
                raise
            except Exception as err:  # a server hiccup, a timeout: try the same prompt again
                if attempt == self.cfg.retries:
                    raise EmolabError(f"{key}: the backend failed {attempt + 1} times with the "
                                      f"same prompt ({err}); rerun the command to resume") from err
                time.sleep(min(0.5 * 2 ** attempt, 8.0))
                continue
            self.generations += 1
            return generations
        raise AssertionError("unreachable")

    # -- a whole run --------------------------------------------------------------------------

    def run(self, items: Iterable[Item], path: Path,
            on_unit: Callable[[dict[str, Any]], None] | None = None) -> int:
        """Answer every (item, order) not yet in ``path``; returns the rows written."""
        written = 0
        with AppendLog(path, key=unit_key, keep_rows=False) as log:  # a torn tail is cut here
            for item in items:
                for k in range(self.cfg.permutations + 1):
                    if (item.task, item.id, k) in log.keys:
                        continue
                    row = self.unit(item, k)
                    log.append(row)
                    written += 1
                    if on_unit is not None:
                        on_unit(row)
        return written
