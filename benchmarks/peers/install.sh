#!/usr/bin/env bash
# Install the peer tools that benchmarks/accuracy compares codesim against.
#
# Everything goes into the git-ignored .cache/peers/ under the repo root, never into codesim's
# own .venv:
#   .cache/peers/venv   python venv with copydetect and pylint (symilar)
#   .cache/peers/node   npm prefix with @dodona/dolos-lib (Dolos engine) and jscpd
#
# Pinned versions, idempotent (a tool already installed at its pinned version is skipped),
# stops at the first error. Needs python3 (>= 3.10), node (>= 18) with npm, g++ and make
# (node-gyp compiles Dolos's tree-sitter parsers, about 3 minutes on 2 cores). Only PyPI and
# npm are used. Not part of CI.
#
# Usage: bash benchmarks/peers/install.sh        (from anywhere; paths are relative to the repo)
set -euo pipefail

COPYDETECT_VERSION=0.5.0
PYLINT_VERSION=4.1.4
DOLOS_LIB_VERSION=3.5.1
JSCPD_VERSION=5.3.2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEERS="$ROOT/.cache/peers"
VENV="$PEERS/venv"
NODE_PREFIX="$PEERS/node"

die() { echo "install.sh: error: $*" >&2; exit 1; }
say() { echo "install.sh: $*" >&2; }

for tool in python3 node npm g++ make; do
  command -v "$tool" >/dev/null || die "'$tool' is not on PATH (needed to install the peers)"
done
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' \
  || die "node >= 18 is needed, found $(node --version)"

mkdir -p "$PEERS"

# ---------------------------------------------------------------- python peers
pip_version() {  # prints the installed version of a distribution in the peers venv, or nothing
  "$VENV/bin/python" - "$1" <<'PY' 2>/dev/null || true
import importlib.metadata as m, sys
try:
    print(m.version(sys.argv[1]))
except m.PackageNotFoundError:
    pass
PY
}

if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating venv $VENV"
  python3 -m venv "$VENV"
fi
if [[ "$(pip_version copydetect)" == "$COPYDETECT_VERSION" && "$(pip_version pylint)" == "$PYLINT_VERSION" ]]; then
  say "copydetect $COPYDETECT_VERSION and pylint $PYLINT_VERSION already installed, skipping"
else
  say "installing copydetect==$COPYDETECT_VERSION pylint==$PYLINT_VERSION into $VENV"
  "$VENV/bin/python" -m pip install --quiet "copydetect==$COPYDETECT_VERSION" "pylint==$PYLINT_VERSION"
fi
[[ "$(pip_version copydetect)" == "$COPYDETECT_VERSION" ]] || die "copydetect $COPYDETECT_VERSION missing after install"
[[ "$(pip_version pylint)" == "$PYLINT_VERSION" ]] || die "pylint $PYLINT_VERSION missing after install"
"$VENV/bin/python" -c 'import copydetect, pylint.checkers.symilar' || die "peers venv cannot import copydetect/symilar"

# ------------------------------------------------------------------ node peers
npm_version() {  # prints the installed version of an npm package under the prefix, or nothing
  local pj="$NODE_PREFIX/node_modules/$1/package.json"
  [[ -f "$pj" ]] && node -p "require('$pj').version" 2>/dev/null || true
}


PY_BINDING="$NODE_PREFIX/node_modules/@dodona/dolos-parsers/build/Release/tree_sitter_python_binding.node"
if [[ "$(npm_version @dodona/dolos-lib)" == "$DOLOS_LIB_VERSION" && "$(npm_version jscpd)" == "$JSCPD_VERSION" \
      && -f "$PY_BINDING" ]]; then
  say "@dodona/dolos-lib $DOLOS_LIB_VERSION and jscpd $JSCPD_VERSION already installed, skipping"
else
  say "installing @dodona/dolos-lib@$DOLOS_LIB_VERSION jscpd@$JSCPD_VERSION into $NODE_PREFIX" \
      "(node-gyp compiles the tree-sitter parsers: a few minutes)"
  mkdir -p "$NODE_PREFIX"
  [[ -f "$NODE_PREFIX/package.json" ]] || echo '{ "name": "codesim-peers", "private": true }' > "$NODE_PREFIX/package.json"
  npm install --prefix "$NODE_PREFIX" --save-exact --no-audit --no-fund --loglevel=error \
    "@dodona/dolos-lib@$DOLOS_LIB_VERSION" "jscpd@$JSCPD_VERSION"
fi
[[ "$(npm_version @dodona/dolos-lib)" == "$DOLOS_LIB_VERSION" ]] || die "@dodona/dolos-lib $DOLOS_LIB_VERSION missing after install"
[[ -f "$PY_BINDING" ]] || die "Dolos's Python parser was not compiled ($PY_BINDING missing): see the npm output above"
[[ "$(npm_version jscpd)" == "$JSCPD_VERSION" ]] || die "jscpd $JSCPD_VERSION missing after install"
"$NODE_PREFIX/node_modules/.bin/jscpd" --version >/dev/null 2>&1 \
  || die "jscpd does not run (its platform binary package may be missing: see npm ls --prefix $NODE_PREFIX)"

# ----------------------------------------------------- the drivers run end to end
# Two tiny files through each driver, as the runner will call them: catches a parser that does
# not load, a binary that does not run, an API that moved.
CHECK_DIR="$(mktemp -d)"
trap 'rm -rf "$CHECK_DIR"' EXIT
printf 'def total(values):\n    result = 0\n    for value in values:\n        result += value * 2\n        print(value, result)\n    return result\n' > "$CHECK_DIR/a.py"
cp "$CHECK_DIR/a.py" "$CHECK_DIR/b.py"
JOB="{\"id\": \"check\", \"left\": \"$CHECK_DIR/a.py\", \"right\": \"$CHECK_DIR/b.py\"}"
check_driver() {  # name, command...: the driver must score the identical pair above 0
  local name="$1"; shift
  local out
  out="$(cd "$ROOT" && echo "$JOB" | "$@")" || die "$name driver failed: $*"
  echo "$out" | grep -q '"score": *[0-9]' || die "$name driver gave no score: $out"
}
check_driver copydetect "$VENV/bin/python" -m benchmarks.peers.copydetect_driver
check_driver symilar "$VENV/bin/python" -m benchmarks.peers.symilar_driver
check_driver dolos node "$ROOT/benchmarks/peers/dolos_driver.mjs" "$NODE_PREFIX"
JSCPD_BIN="$(ls "$NODE_PREFIX"/node_modules/jscpd-*/bin/jscpd | head -n 1)"
check_driver jscpd "$VENV/bin/python" -m benchmarks.peers.jscpd_driver "$JSCPD_BIN"

# ------------------------------------------------------------------- versions
echo "peers installed under $PEERS:"
echo "  copydetect        $(pip_version copydetect)   ($VENV/bin/python)"
echo "  pylint (symilar)  $(pip_version pylint)   (astroid $(pip_version astroid))"
echo "  dolos-lib         $(npm_version @dodona/dolos-lib)   (parsers $(npm_version @dodona/dolos-parsers), tree-sitter $(npm_version tree-sitter))"
echo "  jscpd             $(npm_version jscpd)   ($("$NODE_PREFIX/node_modules/.bin/jscpd" --version 2>&1 | head -n 1))"
