"""ORPO fine-tuning (`eva train`), its report (`eva report`) and adapter merging (`eva merge`).

Modules stay import-light: torch, transformers and trl are imported inside functions.
"""
