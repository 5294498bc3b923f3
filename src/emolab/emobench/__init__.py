"""EmoBench (Sabour et al., ACL 2024): a runner whose figures can be trusted.

- ``items``: the questions (from the data loaders or a JSONL file in EmoBench's own format).
- ``prompts`` / ``schema``: what a model is asked, and the constrained answer on local backends.
- ``parser``: a documented, lenient reader of free-text answers ("b", "(b)", "Option B", the
  choice's own text).
- ``permutations`` / ``voting``: choice orders that cancel position bias; majority votes in
  which an unreadable answer loses to any readable one.
- ``runner``: every raw answer kept in a resumable JSONL; retries that retry the same prompt.
- ``scorer``: accuracy overall and by (sub)category, EU emotion / cause / both, position bias,
  parse failures, beside the published rows; ``official``: the same scorer on the result files
  EmoBench's authors saved.
"""
