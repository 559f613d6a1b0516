"""eva: a toolkit for building Eva, a psychological-support assistant."""

__version__ = "0.1.0"
