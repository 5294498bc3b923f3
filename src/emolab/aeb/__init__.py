"""AEB, EmoLLMs' affective evaluation benchmark: its 14 tasks, runs with emolab's prompts or
the original ones, free-text answer reading, baselines, published rows and the table."""

from emolab.aeb.benchmark import AEB_TASKS, AebTask, get_aeb_tasks, stratified

__all__ = ["AEB_TASKS", "AebTask", "get_aeb_tasks", "stratified"]
