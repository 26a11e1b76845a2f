#!/usr/bin/env bash
# Runs every benchmark of an optimised build; each writes its report to bench/reports/<name>.md.
#
#   bench/run.sh [BUILD_DIR]        (default build-release; `make bench` builds it first)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
for b in workqueue_bench informer_bench store_bench apiserver_bench delivery_bench; do
  if [[ -x "$build/bin/$b" ]]; then
    echo "== $b"
    "$build/bin/$b"
  else
    echo "skip: $build/bin/$b not built" >&2
  fi
done
echo "reports:"
ls -1 bench/reports/*.md
