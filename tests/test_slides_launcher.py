# SPDX-License-Identifier: GPL-2.0-or-later
"""The slides launcher and Binder's start script put the same templates on JUPYTER_PATH,
and the launcher's command line names the template asked for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mapletree_edu import slides

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(sys.platform == "win32", reason="a bash script")
def test_binder_start_puts_the_templates_on_jupyter_path():
    env = dict(os.environ, JUPYTER_PATH="/elsewhere",
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run(["bash", str(ROOT / "binder" / "start"), sys.executable, "-c",
                          "import os; print(os.environ['JUPYTER_PATH'])"],
                         env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    first, rest = out.stdout.strip().split(os.pathsep, 1)
    assert Path(first) == slides.SHARE and rest == "/elsewhere"
    assert (Path(first) / "voila" / "templates" / slides.TEMPLATE / "index.html.j2").is_file()
    assert os.access(ROOT / "binder" / "start", os.X_OK)


def test_command_names_the_template():
    cmd = slides.command("x.ipynb", port=1234, open_browser=False)
    assert f"--template={slides.TEMPLATE}" in cmd and "--no-browser" in cmd
    page = slides.command("x.ipynb", template=slides.PAGE_TEMPLATE)
    assert f"--template={slides.PAGE_TEMPLATE}" in page and "--no-browser" not in page


def test_launcher_rejects_a_missing_notebook(capsys):
    from mapletree_edu.slides.__main__ import main
    with pytest.raises(SystemExit) as exc:
        main(["no-such-notebook.ipynb"])
    assert exc.value.code == 2
    assert "no such notebook: no-such-notebook.ipynb" in capsys.readouterr().err
