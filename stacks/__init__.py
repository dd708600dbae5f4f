"""Per-environment composition of the components; `__main__.py` picks one by stack name."""

ENVIRONMENTS = ("dev", "staging", "prod")
"""The environment modules in this package; a stack runs one of them."""
