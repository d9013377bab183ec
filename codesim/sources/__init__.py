"""Source discovery: find the files under an input path and read them safely.

``discover`` walks a file or folder, honours ``.gitignore``, tells each file's language by its
extension or ``#!`` line, and reads it in whatever encoding it was saved in.  Files it will not
compare (binary, too large, generated, unreadable, behind a symbolic link leading out of the
input, malformed notebooks) are returned as ``SkippedFile`` records with a reason, never raised.
A Jupyter notebook is read as the Python text of its code cells (``notebooks``).

``discover`` is in ``walk``, its records in ``model``.  Git lives in ``git`` (running it,
checking a commit out) and ``history`` (when each line was written); fetching inputs
(git URLs, archives) in ``remote``.  The package re-exports nothing, so that resolving the
inputs (``remote``), which every command does first, does not import discovery with it.
"""
