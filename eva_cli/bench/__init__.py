"""Benchmarks behind `eva bench`: training speed (train_bench) and serving speed.

Modules stay import-light: torch, transformers and trl are imported inside functions.
"""
