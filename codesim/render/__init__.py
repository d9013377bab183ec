"""Renderers: turn report models into terminal text, JSON, HTML, SARIF and CSV.

A renderer reads only ``codesim.results`` models; it never reads source files, runs the
pipeline or decides exit codes.
"""

DEFAULT_TOP_PAIRS = 3
"""Pairs the terminal text shows in detail (fragments and identifier map) below the table; here
rather than in ``text`` so that the command line's defaults do not import the toolkit."""
