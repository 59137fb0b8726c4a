"""The release of this package (also in pyproject.toml), where the lowest layers can read it."""

__version__ = "0.1.0"
