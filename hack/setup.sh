#!/usr/bin/env bash
# Installs everything the build and the tests need from Debian's repositories. Idempotent: packages
# already present are not fetched again, and apt-get update runs only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang clang-format clang-tidy libclang-rt-14-dev
  nlohmann-json3-dev libyaml-cpp-dev libcurl4-openssl-dev libssl-dev
  libboost1.81-dev libcli11-dev libspdlog-dev libfmt-dev prometheus-cpp-dev
  libsqlite3-dev sqlite3 libsimdjson-dev libjemalloc-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  openssl curl procps python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all build dependencies present"
fi
