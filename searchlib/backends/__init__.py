"""Storage backends behind searchlib's one interface (:mod:`searchlib.backends.base`)."""
