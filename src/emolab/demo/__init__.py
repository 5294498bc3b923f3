"""``emolab demo``: zero-shot answers, preference pairs, ORPO, answers again, a table."""
