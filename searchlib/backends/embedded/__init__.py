"""The embedded storage backend: a Whoosh index on local disk.

Nothing outside this package imports ``whoosh`` except the analysis filters, so the rest of
searchlib does not depend on Whoosh's (unmaintained) API.
"""
