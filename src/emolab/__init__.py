"""emolab: emotion analysis with language models that explain themselves."""

__version__ = "0.1.0"
