"""The HTTP status of a page's address: 404 where nothing is, a redirect where a council moved.

Dash answers every address with the same page HTML and status 200, and works out in the browser
what is there. A link checker, a researcher's script or a search engine then sees
``/council/nowhere`` or ``/no-such-page`` as a working page. Here the page HTML keeps its status
honest (``pages/app_index.py`` asks :func:`answer_for` before serving it):

- an address no page has: **404**, with the app's not-found page (``pages/not_found_404.py``);
- a page whose subject does not exist (an unknown council, innovation or organisation): **404**,
  with that page's own not-found text and suggestions;
- a council profile asked for by an old code, a district, a name or a lower-case code: **302**
  to the council's current address (the profile says what was asked for and why it landed here).

A page declares its check with ``dash.register_page(..., http_status=check)``: ``check`` takes
the page's path variables and returns an :class:`Answer`. Pages without one are always 200. If
a check fails (say the database is down), the failure is logged and the page is served as 200:
laying it out meets the same failure, which the page then reports as it always did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import dash

from pages.first_page import page_and_variables

LOG = logging.getLogger(__name__)

#: The page key: ``dash.register_page(..., http_status=check)``.
PAGE_KEY = "http_status"
OK = 200
FOUND_ELSEWHERE = 302  # temporary: what a name or an old code resolves to may change
NOT_FOUND = 404


@dataclass(frozen=True)
class Answer:
    """How the server answers a page's address: a status, and where to go for a redirect."""

    status: int = OK
    location: str = ""


#: The page is there.
SERVED = Answer()
#: The page's subject is not there (the page's HTML is still served: it explains and suggests).
MISSING = Answer(NOT_FOUND)

#: A page's check: its path variables in, an :class:`Answer` out.
Check = Callable[..., Answer]


def moved_to(path: str) -> Answer:
    """Return a redirect to ``path`` (relative to the app's root, e.g. ``/council/E06000065``)."""
    return Answer(FOUND_ELSEWHERE, dash.get_relative_path(path))


def answer_for(path: str) -> Answer:
    """Return how the server should answer a request for the page at ``path``."""
    page, variables = page_and_variables(path)
    if not page:
        return MISSING
    check: Check | None = page.get(PAGE_KEY)
    if check is None:
        return SERVED
    try:
        return check(**(variables or {}))
    except Exception:  # noqa: BLE001 - logged; the page reports the same failure when laid out
        LOG.exception("could not work out the status of %s", path)
        return SERVED
