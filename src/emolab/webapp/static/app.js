// The emolab annotation page. Texts and model outputs are untrusted: they reach the page only
// as text (textContent / text nodes), never as HTML, so a tweet holding <script> stays text.
"use strict";

const DIMENSIONS = ["correctness", "clarity", "helpfulness", "verbosity", "overall"];
const DIMENSION_KEYS = { c: 0, l: 1, h: 2, v: 3, o: 4 };
const SLOT_NAMES = ["A", "B"];
const TOKEN_KEY = "emolab-token";

const state = {
  token: null,
  me: null,          // name, role and progress, from /api/me
  item: null,        // the item on screen
  ratings: [{}, {}], // this user's ratings of slot 0 and 1
  explicit: null,    // the slot the user preferred themselves (wins over the ratings)
  cursor: { slot: 0, dim: 0 },
  editor: null,      // the fix being written: {explanation, most_prominent_emotion, multiple_emotions_present}
  history: null,     // the answered items "back" walks through
  skipped: new Set(),
  saving: Promise.resolve(), // the chain of rating saves
};

const $ = (id) => document.getElementById(id);

// Builds an element; string children become text nodes, so data never parses as markup.
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function say(text, bad = false) {
  $("status").textContent = text;
  $("status").className = bad ? "bad" : "";
}

// ---- talking to the server ---------------------------------------------------------------

function readToken() {
  // The link carries the token once; keep it for this tab and take it out of the address bar
  // (and so out of the history and of any screenshot).
  const url = new URL(window.location.href);
  const fromLink = url.searchParams.get("token");
  if (fromLink) {
    sessionStorage.setItem(TOKEN_KEY, fromLink);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api" + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showMessage("Your link is not valid (any more). Open the personal link you were given.", true);
  }
  if (!response.ok) {
    throw new Error((data && typeof data.detail === "string") ? data.detail : response.statusText);
  }
  return data;
}

async function refresh() {
  state.me = await api("GET", "/me");
  $("who").textContent = `${state.me.name} (${state.me.role})`;
  $("progress").textContent = `${state.me.done} / ${state.me.total} done`;
}

// ---- which item ------------------------------------------------------------------------

async function showNext() {
  state.history = null;
  const next = state.me.queue.find((id) => !state.skipped.has(id));
  if (next === undefined) {
    state.item = null;
    $("item").hidden = true;
    $("actions").hidden = false;
    showMessage(state.me.total ? "All done, thank you! (Back shows what you answered.)"
                               : "Nothing in your queue yet.");
    for (const id of ["skip", "fix", "save"]) $(id).disabled = true;
    return;
  }
  await showItem(next);
}

async function showItem(id) {
  const item = await api("GET", `/items/${id}`);
  state.item = item;
  state.ratings = item.my_ratings.map((r) => ({ ...r }));
  const choice = item.my_choice;
  state.explicit = choice ? choice.chosen_slot : null;
  state.editor = choice && choice.fixed ? structuredClone(choice.fixed) : null;
  state.cursor = { slot: 0, dim: 0 };
  showMessage("");
  say(choice ? (choice.chosen_slot === null ? "You skipped this item." : "You answered this item before; saving again replaces that answer.") : "");
  render();
}

async function goBack() {
  if (!state.history) state.history = state.me.answered.slice();
  const here = state.item ? state.history.indexOf(state.item.id) : -1;
  const target = here === -1 ? state.history[state.history.length - 1] : state.history[here - 1];
  if (target === undefined) return say("Nothing before this item.");
  const walked = state.history;
  await showItem(target);
  state.history = walked;
}

function showMessage(text, bad = false) {
  $("message").textContent = text;
  $("message").className = bad ? "bad" : "";
}

// ---- what the user decides -------------------------------------------------------------

// The user's own choice wins; otherwise the higher overall rating, ties broken by correctness.
function preferred() {
  if (state.explicit !== null) return state.explicit;
  const [a, b] = state.ratings;
  for (const dim of ["overall", "correctness"]) {
    if (a[dim] != null && b[dim] != null && a[dim] !== b[dim]) return a[dim] > b[dim] ? 0 : 1;
  }
  return null;
}

function rate(slot, dim, value) {
  const name = DIMENSIONS[dim];
  const itemId = state.item.id;
  const before = state.ratings[slot][name];
  const chosenBefore = preferred();
  state.ratings[slot][name] = value;
  if (state.editor && preferred() !== chosenBefore) state.editor = null;
  render();
  // One save at a time, in key-press order: two quick presses on one cell must not reach the
  // server in the opposite order and leave the older value stored.
  state.saving = state.saving.then(async () => {
    try {
      await api("PUT", `/items/${itemId}/ratings/${slot}`, { [name]: value });
      say(`Saved: response ${SLOT_NAMES[slot]}, ${name} ${value}.`);
    } catch (error) {
      if (state.item && state.item.id === itemId) {
        state.ratings[slot][name] = before;
        render();
      }
      say(`Not saved: ${error.message}`, true);
    }
  });
}

function prefer(slot) {
  if (preferred() !== slot && state.editor) {
    state.editor = null; // the fix was of the other response
    say("The fix was dropped: it belonged to the other response.");
  }
  state.explicit = slot;
  render();
}

function openFix() {
  const slot = preferred();
  if (slot === null) return say("Prefer a response first (p), then fix it.", true);
  if (!state.item.labels) return say("This item's label set is unknown, so it cannot be fixed here.", true);
  if (!state.editor) {
    // An adjudicator starts from an annotator's fix of this response, if there is one.
    const votes = (state.item.annotators || []).filter((v) => v.chosen_slot === slot && v.fixed);
    const parsed = votes.length ? votes[votes.length - 1].fixed
                                : state.item.responses[slot].parsed || {};
    state.editor = {
      explanation: parsed.explanation || "",
      most_prominent_emotion: parsed.most_prominent_emotion || "",
      multiple_emotions_present: [...(parsed.multiple_emotions_present || [])],
    };
  }
  render();
  document.querySelector(".editor textarea").focus();
}

// Stores the choice; false (with a message) when the server refused it.
async function sendChoice(body) {
  const id = state.item.id;
  await state.saving;
  try {
    await api("PUT", `/items/${id}/choice`, body);
    return true;
  } catch (error) {
    await refresh();
    if (!state.me.queue.includes(id) && !state.me.answered.includes(id)) {
      // Two other annotators answered it meanwhile: nothing to do here any more.
      await showNext();
      say(`Item ${id} left your queue: two other annotators answered it meanwhile. Your ratings of it are kept.`, true);
    } else {
      say(`Not saved: ${error.message}`, true);
    }
    return false;
  }
}

async function save() {
  const slot = preferred();
  if (slot === null) return say("Choose the better response first (p), or skip (s).", true);
  const fixed = state.editor;
  if (!(await sendChoice({ chosen_slot: slot, fixed }))) return;
  await refresh();
  await showNext();
  say(`Saved: you preferred response ${SLOT_NAMES[slot]}${fixed ? " (fixed)" : ""}.`);
}

async function skip() {
  const id = state.item.id;
  if (!(await sendChoice({ chosen_slot: null, fixed: null }))) return;
  state.skipped.add(id);
  await refresh();
  await showNext();
  say("Skipped.");
}

// Runs an action from a key or a button; a failure becomes a message, not a silent rejection.
function act(action) {
  Promise.resolve().then(action).catch((error) => say(`Failed: ${error.message}`, true));
}

// ---- drawing -----------------------------------------------------------------------------

function chips(labels, extra = "") {
  return el("span", {}, ...labels.map((l) => el("span", { className: "chip " + extra }, l)));
}

function field(title, ...content) {
  return el("div", { className: "field" }, el("span", {}, title), ...content);
}

function ratingTable(slot) {
  const rows = DIMENSIONS.map((name, dim) => {
    const cells = [1, 2, 3, 4, 5].map((value) => el("button", {
      type: "button", textContent: String(value),
      className: state.ratings[slot][name] === value ? "on" : "",
      title: `${name} ${value}`,
      onclick: () => { state.cursor = { slot, dim }; rate(slot, dim, value); },
    }));
    const cursor = state.cursor.slot === slot && state.cursor.dim === dim;
    return el("tr", { className: cursor ? "cursor" : "" }, el("th", {}, name), el("td", {}, ...cells));
  });
  return el("table", { className: "ratings" }, el("tbody", {}, ...rows));
}

function editor() {
  const fix = state.editor;
  const text = el("textarea", { value: fix.explanation, maxLength: 400,
                                oninput: (e) => { fix.explanation = e.target.value; } });
  const main = el("select", { onchange: (e) => { fix.most_prominent_emotion = e.target.value; } },
    el("option", { value: "", textContent: "—" }),
    ...state.item.labels.map((l) => el("option", { value: l, textContent: l,
                                                   selected: l === fix.most_prominent_emotion })));
  const boxes = state.item.labels.map((l) => el("label", { className: "check" },
    el("input", { type: "checkbox", value: l, checked: fix.multiple_emotions_present.includes(l),
                  onchange: (e) => {
                    const listed = new Set(fix.multiple_emotions_present);
                    if (e.target.checked) listed.add(l); else listed.delete(l);
                    fix.multiple_emotions_present = state.item.labels.filter((x) => listed.has(x));
                  } }),
    " " + l));
  const discard = el("button", { type: "button", textContent: "Discard the fix",
                                 onclick: () => { state.editor = null; render(); } });
  return el("div", { className: "editor", oninput: () => say(""), onchange: () => say("") },
    el("strong", {}, "Your fix (the original is kept)"),
    field("Explanation", text), field("Most prominent emotion", main),
    field("Emotions listed", el("div", {}, ...boxes)), discard);
}

function responseCard(response, votes) {
  const slot = response.slot;
  const isPreferred = preferred() === slot;
  const parsed = response.parsed;
  const heading = el("h2", {}, `Response ${SLOT_NAMES[slot]}`,
    isPreferred ? el("span", { className: "badge" },
                     state.explicit === null ? "preferred (from ratings)" : "preferred") : null,
    ...votes.filter((v) => v.chosen_slot === slot)
            .map((v) => el("span", { className: "badge soft" }, `chosen by ${v.user}`)));
  const body = parsed
    ? [field("Explanation", el("div", { className: "explanation" }, parsed.explanation)),
       field("Most prominent emotion", el("span", { className: "chip" }, parsed.most_prominent_emotion)),
       field("Emotions listed", chips(parsed.multiple_emotions_present || []))]
    : [field("Unreadable answer", el("div", { className: "raw" }, response.raw || "")),
       response.error ? el("div", { className: "error" }, response.error) : null];
  const classes = ["response", state.cursor.slot === slot ? "selected" : "",
                   isPreferred ? "preferred" : ""];
  return el("article", { className: classes.filter(Boolean).join(" ") }, heading, ...body, ratingTable(slot),
    el("button", { type: "button", textContent: `Prefer ${SLOT_NAMES[slot]}`,
                   onclick: () => prefer(slot) }),
    isPreferred && state.editor ? editor() : null);
}

function annotatorPanel(votes) {
  const lines = votes.map((v) => {
    const scores = (v.ratings || []).map((r, slot) => r
      ? `${SLOT_NAMES[slot]}: overall ${r.overall ?? "–"}, correctness ${r.correctness ?? "–"}` : null)
      .filter(Boolean).join("; ");
    const fix = v.fixed ? ` — and fixed it to: “${v.fixed.explanation}” (most prominent `
      + `${v.fixed.most_prominent_emotion}; listed ${v.fixed.multiple_emotions_present.join(", ")})` : "";
    return el("li", {}, `${v.user} preferred response ${SLOT_NAMES[v.chosen_slot]}`,
              scores ? ` (${scores})` : "", fix);
  });
  return el("div", { className: "annotators" },
    el("strong", {}, "The annotators disagree; your choice settles the item:"), el("ul", {}, ...lines));
}

function render() {
  const item = state.item;
  const votes = item.annotators || [];
  const section = $("item");
  const parts = [
    el("div", { className: "meta" }, `Item ${item.id} · ${item.dataset || "unknown data set"} · ${item.example_id}`),
    el("div", { className: "text", id: "text" }, item.text),
    field("Gold labels", chips(item.gold, "gold")),
    votes.length ? annotatorPanel(votes) : null,
    el("div", { className: "responses" }, ...item.responses.map((r) => responseCard(r, votes)))];
  section.replaceChildren(...parts.filter(Boolean));
  section.hidden = false;
  $("actions").hidden = false;
  $("skip").disabled = false;
  $("save").disabled = preferred() === null;
  $("fix").disabled = preferred() === null || !item.labels || state.editor !== null;
}

// ---- keyboard ----------------------------------------------------------------------------

// Moves of the rating cursor: they only redraw.
const CURSOR_KEYS = {
  a: (c) => { c.slot = 0; }, ArrowLeft: (c) => { c.slot = 0; },
  b: (c) => { c.slot = 1; }, ArrowRight: (c) => { c.slot = 1; },
  ArrowUp: (c) => { c.dim = Math.max(0, c.dim - 1); },
  ArrowDown: (c) => { c.dim = Math.min(DIMENSIONS.length - 1, c.dim + 1); },
  ...Object.fromEntries(Object.entries(DIMENSION_KEYS).map(([k, dim]) => [k, (c) => { c.dim = dim; }])),
};

function rateKey(value) {
  const { slot, dim } = state.cursor;
  // Move on so that ten key presses rate both responses: A's five dimensions, then B's.
  if (dim < DIMENSIONS.length - 1) state.cursor = { slot, dim: dim + 1 };
  else if (slot === 0) state.cursor = { slot: 1, dim: 0 };
  rate(slot, dim, value);
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName)) {
    if (event.key === "Escape") event.target.blur(); // back to the shortcuts
    return;
  }
  // Enter or Space on a focused button presses that button, not the Enter shortcut.
  if (event.target.tagName === "BUTTON" && (event.key === "Enter" || event.key === " ")) return;
  const key = event.key;
  if (key === "Backspace") act(goBack);
  else if (!state.item) return;
  else if (Object.hasOwn(CURSOR_KEYS, key)) { CURSOR_KEYS[key](state.cursor); render(); }
  else if (/^[1-5]$/.test(key)) rateKey(Number(key));
  else if (key === "p") prefer(state.cursor.slot);
  else if (key === "f") act(openFix);
  else if (key === "Enter") act(save);
  else if (key === "s") act(skip);
  else return;
  event.preventDefault();
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  $("back").onclick = () => act(goBack);
  $("skip").onclick = () => act(skip);
  $("fix").onclick = () => act(openFix);
  $("save").onclick = () => act(save);
  document.addEventListener("keydown", onKey);
  state.token = readToken();
  if (!state.token) {
    return showMessage("Open the personal link you were given (it ends in ?token=…).", true);
  }
  try {
    await refresh();
    await showNext();
  } catch (error) {
    if (sessionStorage.getItem(TOKEN_KEY)) showMessage(`Could not load: ${error.message}`, true);
  }
}

start();
