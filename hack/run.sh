#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install what the build needs, build the controller
# (optimised) and start standalone mode — an embedded Kubernetes-compatible API server on
# 127.0.0.1, a simulated node and the controllers in one process. It prints the kubectl line to
# use; stop it with Ctrl-C.
#
#   hack/run.sh [standalone flags...]      e.g. hack/run.sh --data-dir /tmp/osbx --port 0
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build-release}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

hack/setup.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOSBX_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" --target opensandbox-controller
exec "$BUILD_DIR/bin/opensandbox-controller" standalone "$@"
