"""The repo-pair accuracy benchmark: derived and independent repo pairs, and their runner.

See ``README.md`` in this folder.
"""
