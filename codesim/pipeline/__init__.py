"""The one place that knows the order of the stages, in two halves.

sources -> normalize -> units -> fingerprint (``reading``: one side at a time) -> index
(candidates) -> align -> report models (``comparing``).  ``cross``, ``indexing``, ``repos`` and
``artifacts`` run them for the commands; ``forking`` and ``parallel`` share work between
processes; ``limits`` holds the run's limits.

The package re-exports nothing, so that importing one of its light modules (``forking``,
``limits``) does not import the stages.
"""
