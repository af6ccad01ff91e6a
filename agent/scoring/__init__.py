"""Scoring against gold: evaluator functions per field family (``evaluate``) and the eval runner (``evalrun``)."""
