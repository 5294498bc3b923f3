"""The embedded models on SemEval-2025 Task 11 (BRIGHTER) track A: English, and what the
English 135M model does in other languages and scripts.

- English test (a sample drawn by a hash of the text, as in bench/brighter_baselines.py, whose
  200 texts are the first of these):
  ``emolab-affect-v1`` (the tuned default) asked its own E-c question, its 11 labels read as
  BRIGHTER's five (anger, fear, joy, sadness, surprise; anticipation, love, optimism,
  pessimism and trust dropped), and the untuned base asked BRIGHTER's own question, the path of
  `emolab classify --dataset brighter-a` (the tuned model was not trained on it).
- Other languages, dev (``--per-language`` texts each): the base with each language's label
  set, the text left in its language. Besides macro-F1 it reports how often the explanation
  quotes a word of the text, how much of it is in Latin letters, how often it just copies
  the text, and how often it degenerates.

Answers go to predictions files under ``--runs`` (resumable: a rerun answers only what is
missing). Usage: EMOLAB_DATA=../shared/data python bench/brighter_models.py
Writes bench/results/brighter_models.json (and .md) and prints the table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import time
from pathlib import Path

from brighter_baselines import sample

from emolab.backends import load_backend
from emolab.classify import Classifier
from emolab.data import get_dataset, load
from emolab.data.brighter import LANGUAGE_NAMES, label_set_of
from emolab.evaluate.predictions import PredictionRow, read_predictions
from emolab.evaluate.repetition import is_degenerate
from emolab.evaluate.runner import evaluate_rows
from emolab.tasks import get_task

LANGUAGES = ("deu", "esp", "rus", "chn", "amh", "hau")


def figures(rows: list[PredictionRow]) -> dict:
    report = evaluate_rows(rows)
    return {**{k: round(report["metrics"][k], 4) for k in ("f1_macro", "f1_micro", "jaccard")},
            "rows": report["rows"], "unreadable": report["failed"]}


def projected(rows: list[PredictionRow], examples) -> list[PredictionRow]:
    """E-c answers read as BRIGHTER English rows: the five shared labels kept."""
    gold = {e.id: e for e in examples}
    columns = set(get_dataset("brighter-a:eng").scored_labels)
    return [PredictionRow(id=r.id, gold=list(gold[r.id].labels), dataset="brighter-a:eng",
                          task="multi_label", error=r.error,
                          pred=None if r.pred is None else [p for p in r.pred if p in columns])
            for r in rows]


def _tokens(text: str) -> set[str]:
    # Words of 4+ letters; in scripts without spaces (Chinese), pairs of characters.
    words = {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 4}
    han = re.findall(r"[\u4e00-\u9fff]", text)
    return words | {a + b for a, b in itertools.pairwise(han)}


def explanation_checks(rows: list[PredictionRow], texts: dict[str, str]) -> dict:
    explained = [(r.parsed["explanation"], texts[r.id]) for r in rows
                 if r.parsed and isinstance(r.parsed.get("explanation"), str)]
    if not explained:
        return {}
    letters = [c for e, _ in explained for c in e if c.isalpha()]

    def copies(e: str, t: str) -> bool:  # the explanation is (most of) the text itself
        e, t = e.strip().strip('"').lower(), t.lower()
        return len(e) >= 20 and (e in t or t in e)

    return {
        "quotes_text": round(sum(bool(_tokens(e) & _tokens(t)) for e, t in explained)
                             / len(explained), 3),
        "copies_text": round(sum(copies(e, t) for e, t in explained) / len(explained), 3),
        "latin_letters": round(sum(c.isascii() for c in letters) / max(len(letters), 1), 3),
        "degenerate": round(sum(is_degenerate(e) for e, _ in explained) / len(explained), 3),
    }


def answer(classifier: Classifier, examples, path: Path, dataset: str) -> list[PredictionRow]:
    classifier.run(examples, path, dataset=dataset)
    wanted = {e.id for e in examples}
    return [r for r in read_predictions(path) if r.id in wanted]


def markdown(results: dict) -> str:
    lines = [f"### English track A, {results['english']['texts']} test texts", "",
             "| system | macro-F1 | micro-F1 | Jaccard | unreadable | s / text |",
             "|---|---|---|---|---|---|"]
    for name, entry in results["english"]["systems"].items():
        lines.append(f"| {name} | {entry['f1_macro']:.3f} | {entry['f1_micro']:.3f} | "
                     f"{entry['jaccard']:.3f} | {entry['unreadable']} | "
                     f"{entry['seconds_per_text']:.2f} |")
    lines += ["", f"### The untuned base in other languages, {results['per_language']} dev texts "
              "each", "",
              "| language | macro-F1 | unreadable | quotes the text | copies the text | "
              "Latin letters | degenerate |", "|---|---|---|---|---|---|---|"]
    for language, entry in results["languages"].items():
        checks = entry.get("checks", {})
        lines.append(f"| {LANGUAGE_NAMES[language]} ({language}) | {entry['f1_macro']:.3f} | "
                     f"{entry['unreadable']} | {checks.get('quotes_text', 0):.0%} | "
                     f"{checks.get('copies_text', 0):.0%} | "
                     f"{checks.get('latin_letters', 0):.0%} | {checks.get('degenerate', 0):.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--english", type=int, default=300, help="English test texts")
    parser.add_argument("--per-language", type=int, default=40)
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-brighter"))
    parser.add_argument("--out", default="bench/results/brighter_models.json")
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    results: dict = {"per_language": args.per_language, "threads": args.threads}

    english = sample(load("brighter-a:eng", "test"), args.english)
    texts = {e.id: e.text for e in english}
    systems = {}
    tuned = Classifier(load_backend("llamacpp", model="emolab", n_threads=args.threads),
                       get_task("semeval-ec"), prompt_version="compact")
    start = time.perf_counter()
    rows = answer(tuned, english, args.runs / "eng-tuned-ec.jsonl", "brighter-a:eng")
    seconds = (time.perf_counter() - start) / len(english)
    systems["emolab-affect-v1 (default), E-c answers read as BRIGHTER's labels"] = {
        **figures(projected(rows, english)), "seconds_per_text": seconds,
        "checks": explanation_checks(rows, texts)}
    base_engine = load_backend("llamacpp", model="base", n_threads=args.threads)
    base = Classifier(base_engine, get_task(label_set_of("eng").name), prompt_version="v1")
    start = time.perf_counter()
    rows = answer(base, english, args.runs / "eng-base.jsonl", "brighter-a:eng")
    systems["SmolLM2-135M untuned, BRIGHTER's question (emolab classify --dataset brighter-a)"] = {
        **figures(rows), "seconds_per_text": (time.perf_counter() - start) / len(english),
        "checks": explanation_checks(rows, texts)}
    results["english"] = {"texts": len(english), "systems": systems}
    print(json.dumps(results["english"], indent=1), flush=True)

    results["languages"] = {}
    for language in args.languages:
        dataset = f"brighter-a:{language}"
        examples = sample(load(dataset, "dev"), args.per_language)
        classifier = Classifier(base_engine, get_task(label_set_of(language).name),
                                prompt_version="v1")
        rows = answer(classifier, examples, args.runs / f"{language}-base.jsonl", dataset)
        results["languages"][language] = {
            **figures(rows), "checks": explanation_checks(rows, {e.id: e.text for e in examples})}
        print(language, json.dumps(results["languages"][language]), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = markdown(results)
    out.with_suffix(".md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
