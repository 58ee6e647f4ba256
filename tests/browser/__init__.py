# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-browser tests (JupyterLab and Voila through Playwright and Debian Chromium)."""
