"""Import paths pickled into the table of contents of indexes written in format 4 or older.

Whoosh pickles each segment (with its codec) and the schema (with its field formats) into
the table of contents; unpickling looks the classes up by these module paths. Each module
here re-exports one class from the embedded backend and holds nothing else. Every pickled
class path, old and new, is listed in :mod:`searchlib.backends.embedded.pickled`.
"""
