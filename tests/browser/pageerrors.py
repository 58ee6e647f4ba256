# SPDX-License-Identifier: GPL-2.0-or-later
"""Uncaught page errors (Playwright's ``page.on("pageerror")``) the browser tests allow.

A browser test fails on any uncaught error in the page except these, which come from
JupyterLab itself, not from the players:

- ``Canceled future for <request> message before replies were done``: JupyterLab's
  kernel connection rejects a request still waiting for its reply when the kernel is
  restarted or the page is left (the harness restarts kernels and reloads pages), and
  nothing catches that rejection.
"""

import re

ALLOWED = (
    re.compile(r"Canceled future for \w+ message before replies were done"),
)


def unexpected(errors):
    """The errors not on the allowlist."""
    return [e for e in errors if not any(a.search(e) for a in ALLOWED)]
