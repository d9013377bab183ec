"""Renderers: turn report models into text, JSON (and later HTML, SARIF, CSV).

A renderer reads only ``codesim.results`` models; it never reads source files, runs the
pipeline or decides exit codes.
"""
