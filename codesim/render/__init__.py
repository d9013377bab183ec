"""Renderers: turn report models into terminal text, JSON, HTML, SARIF and CSV.

A renderer reads only ``codesim.results`` models; it never reads source files, runs the
pipeline or decides exit codes.
"""
