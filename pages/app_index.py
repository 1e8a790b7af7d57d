"""The app's ``Dash`` class: what every page's HTML loads, and what it starts fetching first.

Dash writes each page's HTML (``interpolate_index``, which Dash documents for overriding). Here
that HTML also:

- loads the regenerator runtime in place of Dash's Babel polyfill (``pages/polyfill.py``);
- on pages that ask, loads AG Grid's library only when a grid is first shown
  (``pages/lazy_grid.py``);
- leaves out the scripts of libraries the app does not use (``pages/unused_libraries.py``);
- preloads what dash-renderer fetches first, the layout (with the page in it) and the callbacks,
  and what the requested page declares it needs at once (``pages/first_page.py``).

and it is served with an honest status: 404 where nothing is, a redirect where a council moved
(``pages/http_status.py``).
"""

from __future__ import annotations

import dash
import flask

from pages import first_page, http_status, lazy_grid, polyfill, unused_libraries
from pages.hashed_assets import cache_for_good, hashed_url


class Dash(dash.Dash):
    """``dash.Dash`` with the index described in this module."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.runtime_url = hashed_url(self, polyfill.RUNTIME)
        cache_for_good(self, self.runtime_url)
        self.lazy_grid_url = hashed_url(self, lazy_grid.SHIM)
        cache_for_good(self, self.lazy_grid_url)

    def index(self, *args, **kwargs):
        """Dash's page HTML with the page's status, or a redirect (``pages/http_status.py``)."""
        answer = http_status.answer_for(flask.request.path)
        if answer.location:
            return flask.redirect(answer.location, answer.status)
        return super().index(*args, **kwargs), answer.status

    def interpolate_index(self, **kwargs) -> str:
        """Dash's index: the runtime instead of the polyfill, AG Grid when shown, preloads."""
        scripts = polyfill.replace_polyfill(kwargs.get("scripts", ""), self.runtime_url)
        scripts = unused_libraries.leave_out(scripts)
        if lazy_grid.wants_lazy_grid(first_page.page_at(flask.request.path)):
            scripts = lazy_grid.defer_grid(scripts, self.lazy_grid_url)
        kwargs["scripts"] = scripts
        links = first_page.preload_links(self.config.requests_pathname_prefix,
                                         flask.request.path)
        kwargs["css"] = kwargs.get("css", "") + links
        return super().interpolate_index(**kwargs)
