"""Evaluation: metric functions, predictions files, and the reports built from them."""
