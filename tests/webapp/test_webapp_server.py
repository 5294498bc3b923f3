"""A real `emolab annotate serve` process: ratings survive kill -9, and two annotators hitting
it at the same moment lose nothing."""

from __future__ import annotations

import threading

import httpx
from webapp_support import bearer, running_server

from emolab.preference.store import DIMENSIONS, PairStore


def test_ratings_survive_a_killed_server(project):
    path, tokens = project
    alice = bearer(tokens["alice"])
    with running_server(path) as (process, url):
        saved = httpx.put(f"{url}/api/items/1/ratings/0", json={"overall": 4, "clarity": 2},
                          headers=alice)
        assert saved.status_code == 200
        assert httpx.put(f"{url}/api/items/1/choice", json={"chosen_slot": 0},
                         headers=alice).status_code == 200
        # Committed while the server still runs: another connection reads it right away.
        with PairStore(path) as store:
            user = next(u for u in store.users() if u.name == "alice")
            assert store.ratings(1, user.id)[0]["overall"] == 4
        process.kill()  # SIGKILL: no shutdown handler, no chance to flush anything
        process.wait(timeout=30)
    with running_server(path) as (_, url):
        view = httpx.get(f"{url}/api/items/1", headers=alice).json()
        assert view["my_ratings"][0] == {**dict.fromkeys(DIMENSIONS), "overall": 4, "clarity": 2}
        assert view["my_choice"] == {"chosen_slot": 0, "fixed": None}
        assert httpx.get(f"{url}/api/me", headers=alice).json()["answered"] == [1]


def test_two_annotators_at_the_same_time(project):
    path, tokens = project
    failures: list[str] = []
    start = threading.Barrier(2)

    def work(name: str, slot: int, url: str) -> None:
        headers = bearer(tokens[name])
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            start.wait()
            for item in (1, 2, 3):
                for value, dimension in enumerate(DIMENSIONS, start=1):
                    response = http.put(f"/api/items/{item}/ratings/{slot}",
                                        json={dimension: value})
                    if response.status_code != 200:
                        failures.append(f"{name}: {response.status_code} {response.text}")
                response = http.put(f"/api/items/{item}/choice", json={"chosen_slot": slot})
                if response.status_code != 200:
                    failures.append(f"{name}: {response.status_code} {response.text}")

    with running_server(path) as (_, url):
        threads = [threading.Thread(target=work, args=(name, slot, url))
                   for name, slot in (("alice", 0), ("bob", 1))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert failures == []
    expected = {d: value for value, d in enumerate(DIMENSIONS, start=1)}
    with PairStore(path) as store:
        users = {u.name: u for u in store.users()}
        for item in (1, 2, 3):
            assert store.ratings(item, users["alice"].id) == {0: expected}
            assert store.ratings(item, users["bob"].id) == {1: expected}
            assert {v["user"]: v["chosen_slot"] for v in store.annotator_choices(item)} == {
                "alice": 0, "bob": 1}
        assert store.queue(users["judy"]) == [1, 2, 3]
