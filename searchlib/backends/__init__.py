"""Storage backends behind searchlib's one interface (:mod:`searchlib.backends.base`).

A config names its backend (``backend: whoosh`` or ``backend: sphinxql``); this registry maps
that name to the class that creates and opens indexes of that kind. A backend's package is
imported only when an index of its kind is created or opened, so the embedded path never
loads the cluster client and the other way round. Adding a backend is one line here and a
class implementing :class:`searchlib.backends.base.BackendType`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from searchlib.backends.base import BackendType

__all__ = ["BACKENDS", "backend_type"]

#: Backend name (the config's ``backend:``) -> ``module:class`` of its BackendType.
BACKENDS: dict[str, str] = {
    "whoosh": "searchlib.backends.embedded.lifecycle:EmbeddedBackend",
    "sphinxql": "searchlib.backends.sphinxql.lifecycle:ClusterBackend",
}


def backend_type(name: str) -> BackendType:
    """The backend registered as ``name`` (config validation has already checked it)."""
    try:
        target = BACKENDS[name]
    except KeyError:
        raise KeyError(f"no backend named {name!r}; known: {', '.join(BACKENDS)}") from None
    module, _, attr = target.partition(":")
    kind: BackendType = getattr(importlib.import_module(module), attr)
    return kind
