"""Preference data: candidate pairs, the correctness filter, annotation, agreement, export."""
