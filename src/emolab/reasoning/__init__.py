"""Emotional-reasoning data (EC2ER-style): persona and scenario attributes, agents that write
therapy dialogues, and the EU/EA multiple-choice items extracted from them, checked,
de-duplicated (also against EmoBench's test items), balanced and resumable."""
