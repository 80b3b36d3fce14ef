"""The SphinxQL backend: searchlib's analysis and snippets over a Sphinx 2.2 / Manticore cluster.

Imported only when a config says ``backend: sphinxql``; the embedded path never loads it.
"""
