"""Peer tools (copydetect, Dolos, symilar, jscpd) for the accuracy benchmark: see README.md."""
