// SPDX-License-Identifier: GPL-2.0-or-later
// Stands in for "@hpcc-js/wasm/graphviz" inside d3-graphviz: Graphviz.load() returns the
// engine the page already loaded (see setEngine in diagram.js), so the 800 kB module is
// neither sent nor instantiated once per view.
let current = null;

export function setEngine(promise) {
  current = promise;
}

export const Graphviz = {
  load() {
    if (current === null) {
      return Promise.reject(new Error("the Graphviz engine is not loaded yet"));
    }
    return current;
  },
};
