"""The JSON API the page talks to. Every route needs a token (see ``auth``) and touches only
the caller's own ratings and choices; an adjudicator also sees the annotators' choices of the
items in their queue, which is what they are there to settle."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path

from emolab.preference.store import DIMENSIONS, Item, PairStore, User
from emolab.webapp.auth import current_user, open_store
from emolab.webapp.forms import ChoiceForm, FixError, RatingForm, check_fix, label_set_of

router = APIRouter(prefix="/api")

Store = Annotated[PairStore, Depends(open_store)]
Caller = Annotated[User, Depends(current_user)]
ItemId = Annotated[int, Path(ge=1)]
SlotParam = Annotated[int, Path(ge=0, le=1)]


def progress(store: PairStore, user: User) -> dict[str, Any]:
    queue, answered = store.queue(user), store.answered(user)
    # An adjudicator's skip is stored but leaves the item in their queue: count it as not done.
    done = set(answered) - set(queue)
    return {"done": len(done), "total": len(done) + len(queue), "queue": queue,
            "answered": answered}


def reachable_item(store: PairStore, user: User, item_id: int, *, status: int) -> Item:
    """The item if it is in the caller's queue or among what they answered; else ``status``."""
    if item_id not in store.queue(user) and item_id not in store.answered(user):
        raise HTTPException(status, f"item {item_id} is not in your queue (it may not exist, or "
                                    "two annotators may have answered it meanwhile)")
    item = store.item(item_id)
    assert item is not None  # queues hold only stored items
    return item


def item_view(store: PairStore, item: Item, user: User) -> dict[str, Any]:
    """What the page shows: the text, gold labels and both responses, blind to which model
    wrote them or whether they are correct, plus the caller's own answers."""
    label_set = label_set_of(item)
    mine = store.ratings(item.id, user.id)
    view = {
        "id": item.id, "example_id": item.example_id, "dataset": item.dataset,
        "text": item.text, "gold": item.gold,
        "labels": list(label_set.labels) if label_set else None,
        "responses": [{"slot": r.slot, "parsed": r.parsed, "raw": r.raw if r.parsed is None
                       else None, "error": r.error} for r in item.responses],
        "my_ratings": [mine.get(slot, dict.fromkeys(DIMENSIONS)) for slot in (0, 1)],
        "my_choice": store.choice(item.id, user.id),
    }
    if user.role == "adjudicator":
        ids = {u.name: u.id for u in store.users()}
        view["annotators"] = [
            {**vote, "ratings": [store.ratings(item.id, ids[vote["user"]]).get(slot)
                                 for slot in (0, 1)]}
            for vote in store.annotator_choices(item.id)]
    return view


@router.get("/me")
def me(user: Caller, store: Store) -> dict[str, Any]:
    return {"name": user.name, "role": user.role, "dimensions": list(DIMENSIONS),
            **progress(store, user)}


@router.get("/items/{item_id}")
def get_item(item_id: ItemId, user: Caller, store: Store) -> dict[str, Any]:
    return item_view(store, reachable_item(store, user, item_id, status=404), user)


@router.put("/items/{item_id}/ratings/{slot}")
def put_rating(item_id: ItemId, slot: SlotParam, form: RatingForm, user: Caller,
               store: Store) -> dict[str, Any]:
    reachable_item(store, user, item_id, status=422)
    store.save_rating(item_id, user.id, slot, form.scores())  # committed on return
    return {"item": item_id, "slot": slot, "ratings": store.ratings(item_id, user.id)[slot]}


@router.put("/items/{item_id}/choice")
def put_choice(item_id: ItemId, form: ChoiceForm, user: Caller, store: Store) -> dict[str, Any]:
    item = reachable_item(store, user, item_id, status=422)
    try:
        fixed = None if form.fixed is None else check_fix(item, form.fixed)
    except FixError as err:
        raise HTTPException(422, str(err)) from None
    store.save_choice(item_id, user, form.chosen_slot, fixed)
    return {"item": item_id, "choice": store.choice(item_id, user.id),
            **progress(store, user)}
