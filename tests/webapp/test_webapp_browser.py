"""The page in a real browser (Debian's chromium through Playwright) against a real server:
log in from the link, rate with the keyboard, fix, adjudicate; markup in a tweet stays text.
Also writes the README screenshots to docs/images/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from webapp_support import HOSTILE_TEXT, build_project, running_server

from emolab.preference.store import DIMENSIONS, PairStore

pytestmark = pytest.mark.slow

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CAROL_FIX = {"explanation": "'miss you' is longing; 'hurts' is sadness",
             "most_prominent_emotion": "sadness", "multiple_emotions_present": ["sadness", "love"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server for the module; bob and carol already disagree on item 3."""
    path = tmp_path_factory.mktemp("browser") / "project"
    tokens = build_project(path)
    with PairStore(path) as store:
        users = {u.name: u for u in store.users()}
        store.save_choice(3, users["bob"], 0)
        store.save_choice(3, users["carol"], 1, CAROL_FIX)
    with running_server(path) as (_, url):
        yield path, tokens, url


@pytest.fixture(scope="module")
def browser(chromium):
    if not os.environ.get("CI"):  # CI installs playwright: there a missing one must fail
        pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)  # the shared CI machine can be slow; passing is fast
    context = browser.new_context(viewport={"width": 1360, "height": 940})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []  # no script error on the way


def test_annotator_rates_with_the_keyboard_and_fixes(site, page):
    from playwright.sync_api import expect

    path, tokens, url = site
    page.goto(f"{url}/?token={tokens['alice']}")
    expect(page.locator("#text")).to_contain_text("Finally got the keys")
    assert "token" not in page.url  # the token left the address bar for sessionStorage
    assert page.evaluate("sessionStorage.getItem('emolab-token')") == tokens["alice"]
    expect(page.locator("#progress")).to_have_text("0 / 3 done")

    # Ten keys rate both responses: A's five dimensions, then B's.
    for key in "5443422332":
        page.keyboard.press(key)
    expect(page.locator("#status")).to_have_text("Saved: response B, overall 2.")
    first = page.locator(".response").first
    expect(first).to_have_class(re.compile(r"\bpreferred\b"))  # higher overall pre-selects A
    page.keyboard.press("b")
    page.keyboard.press("p")  # the user's own choice wins over the ratings
    expect(page.locator(".response").nth(1)).to_contain_text("preferred")
    page.keyboard.press("a")
    page.keyboard.press("p")

    # Fix A in place; an inconsistent fix is refused by the server, then corrected.
    page.keyboard.press("f")
    editor = page.locator(".editor")
    editor.locator("textarea").fill("'cannot stop smiling': pure joy, and a little surprise")
    editor.locator("select").select_option("fear")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("most_prominent_emotion must be one of")
    editor.locator("select").select_option("joy")
    page.keyboard.press("Escape")
    page.mouse.move(0, 0)
    page.screenshot(path=str(DOCS_IMAGES / "annotate_item.png"), full_page=True)
    page.keyboard.press("Enter")

    # The next item's tweet and explanation are markup, shown as the very characters.
    expect(page.locator("#progress")).to_have_text("1 / 3 done")
    text = page.locator("#text")
    expect(text).to_have_text(HOSTILE_TEXT)
    assert text.locator("*").count() == 0
    assert page.locator("#item img, #item script, #item b, #item i").count() == 0
    expect(page.locator(".explanation").first).to_have_text(
        "<i>markup</i> in an explanation stays text")
    assert page.evaluate("window.__pwned") is None

    with PairStore(path) as store:
        alice = next(u for u in store.users() if u.name == "alice")
        assert store.ratings(1, alice.id) == {
            0: dict(zip(DIMENSIONS, (5, 4, 4, 3, 4), strict=True)),
            1: dict(zip(DIMENSIONS, (2, 2, 3, 3, 2), strict=True))}
        choice = store.choice(1, alice.id)
        assert choice["chosen_slot"] == 0
        assert choice["fixed"]["explanation"].startswith("'cannot stop smiling': pure joy")
        assert choice["fixed"]["multiple_emotions_present"] == ["joy", "surprise"]
        assert store.item(1).responses[0].parsed["explanation"] == (
            "'cannot stop smiling' shows delight")  # the original is kept

    # Back shows the answered item with its saved ratings and fix.
    page.keyboard.press("Backspace")
    expect(page.locator("#text")).to_contain_text("Finally got the keys")
    expect(page.locator(".editor textarea")).to_have_value(choice["fixed"]["explanation"])
    expect(first.locator("tr").nth(0).locator("button.on")).to_have_text("5")


def test_adjudicator_sees_both_choices_and_decides(site, page):
    from playwright.sync_api import expect

    path, tokens, url = site
    page.goto(f"{url}/?token={tokens['judy']}")
    panel = page.locator(".annotators")
    expect(panel).to_contain_text("bob preferred response A")
    expect(panel).to_contain_text("carol preferred response B")
    expect(panel).to_contain_text(CAROL_FIX["explanation"])
    expect(page.locator(".response").first).to_contain_text("{not json")  # unreadable answer
    expect(page.locator("#progress")).to_have_text("0 / 1 done")
    page.screenshot(path=str(DOCS_IMAGES / "annotate_adjudicate.png"), full_page=True)

    page.keyboard.press("b")
    page.keyboard.press("p")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("All done")
    expect(page.locator("#progress")).to_have_text("1 / 1 done")
    with PairStore(path) as store:
        decision = store.decision(3)
    assert (decision["source"], decision["decided_by"], decision["chosen_slot"]) == (
        "adjudicator", "judy", 1)
