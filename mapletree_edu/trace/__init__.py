# SPDX-License-Identifier: GPL-2.0-or-later
"""Recording operations as immutable lists of steps (the only link from the model to the views)."""

from .recorder import Recorder, record
from .step import NodeView, Step, TreeView

__all__ = ["Recorder", "record", "Step", "TreeView", "NodeView"]
