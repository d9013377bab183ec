"""Candidate search and the persistent index of projects, one module each, imported on its own
(``cross`` and ``compare`` use the search and the fingerprinting of units, never a store).

``exact.ExactIndex`` finds candidate documents for one-off comparisons.  ``store.Store`` is the
protocol of the persistent backends: ``sqlite.SqliteStore``, and ``redis_store.RedisStore``,
which needs the optional ``redis`` package.  ``prepare.file_record`` turns a normalized file
into what a store keeps (``records``); ``minhash`` and ``bands`` sign units and band them.
"""
