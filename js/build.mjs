// SPDX-License-Identifier: GPL-2.0-or-later
// Builds the JavaScript the package ships, from the packages pinned in package-lock.json
// and our sources in src/:
//
//   diagram.js          the view (d3-graphviz, d3 and our code); anywidget loads it per view
//   graphviz-engine.js  Graphviz compiled to WebAssembly (@hpcc-js/wasm, the .wasm inlined)
//   jquery-shim.js      the few jQuery calls of Voila's reveal.js deck (a classic script)
//
// Output: ../mapletree_edu/widgets/static/ for the first two, the slides template's
// static/ folder for the shim (MT_BUNDLE_OUT / MT_SLIDES_OUT override them). The build is
// deterministic: the same lockfile gives the same bytes (tests/test_widgets_bundle.py
// rebuilds and compares).
//
//   npm --prefix js ci && npm --prefix js run build
import * as esbuild from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.env.MT_BUNDLE_OUT || path.join(here, "..", "mapletree_edu", "widgets", "static");
const slidesOut = process.env.MT_SLIDES_OUT || path.join(here, "..", "mapletree_edu", "slides",
  "voila", "templates", "mapletree-slides", "static");

// d3-graphviz imports Graphviz from @hpcc-js/wasm itself; in the view that import is
// replaced by src/engine-shim.js, which hands over the one engine the page loaded.
const shimEngine = {
  name: "shim-engine",
  setup(build) {
    build.onResolve({ filter: /^@hpcc-js\/wasm\/graphviz$/ }, () => ({
      path: path.join(here, "src", "engine-shim.js"),
    }));
  },
};

const common = {
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
  absWorkingDir: here,
};

await esbuild.build({
  ...common,
  entryPoints: [path.join(here, "src", "diagram.js")],
  outfile: path.join(outdir, "diagram.js"),
  plugins: [shimEngine],
});
await esbuild.build({
  ...common,
  entryPoints: [path.join(here, "src", "engine.js")],
  outfile: path.join(outdir, "graphviz-engine.js"),
});
await esbuild.build({
  ...common,
  bundle: false,
  format: "iife",
  entryPoints: [path.join(here, "src", "jquery-shim.js")],
  outfile: path.join(slidesOut, "jquery-shim.js"),
});
