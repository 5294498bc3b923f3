"""The project's SQLite file: items, their two candidate responses, annotators, ratings,
choices and final decisions.

WAL mode and one short transaction per write: a rating is committed the moment it is given,
two annotators can work at once, and a killed server or generator loses nothing that was
saved. Tokens are stored as SHA-256 hashes; the token itself is shown once, in the link.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emolab.errors import EmolabError
from emolab.preference.migrations import MIGRATIONS

DB_NAME = "pairs.sqlite"
DIMENSIONS = ("correctness", "clarity", "helpfulness", "verbosity", "overall")
ROLES = ("annotator", "adjudicator", "judge")
ANNOTATORS_PER_ITEM = 2


@dataclass(frozen=True)
class Response:
    slot: int
    raw: str
    parsed: dict[str, Any] | None
    error: str | None
    correct: bool
    rationalized: bool = False
    model: str | None = None
    backend: str | None = None
    sampling: dict[str, Any] | None = None


@dataclass(frozen=True)
class Item:
    id: int
    example_id: str
    dataset: str | None
    text: str
    gold: list[str]
    messages: list[dict[str, str]]
    status: str
    responses: tuple[Response, ...] = ()


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PairStore:
    def __init__(self, project: str | Path, *, create: bool = False) -> None:
        self.project = Path(project)
        self.path = self.project / DB_NAME
        if not self.path.exists():
            if not create:
                raise EmolabError(f"{self.project} is not an emolab pairs project (no {DB_NAME}); "
                                  "create it with `emolab pairs generate --out PROJECT`")
            self.project.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    # ---- plumbing ---------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise EmolabError(f"{self.path} was written by a newer emolab (schema {version})")
        for number in range(version, len(MIGRATIONS)):
            # One script per migration, inside one transaction with the version bump.
            try:
                self.db.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; "
                                      f"PRAGMA user_version = {number + 1}; COMMIT;")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> PairStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        (key, json.dumps(value)))

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    # ---- items ------------------------------------------------------------------------------

    def add_item(self, *, example_id: str, dataset: str | None, text: str, gold: list[str],
                 messages: list[dict[str, str]], status: str, responses: list[Response]) -> int:
        """Store one generated item with its responses, atomically (all or nothing)."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO items (example_id, dataset, text, gold, messages, status) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (example_id, dataset, text, json.dumps(gold), json.dumps(messages), status))
            item_id = cursor.lastrowid
            for r in responses:
                db.execute(
                    "INSERT INTO responses (item_id, slot, raw, parsed, error, correct, "
                    "rationalized, model, backend, sampling) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (item_id, r.slot, r.raw, None if r.parsed is None else json.dumps(r.parsed),
                     r.error, int(r.correct), int(r.rationalized), r.model, r.backend,
                     None if r.sampling is None else json.dumps(r.sampling)))
        return int(item_id)

    def done_example_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT example_id FROM items")}

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("kept", "rationalized", "dropped"), 0)
        for status, n in self.db.execute("SELECT status, COUNT(*) FROM items GROUP BY status"):
            counts[status] = n
        return counts

    def _item(self, row: sqlite3.Row) -> Item:
        responses = tuple(
            Response(slot=r["slot"], raw=r["raw"],
                     parsed=None if r["parsed"] is None else json.loads(r["parsed"]),
                     error=r["error"], correct=bool(r["correct"]),
                     rationalized=bool(r["rationalized"]), model=r["model"],
                     backend=r["backend"],
                     sampling=None if r["sampling"] is None else json.loads(r["sampling"]))
            for r in self.db.execute("SELECT * FROM responses WHERE item_id = ? ORDER BY slot",
                                     (row["id"],)))
        return Item(id=row["id"], example_id=row["example_id"], dataset=row["dataset"],
                    text=row["text"], gold=json.loads(row["gold"]),
                    messages=json.loads(row["messages"]), status=row["status"],
                    responses=responses)

    def item(self, item_id: int) -> Item | None:
        row = self.db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else self._item(row)

    def items(self, *, pairs_only: bool = True) -> list[Item]:
        """Items in id order; ``pairs_only`` leaves out the dropped ones."""
        where = "WHERE status != 'dropped'" if pairs_only else ""
        return [self._item(r) for r in self.db.execute(f"SELECT * FROM items {where} ORDER BY id")]

    # ---- people -----------------------------------------------------------------------------

    def add_user(self, name: str, role: str) -> str:
        """Create a user and return their personal token (shown once, stored hashed)."""
        if role not in ROLES:
            raise EmolabError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        token = secrets.token_urlsafe(24)
        try:
            self.db.execute("INSERT INTO users (name, role, token_hash) VALUES (?, ?, ?)",
                            (name, role, hash_token(token)))
        except sqlite3.IntegrityError:
            raise EmolabError(f"a user named {name!r} already exists") from None
        return token

    def user_by_token(self, token: str) -> User | None:
        row = self.db.execute("SELECT id, name, role FROM users WHERE token_hash = ?",
                              (hash_token(token),)).fetchone()
        return None if row is None else User(row["id"], row["name"], row["role"])

    def judge(self, name: str) -> User:
        """The pseudo-user under whose name an automatic judge's ratings are stored."""
        row = self.db.execute("SELECT id, name, role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            self.db.execute("INSERT INTO users (name, role) VALUES (?, 'judge')", (name,))
            row = self.db.execute("SELECT id, name, role FROM users WHERE name = ?",
                                  (name,)).fetchone()
        return User(row["id"], row["name"], row["role"])

    def users(self) -> list[User]:
        return [User(r["id"], r["name"], r["role"])
                for r in self.db.execute("SELECT id, name, role FROM users ORDER BY id")]

    # ---- ratings and choices ----------------------------------------------------------------

    def save_rating(self, item_id: int, user_id: int, slot: int, scores: dict[str, int]) -> None:
        unknown = set(scores) - set(DIMENSIONS)
        if unknown:
            raise EmolabError(f"unknown rating dimension(s): {', '.join(sorted(unknown))}")
        for name, value in scores.items():
            if not isinstance(value, int) or not 1 <= value <= 5:
                raise EmolabError(f"rating {name} must be an integer from 1 to 5, got {value!r}")
        columns = ", ".join(scores)
        updates = ", ".join(f"{c} = excluded.{c}" for c in scores)
        self.db.execute(
            f"INSERT INTO ratings (item_id, user_id, slot, {columns}) "
            f"VALUES (?, ?, ?, {', '.join('?' * len(scores))}) "
            f"ON CONFLICT (item_id, user_id, slot) DO UPDATE SET {updates}, "
            "updated_at = datetime('now')",
            (item_id, user_id, slot, *scores.values()))

    def ratings(self, item_id: int, user_id: int) -> dict[int, dict[str, int | None]]:
        """One user's ratings of an item's responses, by slot."""
        rows = self.db.execute("SELECT * FROM ratings WHERE item_id = ? AND user_id = ?",
                               (item_id, user_id))
        return {r["slot"]: {d: r[d] for d in DIMENSIONS} for r in rows}

    def all_ratings(self) -> list[dict[str, Any]]:
        """Every rating with its rater's name and role (for agreement and export)."""
        return [dict(r) for r in self.db.execute(
            "SELECT ratings.*, users.name AS user, users.role AS role FROM ratings "
            "JOIN users ON users.id = ratings.user_id ORDER BY item_id, user_id, slot")]

    def save_choice(self, item_id: int, user: User, chosen_slot: int | None,
                    fixed: dict[str, Any] | None = None) -> None:
        """Record a preference (None = skipped) and settle the item when that is now possible."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO choices (item_id, user_id, chosen_slot, fixed) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (item_id, user_id) DO UPDATE SET chosen_slot = excluded.chosen_slot, "
                "fixed = excluded.fixed, updated_at = datetime('now')",
                (item_id, user.id, chosen_slot, None if fixed is None else json.dumps(fixed)))
            if user.role == "adjudicator" and chosen_slot is not None:
                self._decide(item_id, chosen_slot, "adjudicator", user.name, fixed,
                             "adjudicator settled a disagreement")
            elif user.role == "annotator":
                self._settle_if_agreed(item_id)

    def choice(self, item_id: int, user_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM choices WHERE item_id = ? AND user_id = ?",
                              (item_id, user_id)).fetchone()
        if row is None:
            return None
        return {"chosen_slot": row["chosen_slot"],
                "fixed": None if row["fixed"] is None else json.loads(row["fixed"])}

    def annotator_choices(self, item_id: int) -> list[dict[str, Any]]:
        return [{"user": r["name"], "chosen_slot": r["chosen_slot"],
                 "fixed": None if r["fixed"] is None else json.loads(r["fixed"]),
                 "updated_at": r["updated_at"]}
                for r in self.db.execute(
                    "SELECT choices.*, users.name FROM choices JOIN users ON users.id = user_id "
                    "WHERE item_id = ? AND users.role = 'annotator' AND chosen_slot IS NOT NULL "
                    "ORDER BY choices.updated_at", (item_id,))]

    def _settle_if_agreed(self, item_id: int) -> None:
        votes = self.annotator_choices(item_id)
        if len(votes) < ANNOTATORS_PER_ITEM:
            return
        slots = {v["chosen_slot"] for v in votes}
        if len(slots) == 1:
            fixes = [v for v in votes if v["fixed"] is not None]
            fixed = fixes[-1]["fixed"] if fixes else None  # the latest fix of the agreed answer
            rule = "annotators agreed" + ("; the latest fix is kept" if len(fixes) > 1 else "")
            self._decide(item_id, slots.pop(), "human-agreement",
                         ", ".join(v["user"] for v in votes), fixed, rule)
        else:  # disagreement: no decision until an adjudicator chooses
            self.db.execute("DELETE FROM decisions WHERE item_id = ? AND source = "
                            "'human-agreement'", (item_id,))

    def _decide(self, item_id: int, slot: int, source: str, by: str | None,
                fixed: dict[str, Any] | None, rule: str) -> None:
        self.db.execute(
            "INSERT INTO decisions (item_id, chosen_slot, source, decided_by, fixed, rule) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET "
            "chosen_slot = excluded.chosen_slot, source = excluded.source, "
            "decided_by = excluded.decided_by, fixed = excluded.fixed, rule = excluded.rule, "
            "updated_at = datetime('now')",
            (item_id, slot, source, by, None if fixed is None else json.dumps(fixed), rule))

    def decide(self, item_id: int, slot: int, *, source: str, rule: str,
               by: str | None = None, fixed: dict[str, Any] | None = None) -> None:
        """Record an automatic decision (a human decision, once made, is never overwritten)."""
        with self.transaction():
            current = self.decision(item_id)
            if current and not current["source"].startswith("auto"):
                return
            self._decide(item_id, slot, source, by, fixed, rule)

    def decision(self, item_id: int) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM decisions WHERE item_id = ?", (item_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out["fixed"] = None if row["fixed"] is None else json.loads(row["fixed"])
        return out

    # ---- queues -----------------------------------------------------------------------------

    def queue(self, user: User) -> list[int]:
        """Item ids waiting for ``user``, in order.

        Annotators: items they have not answered that fewer than two annotators have answered.
        Adjudicators: items where two annotators chose different responses and no adjudicator
        has decided yet.
        """
        if user.role == "adjudicator":
            rows = self.db.execute(
                "SELECT c.item_id FROM choices c JOIN users u ON u.id = c.user_id "
                "WHERE u.role = 'annotator' AND c.chosen_slot IS NOT NULL GROUP BY c.item_id "
                "HAVING COUNT(DISTINCT c.chosen_slot) > 1 AND c.item_id NOT IN "
                "(SELECT item_id FROM decisions WHERE source = 'adjudicator') ORDER BY c.item_id")
            return [r[0] for r in rows]
        rows = self.db.execute(
            "SELECT i.id FROM items i WHERE i.status != 'dropped' AND i.id NOT IN "
            "(SELECT item_id FROM choices WHERE user_id = ?) AND (SELECT COUNT(*) FROM choices c "
            "JOIN users u ON u.id = c.user_id WHERE c.item_id = i.id AND u.role = 'annotator' "
            "AND c.chosen_slot IS NOT NULL) < ? ORDER BY i.id", (user.id, ANNOTATORS_PER_ITEM))
        return [r[0] for r in rows]

    def answered(self, user: User) -> list[int]:
        """Item ids ``user`` has answered or skipped, oldest first (for "back")."""
        return [r[0] for r in self.db.execute(
            "SELECT item_id FROM choices WHERE user_id = ? ORDER BY updated_at, item_id",
            (user.id,))]
