// SPDX-License-Identifier: GPL-2.0-or-later
// Builds the two ES modules the diagram view ships, from the packages pinned in
// package-lock.json:
//
//   diagram.js          the view (d3-graphviz, d3 and our code); anywidget loads it per view
//   graphviz-engine.js  Graphviz compiled to WebAssembly (@hpcc-js/wasm, the .wasm inlined)
//
// Output: ../mapletree_edu/widgets/static/. The build is deterministic: the same lockfile
// gives the same bytes (tests/test_widgets_bundle.py rebuilds and compares).
//
//   npm --prefix js ci && npm --prefix js run build
import * as esbuild from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.env.MT_BUNDLE_OUT || path.join(here, "..", "mapletree_edu", "widgets", "static");

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
