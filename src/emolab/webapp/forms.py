"""What the page may send, validated before anything is stored."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emolab.errors import EmolabError
from emolab.labels import LabelSet
from emolab.preference.store import Item
from emolab.schemas import answer_model

# strict: "3", 3.0 and true are not ratings, even though they would coerce to 3 or 1.
Score = Annotated[int, Field(strict=True, ge=1, le=5)]
Slot = Annotated[int, Field(strict=True, ge=0, le=1)]


class RatingForm(BaseModel):
    """Some or all of the five dimensions of one response (the fields are DIMENSIONS)."""

    model_config = ConfigDict(extra="forbid")
    correctness: Score | None = None
    clarity: Score | None = None
    helpfulness: Score | None = None
    verbosity: Score | None = None
    overall: Score | None = None

    @model_validator(mode="after")
    def _something(self) -> RatingForm:
        if not self.scores():
            raise ValueError("give at least one rating from 1 to 5")
        return self

    def scores(self) -> dict[str, int]:
        return self.model_dump(exclude_none=True)


class ChoiceForm(BaseModel):
    """The preferred response (null = skip), with an optional fix of it."""

    model_config = ConfigDict(extra="forbid")
    chosen_slot: Slot | None
    fixed: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _fix_needs_choice(self) -> ChoiceForm:
        if self.fixed is not None and self.chosen_slot is None:
            raise ValueError("a fix belongs to the chosen response: choose one, or skip without "
                             "a fix")
        return self


class FixError(ValueError):
    """A fix that is not a valid answer for the item's label set."""


def label_set_of(item: Item) -> LabelSet | None:
    """The item's label set, or None when its data set is unknown or not a classification."""
    from emolab.data import get_dataset

    if item.dataset is None:
        return None
    try:
        return get_dataset(item.dataset).label_set
    except EmolabError:
        return None


def check_fix(item: Item, fixed: dict[str, Any]) -> dict[str, Any]:
    """The fix as a clean answer dict, or FixError saying what is wrong with it."""
    label_set = label_set_of(item)
    if label_set is None:
        raise FixError(f"item {item.id} has no known label set (data set {item.dataset!r}), so "
                       "a fix cannot be checked; choose without fixing")
    try:
        answer = answer_model(label_set).model_validate(fixed)
    except ValidationError as err:
        raise FixError("fixed." + "; fixed.".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())) from None
    if answer.most_prominent_emotion not in answer.multiple_emotions_present:
        raise FixError("fixed: most_prominent_emotion must be one of multiple_emotions_present")
    return answer.model_dump()
