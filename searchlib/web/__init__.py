"""``searchlib serve``: a search page and a JSON API over one shared :class:`searchlib.Index`.

Needs the ``web`` extra (``pip install 'searchlib[web]'``: Starlette, uvicorn, Jinja2). Only
this package and the ``serve`` command import those, so ``import searchlib`` stays light.
The web layer calls searchlib's public API only.
"""

from searchlib.web.app import create_app

__all__ = ["create_app"]
