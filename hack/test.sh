#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: install dependencies, check kubectl,
# configure, build and run every test with CTest. Exits non-zero on any failure.
#
#   hack/test.sh                 Debug build in build/
#   BUILD_DIR=... BUILD_TYPE=... hack/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-Debug}
JOBS=${JOBS:-$(nproc)}
# Compiler cache keys independent of where the tree is checked out.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

hack/setup.sh
hack/check-kubectl.sh

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" ${CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j "$JOBS"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" ${CTEST_ARGS:-}
