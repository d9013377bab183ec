"""End-to-end benchmarks of codesim: throughput and the whole standard library (see README.md)."""
