# SPDX-License-Identifier: GPL-2.0-or-later
"""Developer tools built on one walker: the dump record, mt_validate and mt_dump."""
