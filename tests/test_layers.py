# SPDX-License-Identifier: GPL-2.0-or-later
"""The model layers never import the view libraries.

mapletree_edu.core (the model) <- debug <- facade (tree.py, replay) / trace: none of
them may load graphviz, ipywidgets or matplotlib. Checked in a fresh interpreter so
that nothing imported by other tests hides an import.
"""

import json
import subprocess
import sys

import pytest

VIEW_LIBRARIES = ("graphviz", "ipywidgets", "matplotlib")
MODEL_MODULES = ("mapletree_edu", "mapletree_edu.core", "mapletree_edu.tree",
                 "mapletree_edu.trace", "mapletree_edu.debug", "mapletree_edu.replay",
                 "mapletree_edu.debug.record", "mapletree_edu.debug.walker")
OPTIONAL = ("mapletree_edu.debug.validate", "mapletree_edu.debug.dump")

PROBE = """
import importlib, importlib.util, json, sys
mods = json.loads(sys.argv[1])
optional = json.loads(sys.argv[2])
for name in mods + [m for m in optional if importlib.util.find_spec(m) is not None]:
    importlib.import_module(name)
# use the model a little, so that lazy imports inside it happen too
from mapletree_edu import MapleTree
from mapletree_edu.trace import record
t = MapleTree()
with record(t, "store") as rec:
    for i in range(40):
        t.store(i * 10, i * 10 + 5, i)
t.to_record()
for name in optional:
    if importlib.util.find_spec(name) is not None:
        t.validate() if name.endswith("validate") else t.dump()
t.dup()
view = sorted(m for m in sys.modules if m.split(".")[0] in json.loads(sys.argv[3]))
print(json.dumps(view))
"""


@pytest.mark.parametrize("modules", [MODEL_MODULES] + [(m,) for m in MODEL_MODULES[:5]],
                         ids=["all"] + list(MODEL_MODULES[:5]))
def test_model_imports_no_view_library(modules):
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(modules)),
                           json.dumps(list(OPTIONAL)), json.dumps(list(VIEW_LIBRARIES))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded == [], f"importing {modules} loaded {loaded}"


def test_probe_detects_a_view_import():
    """The check can fail: importing a view library directly is seen."""
    code = PROBE.replace("mods = json.loads(sys.argv[1])",
                         "mods = json.loads(sys.argv[1]) + ['json', 'graphviz']")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(["mapletree_edu"]),
                           json.dumps([]), json.dumps(list(VIEW_LIBRARIES))],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "No module named 'graphviz'" in proc.stderr:
        pytest.skip("graphviz (the Python package) is not installed")
    assert proc.returncode == 0, proc.stderr
    assert "graphviz" in json.loads(proc.stdout.strip().splitlines()[-1])
