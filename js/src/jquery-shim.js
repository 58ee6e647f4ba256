// SPDX-License-Identifier: GPL-2.0-or-later
// A stand-in for the few jQuery calls of Voila's reveal.js bundle, so that the deck loads
// no jQuery from a CDN. Voila's reveal template asks for jQuery only for its "scroll"
// setting, which on every slide change runs
//   $(".reveal").height()  and
//   $("section.present").find("section").filter(fn).css(name, value)...
// This file gives window.$ exactly those methods (height of the first element in CSS px,
// find, filter with `this` bound to each element, chainable css).
(function () {
  function wrap(els) {
    const w = {
      length: els.length,
      height() {
        if (!els.length) return undefined;
        const h = parseFloat(getComputedStyle(els[0]).height);
        return Number.isFinite(h) ? h : els[0].offsetHeight;
      },
      find(sel) {
        return wrap(els.flatMap((e) => Array.from(e.querySelectorAll(sel))));
      },
      filter(fn) {
        return wrap(els.filter((e, i) => fn.call(e, i, e)));
      },
      css(name, value) {
        for (const e of els) e.style.setProperty(name, value);
        return w;
      },
    };
    return w;
  }
  function $(x) {
    if (typeof x === "string") return wrap(Array.from(document.querySelectorAll(x)));
    return wrap(x ? [x] : []);
  }
  if (!window.$) window.$ = $;
})();
