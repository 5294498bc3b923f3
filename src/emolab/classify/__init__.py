"""Classify and explain: prompts, lenient parsing + validation, and a resumable runner."""

from emolab.classify.parsing import FAILURE_KINDS, ParseResult, parse_answer
from emolab.classify.prompts import DEFAULT_PROMPT_VERSION, PromptTemplate, load_prompt
from emolab.classify.runner import Candidate, Classifier, Result
from emolab.classify.store import PredictionsFile

__all__ = ["DEFAULT_PROMPT_VERSION", "FAILURE_KINDS", "Candidate", "Classifier",
           "ParseResult", "PredictionsFile", "PromptTemplate", "Result", "load_prompt",
           "parse_answer"]
