// Score pairs of Python files with Dolos (@dodona/dolos-lib), all in one Node process.
//
// Run by benchmarks/peers/runner.py as
//   node benchmarks/peers/dolos_driver.mjs NODE_PREFIX < jobs.jsonl > scores.jsonl
// where NODE_PREFIX is the npm prefix holding @dodona/dolos-lib (.cache/peers/node).
//
// stdin:  one JSON object a line: {"id": str, "left": absolute path, "right": absolute path}
// stdout: one JSON object a line: {"id", "score", "error", "detail"}; score is Dolos's pair
//         `similarity` = (leftCovered + rightCovered) / (leftTotal + rightTotal), the number the
//         Dolos web UI and CLI show for a pair, in [0, 1].
//
// Each pair is analysed on its own (a fresh Dolos instance, so a fresh fingerprint index): a pair's
// score never depends on the other files in the benchmark. Dolos's defaults otherwise
// (k-gram length 23, window 17, comments excluded, no fingerprint-frequency filter: it is
// meaningless for two files and Dolos refuses it).
import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";
import readline from "node:readline";

if (process.argv.length !== 3) {
  process.stderr.write("usage: node dolos_driver.mjs NODE_PREFIX < jobs.jsonl\n");
  process.exit(2);
}
// Resolve dolos-lib from the given npm prefix, not from this script's folder.
const require = createRequire(pathToFileURL(path.join(path.resolve(process.argv[2]), "package.json")).href);
const libPath = require.resolve("@dodona/dolos-lib");
const { Dolos, File } = await import(pathToFileURL(libPath).href);

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

async function readText(p) {
  // Like Dolos's own reader (utf-8), but never fail on bad bytes: they become U+FFFD.
  return (await readFile(p)).toString("utf8");
}

async function scorePair(job) {
  const left = new File(job.left, await readText(job.left));
  const right = new File(job.right, await readText(job.right));
  const dolos = new Dolos({ language: "python" });
  const report = await dolos.analyze([left, right]);
  const [a, b] = report.files;
  const pair = report.getPair(a, b);
  return {
    score: Math.min(1, Math.max(0, pair.similarity)),
    detail: {
      left_covered: pair.leftCovered,
      right_covered: pair.rightCovered,
      left_total: pair.leftTotal,
      right_total: pair.rightTotal,
      longest: pair.longest,
    },
  };
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const job = JSON.parse(line);
  try {
    const { score, detail } = await scorePair(job);
    out({ id: job.id, score, error: null, detail });
  } catch (err) {
    out({ id: job.id, score: null, error: String(err && err.message ? err.message : err), detail: null });
  }
}
