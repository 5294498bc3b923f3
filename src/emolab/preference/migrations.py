"""The project database schema, as numbered migrations (``PRAGMA user_version`` is the number
of migrations applied). Never edit a released migration; append a new one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: items, their two responses, people, ratings, choices and final decisions
    """
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        example_id TEXT NOT NULL UNIQUE,
        dataset TEXT,
        text TEXT NOT NULL,
        gold TEXT NOT NULL,                -- JSON list of gold labels
        messages TEXT NOT NULL,            -- JSON chat messages that produced the responses
        status TEXT NOT NULL CHECK (status IN ('kept', 'rationalized', 'dropped')),
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE responses (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items(id),
        slot INTEGER NOT NULL CHECK (slot IN (0, 1)),
        raw TEXT NOT NULL,
        parsed TEXT,                       -- JSON answer object, NULL when unreadable
        error TEXT,
        correct INTEGER NOT NULL,
        rationalized INTEGER NOT NULL DEFAULT 0,
        model TEXT, backend TEXT, sampling TEXT,
        UNIQUE (item_id, slot)
    );
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('annotator', 'adjudicator', 'judge')),
        token_hash TEXT UNIQUE,            -- sha256 of the personal token; the token is not kept
        created_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE ratings (
        item_id INTEGER NOT NULL REFERENCES items(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        slot INTEGER NOT NULL CHECK (slot IN (0, 1)),
        correctness INTEGER CHECK (correctness BETWEEN 1 AND 5),
        clarity INTEGER CHECK (clarity BETWEEN 1 AND 5),
        helpfulness INTEGER CHECK (helpfulness BETWEEN 1 AND 5),
        verbosity INTEGER CHECK (verbosity BETWEEN 1 AND 5),
        overall INTEGER CHECK (overall BETWEEN 1 AND 5),
        updated_at TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (item_id, user_id, slot)
    );
    CREATE TABLE choices (
        item_id INTEGER NOT NULL REFERENCES items(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        chosen_slot INTEGER CHECK (chosen_slot IN (0, 1)),  -- NULL: skipped
        fixed TEXT,                        -- JSON answer the annotator corrected, or NULL
        updated_at TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (item_id, user_id)
    );
    CREATE TABLE decisions (
        item_id INTEGER PRIMARY KEY REFERENCES items(id),
        chosen_slot INTEGER NOT NULL CHECK (chosen_slot IN (0, 1)),
        source TEXT NOT NULL,              -- human-agreement, adjudicator, auto-correct, ...
        decided_by TEXT,
        fixed TEXT,                        -- JSON corrected chosen answer, or NULL
        rule TEXT,                         -- how a tie or conflict was settled
        updated_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]
