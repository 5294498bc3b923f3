"""Settings of ``emolab probe``: one dataclass, help text per field, YAML in, flags on top."""

from __future__ import annotations

from dataclasses import dataclass

from emolab.errors import EmolabError
from emolab.settings import FromSources, setting

POOLING_CHOICES = ("mean", "last")
ABLATIONS = ("none", "keywords")
LEXICONS = ("logodds", "nrc")


_f = setting


@dataclass
class ProbeConfig(FromSources):
    settings_name = "probe settings"

    model: str = _f("default", "Model: 'default' (SmolLM2), 'minilm', or a Hugging Face folder.",
                    aliases=("-m",))
    dataset: str = _f("isear", "Data set: goemotions, isear, dair-emotion, semeval-ec, ...",
                      aliases=("-d",))
    out: str = _f("runs/probe", "Folder for tables, plots and the HTML page.", aliases=("-o",))
    split: str = _f("train", "Split the probes are trained on.")
    eval_split: str | None = _f(None, "Split the probes are scored on; default: the data set's "
                                "dev split, or k-fold cross-validation if it has none.")
    limit: int | None = _f(None, "Use at most N training texts (a seeded random subset).")
    eval_limit: int | None = _f(None, "Use at most N evaluation texts (default: limit / 4).")
    cv: int = _f(5, "Folds of cross-validation when there is no evaluation split.")
    force_cv: bool = _f(False, "Cross-validate on the training split even if a dev split exists.")
    probes: list[str] | None = setting(
        None, "Probes: linear, mlp, or import paths of scikit-learn classifiers (e.g. "
        "sklearn.svm.LinearSVC); repeat for several; default: linear and mlp.", flag="--probe")
    pooling: str = _f("mean", "Which pooled representation the probes read: mean or last.")
    layers: str = _f("all", "Layers to probe: all, a list '0,4,8', or a slice '0:31:5'.")
    max_length: int = _f(128, "Tokens kept per text.")
    batch_size: int = _f(16, "Texts per forward pass.")
    seed: int = _f(0, "Seed of the subset, the probes and the control shuffle.")
    control: bool = _f(True, "Also train each probe on shuffled labels (control task).")
    ablate: str = _f("none", "'keywords': also rerun with emotion words removed from the texts.")
    lexicon: str = _f("logodds", "Keywords: 'logodds' (chosen on the training split) or 'nrc' "
                      "(the NRC lexicon from the nrclex package).")
    keywords_per_label: int = _f(15, "Log-odds keywords kept per label.")
    compare: str | None = _f(None, "A second model; curves of both by relative depth.")
    cache: str | None = _f(None, "Activation cache folder (default: <emolab cache>/activations).")
    threads: int | None = _f(None, "torch threads (default: torch's choice).")
    progress: bool = _f(True, "Show progress bars.")

    def __post_init__(self) -> None:
        if self.probes is None:
            self.probes = ["linear", "mlp"]
        if isinstance(self.probes, str):
            self.probes = [p.strip() for p in self.probes.split(",") if p.strip()]
        if not self.probes:
            raise EmolabError("give at least one probe")
        if self.pooling not in POOLING_CHOICES:
            raise EmolabError(f"pooling must be one of {POOLING_CHOICES}, not {self.pooling!r}")
        if self.ablate not in ABLATIONS:
            raise EmolabError(f"--ablate must be one of {ABLATIONS}, not {self.ablate!r}")
        if self.lexicon not in LEXICONS:
            raise EmolabError(f"--lexicon must be one of {LEXICONS}, not {self.lexicon!r}")
        self.require_at_least_one("limit", "eval_limit", "max_length", "batch_size",
                                  "keywords_per_label")
        if self.cv < 2:
            raise EmolabError(f"cv must be at least 2, not {self.cv}")


def parse_layers(spec: str, n_layers: int) -> list[int]:
    """'all' | '0,4,-1' | '0:31:5' -> sorted layer indices within 0..n_layers-1."""
    spec = spec.strip()
    try:
        if spec == "all":
            chosen = list(range(n_layers))
        elif ":" in spec:
            parts = [int(p) if p else None for p in spec.split(":")]
            chosen = list(range(n_layers))[slice(*parts)]
        else:
            chosen = [int(p) for p in spec.split(",") if p.strip()]
    except ValueError as err:
        raise EmolabError(f"cannot read layers {spec!r}: use all, 0,4,8 or 0:31:5") from err
    resolved = sorted({i % n_layers if -n_layers <= i < n_layers else -1 for i in chosen})
    if not resolved or resolved[0] < 0:
        raise EmolabError(f"layers {spec!r} are outside 0..{n_layers - 1}")
    return resolved
