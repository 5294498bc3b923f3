"""The JSON API through FastAPI's TestClient: tokens, who sees what, validation, the flow from
two annotators to the adjudicator, and fixes."""

from __future__ import annotations

import pytest
from webapp_support import bearer

from emolab.preference.store import DIMENSIONS, PairStore

FIX = {"explanation": "'cannot stop smiling' is joy; the keys are a surprise too",
       "most_prominent_emotion": "joy", "multiple_emotions_present": ["joy", "surprise"]}


def as_user(client, name: str) -> dict[str, str]:
    return bearer(client.tokens[name])


def choose(client, name: str, item: int, slot: int | None, fixed: dict | None = None):
    return client.put(f"/api/items/{item}/choice", json={"chosen_slot": slot, "fixed": fixed},
                      headers=as_user(client, name))


def rate(client, name: str, item: int, slot: int, **scores):
    return client.put(f"/api/items/{item}/ratings/{slot}", json=scores,
                      headers=as_user(client, name))


# ---- tokens -------------------------------------------------------------------------------

API_CALLS = [("GET", "/api/me", None), ("GET", "/api/items/{item_id}", None),
             ("PUT", "/api/items/{item_id}/ratings/{slot}", {"overall": 3}),
             ("PUT", "/api/items/{item_id}/choice", {"chosen_slot": 0})]


def test_the_token_test_below_calls_every_api_route():
    from emolab.webapp.api import router

    routes = {(method, route.path) for route in router.routes for method in route.methods}
    assert routes == {(method, path) for method, path, _ in API_CALLS}


@pytest.mark.parametrize("headers", [
    {}, bearer("not-a-token"), {"Authorization": "Basic YWxpY2U6eA=="}, bearer("")],
    ids=["none", "unknown", "wrong-scheme", "empty"])
@pytest.mark.parametrize(("method", "path", "body"), API_CALLS, ids=[c[1] for c in API_CALLS])
def test_every_api_route_wants_a_valid_token(client, headers, method, path, body):
    response = client.request(method, path.format(item_id=1, slot=0), json=body,
                              headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_in_the_url_is_not_accepted(client):
    assert client.get(f"/api/me?token={client.tokens['alice']}").status_code == 401


def test_an_invalid_body_without_token_is_401_not_422(client):
    assert client.put("/api/items/1/ratings/0", json={"overall": 9}).status_code == 401


def test_the_page_is_public_and_locked_down(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.get("/static/app.js").status_code == 200


def test_the_page_script_never_writes_html():
    from emolab.webapp.app import STATIC

    script = (STATIC / "app.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_me_names_the_caller_and_their_queue(client):
    me = client.get("/api/me", headers=as_user(client, "alice")).json()
    assert (me["name"], me["role"]) == ("alice", "annotator")
    assert me["queue"] == [1, 2, 3, 4] and (me["done"], me["total"]) == (0, 4)
    assert me["dimensions"] == list(DIMENSIONS)


# ---- isolation ----------------------------------------------------------------------------

def test_annotators_never_see_each_others_answers(client, project):
    assert rate(client, "alice", 1, 0, overall=5, correctness=4).status_code == 200
    assert choose(client, "alice", 1, 0, FIX).status_code == 200
    bob_view = client.get("/api/items/1", headers=as_user(client, "bob")).json()
    assert bob_view["my_ratings"] == [dict.fromkeys(DIMENSIONS)] * 2
    assert bob_view["my_choice"] is None and "annotators" not in bob_view
    # Bob writing the same item changes only Bob's rows.
    assert rate(client, "bob", 1, 0, overall=1).status_code == 200
    assert choose(client, "bob", 1, 1).status_code == 200
    with PairStore(project[0]) as store:
        alice, bob = (u for u in store.users() if u.name in ("alice", "bob"))
        assert store.ratings(1, alice.id)[0]["overall"] == 5
        assert store.choice(1, alice.id) == {"chosen_slot": 0, "fixed": FIX}
        assert store.ratings(1, bob.id)[0]["overall"] == 1


def test_an_item_answered_by_two_others_is_out_of_reach(client):
    choose(client, "alice", 1, 0)
    choose(client, "bob", 1, 0)
    assert client.get("/api/items/1", headers=as_user(client, "carol")).status_code == 404
    response = rate(client, "carol", 1, 0, overall=3)
    assert response.status_code == 422 and "not in your queue" in response.json()["detail"]
    assert choose(client, "carol", 1, 1).status_code == 422
    assert client.get("/api/items/99", headers=as_user(client, "alice")).status_code == 404


def test_an_adjudicator_cannot_reach_items_without_disagreement(client):
    choose(client, "alice", 1, 0)
    assert client.get("/api/items/1", headers=as_user(client, "judy")).status_code == 404
    assert choose(client, "judy", 1, 0).status_code == 422


# ---- validation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "words"), [
    ({"overall": 0}, "overall: Input should be greater than or equal to 1"),
    ({"overall": 6}, "overall: Input should be less than or equal to 5"),
    ({"overall": "3"}, "overall: Input should be a valid integer"),
    ({"overall": 3.5}, "overall: Input should be a valid integer"),
    ({"overall": True}, "overall: Input should be a valid integer"),
    ({"beauty": 3}, "beauty: Extra inputs are not permitted"),
    ({}, "give at least one rating"),
])
def test_bad_ratings_are_422_with_a_message(client, body, words):
    response = client.put("/api/items/1/ratings/0", json=body, headers=as_user(client, "alice"))
    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_bad_slots_are_422(client):
    assert "slot" in rate(client, "alice", 1, 2, overall=3).json()["detail"]
    response = choose(client, "alice", 1, 2)
    assert response.status_code == 422 and "chosen_slot" in response.json()["detail"]
    assert client.put("/api/items/1/choice", json={}, headers=as_user(client, "alice")
                      ).status_code == 422  # a skip is an explicit null, not a missing key


def test_a_rating_is_stored_when_given_and_can_be_changed(client, project):
    assert rate(client, "alice", 1, 1, clarity=2).json()["ratings"]["clarity"] == 2
    assert rate(client, "alice", 1, 1, clarity=4, verbosity=3).status_code == 200
    with PairStore(project[0]) as store:  # a second connection sees it: it is committed
        alice = next(u for u in store.users() if u.name == "alice")
        assert store.ratings(1, alice.id)[1] == {**dict.fromkeys(DIMENSIONS), "clarity": 4,
                                                 "verbosity": 3}


# ---- fixes --------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "words"), [
    ({"most_prominent_emotion": "boredom"}, "fixed.most_prominent_emotion"),
    ({"multiple_emotions_present": ["joy", "glee"]}, "fixed.multiple_emotions_present.1"),
    ({"multiple_emotions_present": []}, "fixed.multiple_emotions_present"),
    ({"explanation": ""}, "fixed.explanation"),
    ({"explanation": "x" * 401}, "fixed.explanation"),
    ({"confidence": 0.9}, "fixed.confidence: Extra inputs"),
    ({"most_prominent_emotion": "fear"}, "most_prominent_emotion must be one of"),
])
def test_an_invalid_fix_is_422_and_nothing_is_saved(client, project, change, words):
    response = choose(client, "alice", 1, 0, {**FIX, **change})
    assert response.status_code == 422
    assert words in response.json()["detail"]
    with PairStore(project[0]) as store:
        alice = next(u for u in store.users() if u.name == "alice")
        assert store.choice(1, alice.id) is None


def test_a_fix_keeps_the_original_response(client, project):
    with PairStore(project[0]) as store:
        original = store.item(1).responses[0]
    assert choose(client, "alice", 1, 0, FIX).json()["choice"] == {"chosen_slot": 0,
                                                                   "fixed": FIX}
    with PairStore(project[0]) as store:
        assert store.item(1).responses[0] == original


def test_an_unreadable_response_can_be_fixed(client):
    view = client.get("/api/items/3", headers=as_user(client, "alice")).json()
    assert view["responses"][0]["parsed"] is None
    assert view["responses"][0]["raw"] == "{not json" and view["responses"][0]["error"]
    fix = {"explanation": "'miss you' is sadness and love", "most_prominent_emotion": "sadness",
           "multiple_emotions_present": ["sadness", "love"]}
    assert choose(client, "alice", 3, 0, fix).status_code == 200


def test_an_item_without_label_set_cannot_be_fixed_but_can_be_chosen(client):
    view = client.get("/api/items/4", headers=as_user(client, "alice")).json()
    assert view["labels"] is None
    response = choose(client, "alice", 4, 0, FIX)
    assert response.status_code == 422 and "no known label set" in response.json()["detail"]
    assert choose(client, "alice", 4, 0).status_code == 200


def test_a_skip_cannot_carry_a_fix(client):
    response = choose(client, "alice", 1, None, FIX)
    assert response.status_code == 422 and "a fix belongs" in response.json()["detail"]


# ---- the flow -----------------------------------------------------------------------------

def test_the_view_is_blind_to_model_and_correctness(client):
    view = client.get("/api/items/1", headers=as_user(client, "alice")).json()
    assert view["text"].startswith("Finally got the keys") and view["gold"] == ["joy"]
    assert view["labels"] == ["sadness", "joy", "love", "anger", "fear", "surprise"]
    assert set(view["responses"][0]) == {"slot", "parsed", "raw", "error"}


def test_progress_skip_and_back(client):
    choose(client, "alice", 1, 0)
    me = choose(client, "alice", 2, None).json()  # skip
    assert (me["done"], me["total"], me["queue"], me["answered"]) == (2, 4, [3, 4], [1, 2])
    back = client.get("/api/items/2", headers=as_user(client, "alice")).json()
    assert back["my_choice"] == {"chosen_slot": None, "fixed": None}
    assert choose(client, "alice", 2, 1).json()["choice"]["chosen_slot"] == 1  # answered later


def test_agreement_settles_the_item_without_the_adjudicator(client, project):
    choose(client, "alice", 1, 0)
    choose(client, "bob", 1, 0, FIX)
    with PairStore(project[0]) as store:
        decision = store.decision(1)
    assert (decision["source"], decision["chosen_slot"], decision["fixed"]) == (
        "human-agreement", 0, FIX)
    assert client.get("/api/me", headers=as_user(client, "judy")).json()["queue"] == []


def test_disagreement_goes_to_the_adjudicator_who_decides(client, project):
    rate(client, "alice", 2, 0, overall=4)
    choose(client, "alice", 2, 0)
    choose(client, "bob", 2, 1)
    me = client.get("/api/me", headers=as_user(client, "judy")).json()
    assert (me["queue"], me["done"], me["total"]) == ([2], 0, 1)
    view = client.get("/api/items/2", headers=as_user(client, "judy")).json()
    votes = {v["user"]: v for v in view["annotators"]}
    assert (votes["alice"]["chosen_slot"], votes["bob"]["chosen_slot"]) == (0, 1)
    assert votes["alice"]["ratings"][0]["overall"] == 4 and votes["bob"]["ratings"] == [None, None]
    # A skip keeps the item waiting; a choice settles it.
    assert choose(client, "judy", 2, None).json()["queue"] == [2]
    fix = {"explanation": "an angry outburst", "most_prominent_emotion": "anger",
           "multiple_emotions_present": ["anger"]}
    me = choose(client, "judy", 2, 1, fix).json()
    assert (me["queue"], me["done"], me["total"]) == ([], 1, 1)
    with PairStore(project[0]) as store:
        decision = store.decision(2)
    assert (decision["source"], decision["decided_by"], decision["chosen_slot"],
            decision["fixed"]) == ("adjudicator", "judy", 1, fix)
    # Annotators still cannot see the others' choices, decided or not.
    assert "annotators" not in client.get("/api/items/2", headers=as_user(client, "alice")).json()


def test_interleaved_annotators_keep_their_own_answers(client, project):
    # Two people working at once: their requests alternate, item by item.
    for item in (1, 2, 3):
        for name, slot in (("alice", 0), ("bob", 1)):
            for dimension in DIMENSIONS:
                assert rate(client, name, item, slot, **{dimension: 1 + item}).status_code == 200
        assert choose(client, "alice", item, 0).status_code == 200
        assert choose(client, "bob", item, 1).status_code == 200
    with PairStore(project[0]) as store:
        users = {u.name: u for u in store.users()}
        for item in (1, 2, 3):
            assert store.ratings(item, users["alice"].id) == {0: dict.fromkeys(DIMENSIONS, 1 + item)}
            assert store.ratings(item, users["bob"].id) == {1: dict.fromkeys(DIMENSIONS, 1 + item)}
        assert store.queue(users["judy"]) == [1, 2, 3]
