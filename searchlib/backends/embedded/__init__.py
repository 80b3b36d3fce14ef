"""The embedded storage backend: a Whoosh index on local disk.

Nothing outside this package imports ``whoosh`` (``searchlib._whoosh`` only re-exports class
paths from here), so the rest of searchlib does not depend on Whoosh's (unmaintained) API.
searchlib's analyzers reach Whoosh fields through ``analyzers.FieldAnalyzer``.
"""
