"""Multi-task instruction data for emolab's own tuned model (`emolab instruct build`)."""
