// SPDX-License-Identifier: GPL-2.0-or-later
// Graphviz compiled to WebAssembly, with its .wasm inlined: sent to the page once per
// kernel (the Python side's engine model) and instantiated once per page.
export { Graphviz } from "@hpcc-js/wasm/graphviz";
