// All-vs-all with Dolos (@dodona/dolos-lib): one analysis over every .py file of a folder, as
// `dolos run folder/*.py` does, then every pair that shares a fingerprint.
//
// Run by benchmarks/cross_scale.py as
//   node benchmarks/peers/dolos_cross.mjs NODE_PREFIX DIR > summary.json
// where NODE_PREFIX is the npm prefix holding @dodona/dolos-lib (.cache/peers/node).
//
// stdout: one JSON object: {"files": analysed files, "pairs": pairs Dolos reports (any shared
// fingerprint), "high": [[left name, right name, similarity], ...] for similarity >= 0.9}.
//
// Dolos's defaults (k-gram length 23, window 17, comments excluded, no fingerprint-frequency
// filter), as its CLI runs without options. Building a Pair computes its similarity, coverage and
// longest fragment (what the CLI's pair table shows), so allPairs() is the whole comparison.
import { createRequire } from "node:module";
import { readdir, readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

if (process.argv.length !== 4) {
  process.stderr.write("usage: node dolos_cross.mjs NODE_PREFIX DIR\n");
  process.exit(2);
}
// Resolve dolos-lib from the given npm prefix, not from this script's folder.
const require = createRequire(pathToFileURL(path.join(path.resolve(process.argv[2]), "package.json")).href);
const { Dolos, File } = await import(pathToFileURL(require.resolve("@dodona/dolos-lib")).href);

const HIGH = 0.9;
const folder = path.resolve(process.argv[3]);
const names = (await readdir(folder)).filter((name) => name.endsWith(".py")).sort();
const files = [];
for (const name of names) {
  const location = path.join(folder, name);
  // Like Dolos's own reader (utf-8), but bad bytes become U+FFFD instead of failing the run.
  files.push(new File(location, (await readFile(location)).toString("utf8")));
}

const report = await new Dolos({ language: "python" }).analyze(files);
const pairs = report.allPairs();
const high = [];
for (const pair of pairs) {
  if (pair.similarity >= HIGH) {
    high.push([path.basename(pair.leftFile.path), path.basename(pair.rightFile.path), pair.similarity]);
  }
}
process.stdout.write(JSON.stringify({ files: report.files.length, pairs: pairs.length, high }) + "\n");
