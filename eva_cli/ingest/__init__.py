"""`eva ingest`: public counseling corpora -> one normalized examples table.

readers (files, folders, zips, save_to_disk, encodings) -> detect (which format) ->
adapters/<format> (records -> candidates) -> clean (HTML, PII, spacing) -> split (by group)
-> pipeline.run_ingest (accounting, dedup, atomic writes).
"""

from eva_cli.ingest.pipeline import IngestOptions, IngestResult, SourceReport, run_ingest

__all__ = ["IngestOptions", "IngestResult", "SourceReport", "run_ingest"]
