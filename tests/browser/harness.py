# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-browser harness: JupyterLab (or Voila) on 127.0.0.1 plus Debian Chromium driven by
Python Playwright (sync API). The lessons' browser tests reuse it.

- :class:`Server` starts ``jupyter lab`` or ``voila`` from this virtualenv on a free port
  of 127.0.0.1 in a temporary root directory. Authentication is off ONLY for this test
  server (it listens on the loopback address and lives for one test module). JupyterLab
  gets its own settings and workspace directories with the news/update toast silenced.
  Teardown: SIGTERM, then SIGKILL after a timeout, and the same for any kernel the server
  started (found by process id under the server, never by name).
- :func:`launch_chromium` starts ``/usr/bin/chromium`` (never a downloaded browser) with a
  fresh user-data-dir, and collects every uncaught page error into ``PAGE_ERRORS``
  (a test fails on one not allowed by ``pageerrors.py``: see conftest.py).
- :class:`LabPage` opens a notebook, restarts the kernel and runs all cells through the
  real menus, waits for the kernel to go idle, collects error outputs and saves
  screenshots to ``tests/browser/out/``.

JupyterLab 4 gives off-screen cells ``content-visibility: auto``: wait with
``state="attached"`` and scroll into view before reading or clicking.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
FIXTURES = HERE / "fixtures"
VENV_BIN = Path(sys.executable).parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
RESTART_BUTTON = "^(Confirm Kernel Restart|Restart)$"
NEWS_SETTINGS = {"checkForUpdates": False, "fetchNews": "false"}
# A JavaScript function (svg) => the diagram's smallest text on screen in CSS px: each
# <text>'s font size times the scale the SVG is drawn at (any page scaling included); the
# fading copies of changed slot labels during a move (.mt-old-label) are left out.
SVG_MIN_TEXT_PX = """(svg) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  let min = Infinity;
  for (const t of svg.querySelectorAll('text')) {
    if (t.closest('.mt-old-label')) continue;
    const v = parseFloat(t.getAttribute('font-size'));
    if (v > 0) min = Math.min(min, v * scale);
  }
  return min;
}"""
ERROR_SELECTOR = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
                  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
                  ".jp-RenderedText[data-mime-type=\"application/vnd.jupyter.error\"]")


# --- what is installed -----------------------------------------------------------------

def chromium_path():
    """Debian's chromium, or None."""
    for cand in (shutil.which("chromium"), "/usr/bin/chromium"):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def missing_tools(voila=False):
    """Why browser tests cannot run here (empty when they can)."""
    why = []
    if chromium_path() is None:
        why.append("Debian chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        why.append("Python playwright is not installed (pip install playwright)")
    if not (VENV_BIN / "jupyter-lab").exists():
        why.append(f"jupyter-lab is not in {VENV_BIN}")
    if voila and not (VENV_BIN / "voila").exists():
        why.append(f"voila is not in {VENV_BIN}")
    return "; ".join(why)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- processes ---------------------------------------------------------------------------

def _children(pid):
    """Process ids started by pid, recursively (read from /proc)."""
    out = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        kids = []
        for t in tasks:
            try:
                kids += [int(x) for x in (t / "children").read_text().split()]
            except OSError:
                pass
    except OSError:
        return out
    for k in kids:
        out.append(k)
        out.extend(_children(k))
    return out


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


def _signal_alive(pids, sig):
    for pid in pids:
        if _alive(pid):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def _stop_pids(pids, timeout):
    _signal_alive(pids, signal.SIGTERM)
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(_alive(p) for p in pids):
        time.sleep(0.1)
    _signal_alive(pids, signal.SIGKILL)


class Server:
    """A jupyter lab or voila server for one test module.

    ``kind``: "lab" or "voila"; ``root``: the directory it serves (copy the notebooks
    under test there first); ``notebook``: for voila, the notebook it serves at ``/``.
    """

    def __init__(self, kind, root, notebook=None, timeout=90):
        self.kind, self.root, self.notebook = kind, Path(root), notebook
        self.timeout = timeout
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log_path = self.root.parent / f"{kind}-{self.port}.log"
        self.started_in = None

    def command(self):
        if self.kind == "lab":
            state = self.root.parent / "lab-state"
            settings = state / "user-settings" / "@jupyterlab" / "apputils-extension"
            settings.mkdir(parents=True, exist_ok=True)
            (settings / "notification.jupyterlab-settings").write_text(json.dumps(NEWS_SETTINGS))
            return [str(VENV_BIN / "jupyter-lab"), "--no-browser",
                    "--ServerApp.token=", "--ServerApp.password=",
                    "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                    "--ServerApp.port_retries=0", f"--ServerApp.root_dir={self.root}",
                    "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
                    f"--LabApp.user_settings_dir={state / 'user-settings'}",
                    f"--LabApp.workspaces_dir={state / 'workspaces'}",
                    "--allow-root"]
        if self.kind == "voila":
            return [str(VENV_BIN / "voila"), str(self.root / self.notebook), "--no-browser",
                    f"--port={self.port}", "--Voila.ip=127.0.0.1",
                    "--VoilaConfiguration.show_tracebacks=True"]
        raise ValueError(f"unknown server kind {self.kind!r}")

    def start(self):
        env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1",
                   JUPYTER_RUNTIME_DIR=str(self.root.parent / "runtime"))
        t0 = time.monotonic()
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        url = self.base + ("/api/status" if self.kind == "lab" else "/")
        end = t0 + self.timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            if self._ready(url):
                self.started_in = time.monotonic() - t0
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer {url} within {self.timeout} s:\n"
                           + self.log_tail())

    def _ready(self, url):
        if self.kind == "voila":      # GET / would start a kernel: only probe the port
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return "Voil" in self.log_path.read_text(errors="replace")
            except OSError:
                return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout=10):
        """SIGTERM the server (it may ignore the first one), then SIGKILL; then the
        kernels it started, by their process ids."""
        if self.proc is None:
            return
        pid = self.proc.pid
        kids = _children(pid)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout / 2)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout / 2)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        _stop_pids([k for k in kids if _alive(k)], timeout=5)
        self._log.close()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- the browser ---------------------------------------------------------------------------

def copy_root(tmp_path_factory, name, notebooks):
    """A temporary root directory holding copies of the given notebooks."""
    root = tmp_path_factory.mktemp(name) / "root"
    root.mkdir()
    for nb in notebooks:
        shutil.copy(nb, root / nb.name)
    return root


# Every uncaught error of every page of a context made by launch_chromium, as (page url,
# message), in order; tests/browser/conftest.py fails the test during which one not on
# the allowlist (pageerrors.py) was raised.
PAGE_ERRORS = []


def watch_page_errors(page, into=None):
    """Collect the page's uncaught errors (Playwright's "pageerror") into PAGE_ERRORS and,
    when given, the list ``into`` (messages only)."""
    def on_error(err):
        PAGE_ERRORS.append((page.url, str(err)))
        if into is not None:
            into.append(str(err))
    page.on("pageerror", on_error)


def launch_chromium(playwright, user_data_dir, viewport=(1400, 1000)):
    """A persistent context of Debian chromium with a fresh profile directory; the
    uncaught errors of its pages go to PAGE_ERRORS."""
    ctx = playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=chromium_path(), headless=True,
        args=CHROMIUM_FLAGS, viewport={"width": viewport[0], "height": viewport[1]})
    for page in ctx.pages:
        watch_page_errors(page)
    ctx.on("page", watch_page_errors)
    return ctx


def screenshot(target, name):
    """Save a screenshot (page or locator) under tests/browser/out/; returns the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    target.screenshot(path=str(path))
    return path


class LabPage:
    """A JupyterLab page in the browser, with the steps the notebook tests need."""

    def __init__(self, page, server):
        self.page, self.server = page, server
        self.console = []
        self.page_errors = []          # uncaught errors (also in PAGE_ERRORS)
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    @classmethod
    @contextlib.contextmanager
    def opened(cls, context, server):
        """A new page of the browser context on the server, closed at the end."""
        page = context.new_page()
        try:
            yield cls(page, server)
        finally:
            page.close()

    def open_notebook(self, name, timeout=90_000):
        self.page.goto(f"{self.server.base}/lab/tree/{name}", timeout=timeout)
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell",
                                    state="attached", timeout=timeout)
        self.wait_idle(timeout)
        return self

    def wait_idle(self, timeout=90_000):
        """Until the kernel is idle (the toolbar's execution indicator)."""
        self.page.wait_for_function(
            "() => { const e = document.querySelector("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');"
            " return e && e.getAttribute('data-status') === 'idle'; }", timeout=timeout)

    def menu(self, top, item):
        """Click a main-menu entry (``item`` is a regex of its label)."""
        self.page.locator("#jp-MainMenu").get_by_role(
            "menuitem", name=top, exact=True).click()
        self.page.get_by_role("menuitem", name=re.compile(item)).click()

    def restart_and_run_all(self, timeout=120_000, tries=3):
        """Edit -> Clear Outputs, then Kernel -> Restart Kernel and Run All Cells... ->
        confirm; wait until every code cell has run and the kernel is idle.

        Outputs and prompt numbers are cleared first (notebooks are stored with them), so
        that "every prompt has a number" means this run finished. The menu is tried again
        (after Escape) when the confirm dialog does not come up: the kernel may still be
        connecting."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.menu("Edit", r"^Clear Outputs of All Cells")
        self.page.wait_for_function(
            "() => ![...document.querySelectorAll("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')]"
            ".some(x => /\\[\\d+\\]/.test(x.textContent))", timeout=30_000)
        for attempt in range(tries):
            self.menu("Kernel", r"^Restart Kernel and Run All Cells")
            button = self.page.locator(".jp-Dialog").get_by_role(
                "button", name=re.compile(RESTART_BUTTON))
            try:
                button.wait_for(state="visible", timeout=15_000)
            except PlaywrightTimeout:
                if attempt + 1 == tries:
                    raise
                self.page.keyboard.press("Escape")
                self.page.wait_for_timeout(2_000)
                continue
            button.click()
            break
        self.page.wait_for_function(
            "() => { const p = [...document.querySelectorAll("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];"
            " return p.length > 0 && p.every(x => /\\[\\d+\\]/.test(x.textContent)); }",
            timeout=timeout)
        self.wait_idle(timeout)

    def open_and_run(self, name, attempts=2, timeout=150_000):
        """Open the notebook in a fresh workspace and run it from a fresh kernel.

        A kernel restart sometimes loses the websocket (the server logs a bad binary
        frame and the client reconnects), leaving cells unrun: then the page is reloaded
        and the notebook run once more. Returns the number of retries needed."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for attempt in range(attempts):
            # ?reset: a fresh workspace, so no notebook from an earlier test is restored
            self.page.goto(f"{self.server.base}/lab/tree/{name}?reset", timeout=90_000)
            self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell",
                                        state="attached", timeout=90_000)
            self.wait_idle(90_000)
            try:
                self.restart_and_run_all(timeout=timeout)
                return attempt
            except PlaywrightTimeout:
                if attempt + 1 == attempts:
                    raise
                print(f"\n{name}: run-all did not finish; reloading and running again")
        return attempts

    def errors(self):
        """Texts of error and stderr outputs in the notebook (should be empty)."""
        loc = self.page.locator(ERROR_SELECTOR)
        return [loc.nth(i).text_content() for i in range(loc.count())]

    def code_cells_without_count(self):
        loc = self.page.locator(".jp-CodeCell .jp-InputArea-prompt")
        texts = [loc.nth(i).text_content() for i in range(loc.count())]
        return [t for t in texts if not re.search(r"\[\d+\]", t)]

    def attached(self, selector, timeout=60_000):
        """The first element matching selector, attached and scrolled into view."""
        loc = self.page.locator(selector).first
        loc.wait_for(state="attached", timeout=timeout)
        loc.scroll_into_view_if_needed()
        return loc

    def screenshot(self, name):
        return screenshot(self.page, name)


# --- timing ------------------------------------------------------------------------------

_ARM_JS = """([btnSel, viewSel, want]) => {
  const btn = document.querySelector(btnSel);
  const view = document.querySelector(viewSel);
  if (!btn || !view) { throw new Error('missing ' + (btn ? viewSel : btnSel)); }
  window.__mtTiming = new Promise((resolve) => {
    let t0 = null;
    btn.addEventListener('click', () => { t0 = performance.now(); },
                         {capture: true, once: true});
    const done = () => {
      const f = view.querySelector('.mt-frame');
      if (t0 !== null && f && f.dataset.frame === want && f.querySelector('svg')) {
        obs.disconnect();
        const dom = performance.now() - t0;
        requestAnimationFrame(() => resolve({dom, frame: performance.now() - t0}));
      }
    };
    const obs = new MutationObserver(done);
    obs.observe(view, {childList: true, subtree: true, attributes: true});
  });
}"""


def click_to_frame_ms(page, button_sel, view_sel, want_frame, timeout=30_000):
    """Click the button and measure, in the page, the time from its click event to the
    moment the view shows frame ``want_frame`` with an SVG (``dom``) and to the next
    animation frame after it (``frame``), in ms."""
    page.evaluate(_ARM_JS, [button_sel, view_sel, str(want_frame)])
    page.locator(button_sel).first.click()
    page.wait_for_function(
        f"() => {{ const f = document.querySelector('{view_sel} .mt-frame');"
        f" return f && f.dataset.frame === '{want_frame}'; }}", timeout=timeout)
    return page.evaluate("() => window.__mtTiming")


def record_timings(key, data):
    """Merge data under key into tests/browser/out/timings.json; returns the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "timings.json"
    try:
        all_ = json.loads(path.read_text())
    except (OSError, ValueError):
        all_ = {}
    all_[key] = data
    path.write_text(json.dumps(all_, indent=2, sort_keys=True) + "\n")
    return path


def summarize(ms):
    """min / median / max of a list of milliseconds."""
    s = sorted(ms)
    return {"n": len(s), "min": round(s[0], 1), "median": round(s[len(s) // 2], 1),
            "max": round(s[-1], 1)} if s else {"n": 0}
