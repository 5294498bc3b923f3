"""Metric functions: data first, options keyword-only, no hidden state.

Each is checked against scikit-learn / SciPy in the tests (see METRICS in the README).
"""

from emolab.evaluate.metrics.correlation import (
    ordinal_scores,
    pearson,
    quadratic_weighted_kappa,
    regression_scores,
)
from emolab.evaluate.metrics.multilabel import (
    f1_macro,
    f1_micro,
    f1_per_label,
    jaccard_accuracy,
    jaccard_per_sample,
    to_indicator,
)
from emolab.evaluate.metrics.multiple_choice import item_correct, mcq_accuracy
from emolab.evaluate.metrics.single_label import accuracy, precision_recall_f1

__all__ = [
    "accuracy", "f1_macro", "f1_micro", "f1_per_label", "item_correct", "jaccard_accuracy",
    "jaccard_per_sample", "mcq_accuracy", "ordinal_scores", "pearson", "precision_recall_f1",
    "quadratic_weighted_kappa", "regression_scores", "to_indicator",
]
