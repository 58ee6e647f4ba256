# SPDX-License-Identifier: GPL-2.0-or-later
"""The transport bar every player shares: first, back, play/pause, forward, last, a
speed choice and a slider to scrub or jump.

Playback is an ipywidgets ``Play`` joined to the slider with ``jslink``: the browser
advances the slider on its own clock (smooth in JupyterLab and in Voila), and the kernel
only answers each slider change by swapping one HTML value. The buttons and the speed
choice act in the kernel, so headless tests can press them (``button.click()``). The
speed also sets the animated diagram's transition time (``Transport.duration``); "no
animation" keeps the normal pace and draws each step at once.

Steps are counted from 0 everywhere (the slider, the status line, ``Step.n`` and the
diagram's caption): the players' ``value`` is the index into the list of steps.
"""

import ipywidgets as widgets

# name -> (Play interval in ms, transition time of the animated diagram in ms): the move
# takes a little over half the interval, so a playing player rests on each step
SPEED_TIMES = {"slow": (1600, 1000), "normal": (900, 550), "fast": (450, 280),
               "fastest": (180, 110), "no animation": (900, 0)}
SPEEDS = tuple((name, interval) for name, (interval, _ms) in SPEED_TIMES.items())
DEFAULT_INTERVAL = 900
PRESENTER_CLASS = "mt-presenter"


def _button(text, tooltip, cls):
    b = widgets.Button(description=text, tooltip=tooltip,
                       layout=widgets.Layout(width="auto", min_width="64px"))
    b.add_class(cls)
    return b


ZOOM_CLASS = "mt-zoom-actual"
# Rules for the "actual size" zoom (each frame's HTML carries them; they only act under
# a view with ZOOM_CLASS): the SVG at its natural size, scrolled inside its own box.
ZOOM_CSS = ("<style>.mt-view>.widget-html-content{min-width:0}"
            f".{ZOOM_CLASS} .mt-frame{{overflow-x:auto!important}}"
            f".{ZOOM_CLASS} .mt-frame>svg{{max-width:none!important;width:auto!important}}"
            "</style>")


def zoom_toggle(views):
    """A toggle between "fit width" (the SVG shrinks to the output width; the default)
    and "actual size" (natural size, scrolled inside the view) for the given HTML views."""
    t = widgets.ToggleButton(value=False, description="actual size",
                             tooltip="fit the diagram to the width / show it at its natural "
                                     "size with a scroll bar",
                             layout=widgets.Layout(width="auto"))
    t.add_class("mt-zoom")

    def flip(change):
        for v in views:
            (v.add_class if change["new"] else v.remove_class)(ZOOM_CLASS)
            if v.has_trait("actual_size"):
                v.actual_size = bool(change["new"])
    t.observe(flip, names="value")
    return t


def presenter_toggle(views, container, default):
    """The presenter-mode toggle: diagram text at 16 px or more, larger status text.

    Linked both ways to each view's ``presenter`` (the page may switch it on from its
    remembered choice), puts ``PRESENTER_CLASS`` on ``container`` and remembers the
    last choice in ``default["on"]`` for the players made after it."""
    t = widgets.ToggleButton(value=bool(default["on"]), description="presenter",
                             tooltip="presenter mode: larger diagram and text, for a "
                                     "projector (remembered for the session)",
                             layout=widgets.Layout(width="auto"))
    t.add_class("mt-presenter-toggle")
    links = [widgets.link((t, "value"), (v, "presenter")) for v in views]

    def flip(change):
        on = bool(change["new"])
        default["on"] = on
        (container.add_class if on else container.remove_class)(PRESENTER_CLASS)
    t.observe(flip, names="value")
    if t.value:
        container.add_class(PRESENTER_CLASS)
    t._mt_links = links           # keep the links alive with the toggle
    return t


class Transport:
    """Buttons, Play, speed and slider over ``n`` frames; calls ``on_move(index)``.

    ``guard(old, new) -> index`` (optional) may stop a move short (the predict mode
    uses it to hold before a decision step).
    """

    def __init__(self, n, on_move, start=0, interval=DEFAULT_INTERVAL, play=True):
        self.on_move = on_move
        self.guard = None
        n = max(n, 1)
        start = min(max(start, 0), n - 1)
        self.first_btn = _button("\u00ab First", "go to the first step", "mt-first")
        self.back_btn = _button("\u25c0 Back", "one step back", "mt-back")
        self.fwd_btn = _button("Forward \u25b6", "one step forward", "mt-forward")
        self.last_btn = _button("Last \u00bb", "go to the last step", "mt-last")
        self.play = widgets.Play(value=start, min=0, max=n - 1, step=1, interval=interval,
                                 show_repeat=False, description="play",
                                 tooltip="play / pause",
                                 layout=widgets.Layout(width="auto"))
        self.play.add_class("mt-play")
        self.slider = widgets.IntSlider(value=start, min=0, max=n - 1, step=1,
                                        description="step", continuous_update=True,
                                        readout=True,
                                        layout=widgets.Layout(width="100%", min_width="200px"))
        self.slider.add_class("mt-slider")
        labels = [name for name, _ in SPEEDS]
        chosen = min(SPEEDS[:-1], key=lambda s: abs(s[1] - interval))[0]
        self.on_speed = None          # called with the transition time (ms) on a change
        self.speed = widgets.Dropdown(options=labels, value=chosen, description="speed",
                                      layout=widgets.Layout(width="200px"),
                                      style={"description_width": "45px"})
        self.speed.add_class("mt-speed")
        self._link = widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.first_btn.on_click(lambda _b: self.go(0))
        self.back_btn.on_click(lambda _b: self.go(self.index - 1))
        self.fwd_btn.on_click(lambda _b: self.go(self.index + 1))
        self.last_btn.on_click(lambda _b: self.go(self.n - 1))
        self.speed.observe(self._on_speed, names="value")
        self.slider.observe(self._on_slider, names="value")
        buttons = [self.first_btn, self.back_btn]
        if play:
            buttons.append(self.play)
        buttons += [self.fwd_btn, self.last_btn, self.speed]
        self.buttons = widgets.HBox(buttons, layout=widgets.Layout(flex_flow="row wrap",
                                                                   align_items="center"))
        self.box = widgets.VBox([self.buttons, self.slider],
                                layout=widgets.Layout(width="100%"))
        self.box.add_class("mt-transport")
        self._update_enabled()

    def add(self, *extra):
        """Append widgets (a zoom toggle, ...) to the button row."""
        self.buttons.children = tuple(self.buttons.children) + extra

    # --- state ---------------------------------------------------------------
    @property
    def n(self):
        return self.slider.max + 1

    @property
    def index(self):
        return self.slider.value

    def go(self, index):
        """Move to index (clamped to the frames); the slider observer does the rest."""
        index = min(max(index, 0), self.n - 1)
        self.slider.value = index

    def resize(self, n, start=0):
        """New number of frames (the Explorer swaps the steps of its player)."""
        n = max(n, 1)
        start = min(max(start, 0), n - 1)
        with self.slider.hold_trait_notifications():
            self.slider.max = n - 1
            self.play.max = n - 1
        self.play.playing = False
        if self.slider.value != start:
            self.slider.value = start
        else:
            self.on_move(start)
        self._update_enabled()

    # --- callbacks ---------------------------------------------------------------
    @property
    def duration(self):
        """The animated diagram's transition time (ms) for the chosen speed."""
        return SPEED_TIMES[self.speed.value][1]

    def _on_speed(self, change):
        self.play.interval = SPEED_TIMES[change["new"]][0]
        if self.on_speed is not None:
            self.on_speed(self.duration)

    def _on_slider(self, change):
        old, new = change["old"], change["new"]
        if self.guard is not None:
            stop = self.guard(old, new)
            if stop != new:
                self.play.playing = False
                self.slider.value = stop
                return
        self.on_move(new)
        self._update_enabled()

    def _update_enabled(self):
        i, n = self.index, self.n
        self.first_btn.disabled = self.back_btn.disabled = i <= 0
        self.fwd_btn.disabled = self.last_btn.disabled = i >= n - 1
