# SPDX-License-Identifier: GPL-2.0-or-later
"""Uncaught page errors (Playwright's ``page.on("pageerror")``) the browser tests allow.

A browser test fails on any uncaught error in the page except these, which come from
Jupyter's own front ends, not from the players (each reproduced on a page showing an
empty notebook, nothing of this package loaded):

- ``Canceled future for <request> message before replies were done`` (any page):
  JupyterLab's kernel connection rejects a request still waiting for its reply when the
  kernel is restarted or the page is left (the harness restarts kernels and reloads
  pages), and nothing catches that rejection.
- ``Cannot read properties of undefined (reading 'schema')`` on a Notebook 7 page
  (``/notebooks/``): thrown by Notebook 7.6's notebook_core bundle while it loads the
  settings of its plugins, on every notebook page it opens.
- ``Command 'filebrowser:open-path' not registered.`` on a Notebook 7 page: Notebook 7's
  notebook page restores the browser's JupyterLab state, which names a file-browser
  command that page does not have (it happens when JupyterLab was open before in the same
  browser profile, as the tests do).
"""

import re

# (message pattern, pattern the page's address must match; None: any page)
ALLOWED = (
    (re.compile(r"Canceled future for \w+ message before replies were done"), None),
    (re.compile(r"^Cannot read properties of undefined \(reading 'schema'\)$"),
     re.compile(r"/notebooks/")),
    (re.compile(r"^Command 'filebrowser:open-path' not registered\.$"),
     re.compile(r"/notebooks/")),
)


def allowed(message, url=""):
    """Whether an uncaught error with this message, on the page at ``url``, is allowed."""
    return any(msg.search(message) and (where is None or where.search(url or ""))
               for msg, where in ALLOWED)


def unexpected(errors, url=""):
    """The errors not on the allowlist: ``errors`` are messages (of the page at ``url``)
    or (url, message) pairs."""
    out = []
    for e in errors:
        where, message = e if isinstance(e, tuple) else (url, e)
        if not allowed(message, where):
            out.append(e)
    return out
