"""Artifacts that are not code (configs, tokenizers, checkpoints, predictions) as evidence of
copying; see ``base`` for what a comparison returns."""

from codesim.artifacts.base import ArtifactComparison, ArtifactKind

__all__ = ["ArtifactComparison", "ArtifactKind"]
