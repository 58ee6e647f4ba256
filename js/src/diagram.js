// SPDX-License-Identifier: GPL-2.0-or-later
// The animated diagram view of mapletree_edu's players (an anywidget module).
//
// The kernel sends the DOT text of the frame to show (trait `dot`) and its index
// (`frame`). Graphviz, compiled to WebAssembly, lays it out in the page and d3-graphviz
// animates the old picture into the new one. Graphviz names each SVG group after its
// DOT node id (`n<serial>`), and d3-graphviz matches groups by that name, so a node that
// survives a step moves, a new node grows in and a freed node fades out. Text that
// changed inside a surviving node (a slot's range or entry) is marked while it moves.
//
// `duration` is the transition time in ms (0: no animation; the page's
// prefers-reduced-motion setting also turns it off). `presenter` draws the text at 16 px
// or more and is remembered in localStorage for the next players of the session; in a
// reveal.js slide deck every player starts in presenter mode.
import { graphviz } from "d3-graphviz";
import { easeCubicInOut } from "d3-ease";
import { select } from "d3-selection";
import "d3-transition";          // selection.transition()
import { setEngine } from "./engine-shim.js";

const PRESENTER_KEY = "mapletree-edu.presenter";
const PRESENTER_MIN_PX = 16.5;   // the smallest diagram text in presenter mode, in CSS px
const PT = 4 / 3;                // CSS px per point (Graphviz draws in points)
const LAYOUTS_KEPT = 6;          // laid-out frames kept per view (the next one, a few back)
const STUCK_MS = 4000;           // a move not ended this long after its planned time is redone

// --- the engine: one per page, whatever the number of views ------------------------------

function engineFor(model) {
  const key = model.get("engine_key");
  const cache = (globalThis.__mapletreeEduEngine ??= {});
  if (!cache[key]) {
    cache[key] = (async () => {
      const ref = String(model.get("engine") || "");
      const id = ref.replace(/^IPY_MODEL_/, "");
      if (!id) throw new Error("no Graphviz engine model");
      const engineModel = await model.widget_manager.get_model(id);
      const code = engineModel.get("code");
      const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
      try {
        const mod = await import(/* webpackIgnore: true */ url);
        return await mod.Graphviz.load();
      } finally {
        URL.revokeObjectURL(url);
      }
    })();
    cache[key].catch(() => { delete cache[key]; });
  }
  return cache[key];
}

// --- transitions ---------------------------------------------------------------------------

// d3-graphviz looks for the transition of a step on the page's root element, where d3
// keeps scheduled transitions by id. Every widget model imports its own copy of this
// module (anywidget loads each model's code from its own URL), so each copy of
// d3-transition counts ids from 1: the two views of a side-by-side pair asked for the
// same id, the second one found the first one's transition running there ("too late;
// already running", thrown inside d3's timer) and its move never ended. Before a step's
// transition is made, this copy's id counter is moved past every id in use on the root.
const scratch = typeof document === "undefined" ? null
  : document.createElementNS("http://www.w3.org/2000/svg", "g");

function rootTransition(name, ms) {
  const root = document.documentElement;
  for (let i = 0; i < 100000; i++) {
    const probe = select(scratch).transition();   // takes this copy's next id
    const next = probe._id + 1;                    // the id the transition below gets
    select(scratch).interrupt();
    if (!root.__transition || !(next in root.__transition)) break;
  }
  return select(root).transition(name).duration(ms).ease(easeCubicInOut);
}

// --- reading a rendered picture ----------------------------------------------------------

function reducedMotion() {
  return typeof matchMedia === "function"
    && matchMedia("(prefers-reduced-motion: reduce)").matches;
}

function nodeGroups(root) {
  return Array.from(root.querySelectorAll("svg g.node"));
}

function titleOf(g) {
  const t = g.querySelector(":scope > title");
  return t ? t.textContent : "";
}

// The strings of a node's <text> elements, in order, from the data d3-graphviz bound to
// it (its target state, known before the transition has written it to the DOM).
function dataTexts(g) {
  const out = [];
  const walk = (d) => {
    if (!d || !d.children) return;
    for (const c of d.children) {
      if (c.tag === "text") {
        out.push(c.children.filter((x) => x.tag === "#text").map((x) => x.text).join(""));
      } else if (c.tag && c.tag[0] !== "#") {
        walk(c);
      }
    }
  };
  walk(g.__data__);
  return out;
}

function snapshot(root) {
  const texts = new Map();
  for (const g of nodeGroups(root)) texts.set(titleOf(g), dataTexts(g));
  return texts;
}

const SVG_NS = "http://www.w3.org/2000/svg";

function isNodeOrEdge(cls) {
  return /\b(node|edge)\b/.test(cls || "");
}

// The graph's own label (title, caption, legend, freed nodes) is drawn straight into the
// top group, element by element, not in a node: d3-graphviz would morph its cells into
// each other by position. These find its elements and their texts.
function labelElements(graphG) {
  const bg = graphG.querySelector(":scope > polygon");   // the graph's white background
  return Array.from(graphG.children).filter((c) => c !== bg && c.tagName !== "title"
    && !(c.tagName === "g" && isNodeOrEdge(c.getAttribute("class"))));
}

function domTexts(elements) {
  const out = [];
  for (const e of elements) {
    if (e.tagName === "text") out.push(e.textContent);
    else for (const t of e.querySelectorAll("text")) out.push(t.textContent);
  }
  return out;
}

function dataLabelTexts(graphData) {
  const out = [];
  const walk = (d) => {
    if (d.tag === "text") {
      out.push((d.children || []).filter((x) => x.tag === "#text").map((x) => x.text).join(""));
      return;
    }
    for (const c of d.children || []) if (c.tag && c.tag[0] !== "#") walk(c);
  };
  const bg = (graphData.children || []).find((c) => c.tag === "polygon");
  for (const c of graphData.children || []) {
    if (!c.tag || c.tag[0] === "#" || c.tag === "title" || c === bg) continue;
    if (c.tag === "g" && isNodeOrEdge(c.attributes && c.attributes.class)) continue;
    walk(c);
  }
  return out;
}

function minFontPt(svg) {
  let min = Infinity;
  for (const t of svg.querySelectorAll("text")) {
    const v = parseFloat(t.getAttribute("font-size"));
    if (v > 0 && v < min) min = v;
  }
  return Number.isFinite(min) ? min : 10;
}

// A page that is a reveal.js slide deck (Voila's reveal template): projected, so the
// players start in presenter mode there.
function inDeck() {
  return typeof document !== "undefined" && !!document.querySelector(".reveal .slides");
}

// --- the view ------------------------------------------------------------------------------

function render({ model, el }) {
  el.classList.add("mt-diagram");
  el.tabIndex = 0;
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", "diagram of the step; left and right arrow keys step");
  let frame = document.createElement("div");
  frame.className = "mt-frame mt-anim";
  frame.dataset.state = "loading";
  const msg = document.createElement("div");
  msg.className = "mt-diagram-msg";
  msg.textContent = "loading the diagram\u2026";
  el.append(frame, msg);

  let gv = null;
  let busy = false;
  let token = 0;              // counts draws: a callback of an abandoned draw is ignored
  let watchdog = null;
  let plainNext = false;      // draw the next frame without a d3 transition (after stuck())
  let shown = null;           // "frame|dot" of the picture drawn or being drawn
  let before = null;          // texts of each node before the current transition
  let beforeIds = new Set();
  let marked = [];
  let t0 = 0;
  let phases = {};
  let alive = true;
  let engineRef = null;
  const layouts = new Map();  // DOT text -> SVG text laid out by Graphviz
  const events = (globalThis.__mtDiagramEvents ??= []);

  const log = (type, extra) => {
    const e = { type, frame: Number(frame.dataset.frame), t: performance.now(), ...extra };
    events.push(e);
    if (events.length > 2000) events.splice(0, events.length - 2000);
    el.dispatchEvent(new CustomEvent("mt-diagram", { detail: e, bubbles: true }));
  };

  const duration = () => (reducedMotion() ? 0 : Math.max(0, model.get("duration") | 0));

  function applyPresenter() {
    el.classList.toggle("mt-actual-size", !!model.get("actual_size"));
    el.classList.toggle("mt-zoom-actual", !!model.get("actual_size"));
    const on = !!model.get("presenter");
    el.classList.toggle("mt-presenter-view", on);
    const svg = frame.querySelector("svg");
    if (!svg || !svg.__data__) return;
    const attrs = svg.__data__.attributes || {};
    const wPt = parseFloat(attrs.width) || 0;
    if (on && wPt > 0) {
      const scale = Math.max(1, PRESENTER_MIN_PX / (minFontPt(svg) * PT));
      svg.style.width = `${(wPt * PT * scale).toFixed(1)}px`;
      svg.style.maxWidth = "none";
    } else {
      svg.style.width = "";
      svg.style.maxWidth = "";
    }
    svg.style.height = "auto";
  }

  function bringIntoView(nodes) {
    if (!nodes.length || frame.scrollWidth <= frame.clientWidth + 1) return;
    const box = frame.getBoundingClientRect();
    let lo = Infinity;
    let hi = -Infinity;
    for (const g of nodes) {
      const r = g.getBoundingClientRect();
      lo = Math.min(lo, r.left);
      hi = Math.max(hi, r.right);
    }
    const centre = (lo + hi) / 2 - box.left + frame.scrollLeft;
    frame.scrollLeft = Math.max(0, centre - frame.clientWidth / 2);
  }

  // Before the new picture is joined: when the graph's label changed, move the old
  // label into a group of its own, which d3-graphviz fades out as an element that left;
  // the new label fades in. (The label is not keyed, so it would otherwise morph.)
  function onDataReady() {
    const svg = frame.querySelector("svg");
    if (!svg || !busy || !before) return;
    const graphG = svg.querySelector(":scope > g");
    const svgData = gv && gv._data;
    const graphData = svgData && (svgData.children || []).find((c) => c.tag === "g");
    if (!graphG || !graphData) return;
    const old = labelElements(graphG);
    const oldTexts = domTexts(old);
    const newTexts = dataLabelTexts(graphData);
    if (oldTexts.length === newTexts.length && oldTexts.every((t, i) => t === newTexts[i])) {
      return;
    }
    const ghost = document.createElementNS(SVG_NS, "g");
    ghost.setAttribute("class", "mt-old-label");
    const tf = graphG.getAttribute("transform");
    if (tf) ghost.setAttribute("transform", tf);
    ghost.__data__ = { key: "mt-old-label", tag: "g", attributes: {}, children: [] };
    for (const e of old) ghost.appendChild(e);
    svg.appendChild(ghost);
  }

  function onRenderEnd() {
    // the DOM has the new elements; their transitions have not started yet
    const svg = frame.querySelector("svg");
    if (svg) {
      svg.removeAttribute("style");
      svg.classList.add("mt-svg");
    }
    applyPresenter();
    const ms = duration();
    frame.style.setProperty("--mt-ms", `${ms}ms`);
    marked = [];
    if (ms > 0 && before) {
      for (const g of nodeGroups(frame)) {
        const id = titleOf(g);
        if (!beforeIds.has(id)) {
          g.setAttribute("data-mt", "entering");   // not `class`: d3-graphviz resets it
          marked.push(g);
          continue;
        }
        const old = before.get(id) || [];
        const now = dataTexts(g);
        const texts = g.querySelectorAll("text");
        let changed = false;
        now.forEach((s, i) => {
          if (old[i] !== s && texts[i]) {
            texts[i].classList.add("mt-slot-changed");
            changed = true;
          }
        });
        if (changed || old.length !== now.length) {
          g.setAttribute("data-mt", "changed");
          marked.push(g);
        }
      }
    }
  }

  function finish(my) {
    if (my !== token || !busy) return;
    clearTimeout(watchdog);
    watchdog = null;
    for (const g of frame.querySelectorAll("[data-mt]")) g.removeAttribute("data-mt");
    for (const t of frame.querySelectorAll(".mt-slot-changed")) {
      t.classList.remove("mt-slot-changed");
    }
    if (model.get("presenter")) bringIntoView(marked);
    marked = [];
    frame.dataset.state = "rest";
    if (msg.classList.contains("mt-diagram-error")) {
      msg.classList.remove("mt-diagram-error");
      msg.style.display = "none";
    }
    frame.dataset.nodes = String(nodeGroups(frame).length);
    busy = false;
    log("end", { ms: performance.now() - t0 });
    if (alive) draw();
  }

  function draw() {
    if (!gv || busy) return;
    const dot = model.get("dot") || "";
    const index = model.get("frame") | 0;
    const key = `${index}|${dot}`;
    if (key === shown) return;
    const sameDot = shown !== null && shown.slice(shown.indexOf("|") + 1) === dot;
    shown = key;
    frame.dataset.frame = String(index);
    if (sameDot || !dot) {
      log(sameDot ? "same" : "empty");
      return;
    }
    busy = true;
    const my = ++token;
    const ms = frame.querySelector("svg") ? duration() : 0;
    before = ms > 0 ? snapshot(frame) : null;
    beforeIds = new Set(before ? before.keys() : []);
    frame.dataset.state = ms > 0 ? "moving" : "drawing";
    frame.dataset.duration = String(ms);
    t0 = performance.now();
    phases = {};
    log("draw", { ms });
    if (el.isConnected && !plainNext) {
      gv.transition(() => rootTransition("mt-step", ms));
    } else {
      // drawn at once, without d3's timer: a view taken out of the page (d3 finds no
      // transition from a detached element), or the redraw after a stuck move
      gv._transitionFactory = null;
      gv._transition = null;
      log("start", { since: performance.now() - t0, phases, plain: true });
    }
    plainNext = false;
    clearTimeout(watchdog);
    watchdog = setTimeout(() => stuck(my), ms + STUCK_MS);
    try {
      gv.renderDot(dot, () => finish(my));
    } catch (err) {
      failed(my, err);
    }
  }

  // A draw that failed: the error is shown, the view is at rest, the newest frame is tried.
  function failed(my, err) {
    if (my !== token) return;
    clearTimeout(watchdog);
    watchdog = null;
    busy = false;
    showError(err);
    frame.dataset.state = "rest";
    log("error", { message: String(err && err.message ? err.message : err) });
    if (alive) queueMicrotask(draw);
  }

  // Safety net: a move that has not ended well after its planned time (a transition
  // interrupted from outside, an error thrown inside d3's timer, a page that stopped
  // painting) is abandoned: the frame is replaced by an empty one and the newest step is
  // drawn into it at once.
  function stuck(my) {
    if (my !== token || !busy || !alive) return;
    log("stuck", { state: frame.dataset.state });
    select(frame).interrupt("mt-step").selectAll("*").interrupt("mt-step");
    const old = frame;
    frame = old.cloneNode(false);
    old.replaceWith(frame);
    token += 1;
    busy = false;
    shown = null;
    before = null;
    marked = [];
    plainNext = true;
    startView();
  }

  // Graphviz layout, remembered: the kernel sends the next step's DOT text ahead
  // (`next_dot`) and the page lays it out while idle, so a click only has to animate.
  function layoutOf(src) {
    if (layouts.has(src)) {
      const svg = layouts.get(src);
      layouts.delete(src);
      layouts.set(src, svg);
      return svg;
    }
    const svg = engineRef.layout(src, "svg", "dot", { images: [] });
    layouts.set(src, svg);
    while (layouts.size > LAYOUTS_KEPT) layouts.delete(layouts.keys().next().value);
    return svg;
  }

  let idleHandle = null;
  function layoutAhead() {
    const next = model.get("next_dot") || "";
    if (!engineRef || !next || layouts.has(next) || idleHandle !== null) return;
    const run = () => {
      idleHandle = null;
      if (!alive || busy) { if (alive) idleHandle = setTimeout(run, 120); return; }
      const want = model.get("next_dot") || "";
      if (!want || layouts.has(want)) return;
      try { layoutOf(want); } catch (_e) { /* drawn (and reported) when shown */ }
    };
    idleHandle = typeof requestIdleCallback === "function"
      ? requestIdleCallback(run, { timeout: 400 }) : setTimeout(run, 50);
  }

  function showError(err) {
    msg.textContent = `the diagram could not be drawn: ${err && err.message ? err.message : err}`;
    msg.classList.add("mt-diagram-error");
    msg.style.display = "";
  }

  // presenter mode: in a slide deck (reveal.js) every player starts in it; elsewhere it
  // is remembered across players for the session (localStorage)
  if (inDeck()) {
    if (!model.get("presenter")) {
      model.set("presenter", true);
      model.save_changes();
    }
  } else {
    try {
      const saved = globalThis.localStorage && localStorage.getItem(PRESENTER_KEY);
      if (saved !== null && saved !== undefined && (saved === "1") !== !!model.get("presenter")) {
        model.set("presenter", saved === "1");
        model.save_changes();
      }
    } catch (_e) { /* storage may be blocked */ }
  }

  const onDot = () => queueMicrotask(draw);
  const onPresenter = () => {
    try {
      localStorage.setItem(PRESENTER_KEY, model.get("presenter") ? "1" : "0");
    } catch (_e) { /* storage may be blocked */ }
    applyPresenter();
  };
  model.on("change:dot", onDot);
  model.on("change:frame", onDot);
  model.on("change:next_dot", layoutAhead);
  model.on("change:presenter", onPresenter);
  model.on("change:actual_size", applyPresenter);

  const onKey = (ev) => {
    const keys = { ArrowLeft: "back", ArrowRight: "forward", Home: "first", End: "last" };
    if (keys[ev.key] && !ev.altKey && !ev.ctrlKey && !ev.metaKey) {
      ev.preventDefault();
      ev.stopPropagation();
      model.send({ type: "key", action: keys[ev.key] });
    }
  };
  el.addEventListener("keydown", onKey);

  function startView() {
    gv = graphviz(frame, {
      useWorker: false,
      zoom: false,
      fit: false,
      fade: true,
      tweenShapes: false,       // table cells keep their 4 corners: no path conversion
      tweenPaths: true,
      convertEqualSidedPolygons: false,
      growEnteringEdges: true,
      tweenPrecision: "20%",     // 5 points per edge path: edges are polylines
    });
    gv.onerror((err) => failed(token, err));
    gv.on("initEnd", () => {
      const own = gv.layoutSync;
      gv.layoutSync = (src, fmt, eng, opts) => (
        fmt === "svg" && eng === "dot" ? layoutOf(src) : own(src, fmt, eng, opts));
    });
    gv.on("dataProcessEnd", onDataReady);
    gv.on("renderEnd", onRenderEnd);
    for (const p of ["layoutStart", "layoutEnd", "dataExtractEnd", "dataProcessPass1End",
      "dataProcessPass2End", "dataProcessEnd",
      "renderStart", "renderEnd"]) {
      gv.on(`${p}.phase`, () => { phases[p] = performance.now() - t0; });
    }
    gv.on("transitionStart", () => log("start", { since: performance.now() - t0, phases }));
    draw();
  }

  engineFor(model).then((engine) => {
    if (!alive) return;
    setEngine(Promise.resolve(engine));
    engineRef = engine;
    msg.style.display = "none";
    startView();
    layoutAhead();
  }, (err) => showError(err));

  return () => {
    alive = false;
    clearTimeout(watchdog);
    el.removeEventListener("keydown", onKey);
    model.off("change:dot", onDot);
    model.off("change:frame", onDot);
    model.off("change:next_dot", layoutAhead);
    model.off("change:presenter", onPresenter);
    model.off("change:actual_size", applyPresenter);
    select(frame).interrupt("mt-step").selectAll("*").interrupt("mt-step");
  };
}

export default { render };
