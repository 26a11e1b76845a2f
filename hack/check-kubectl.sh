#!/usr/bin/env bash
# The end-to-end tests drive a real kubectl v1.32 (or newer). Debian's own kubectl is 1.20 and cannot
# be used, so this checks for a suitable one first and fails at once with a clear message.
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  echo "error: kubectl not found on PATH; the end-to-end tests need kubectl v1.32 or newer." >&2
  echo "       Debian's kubernetes-client package (1.20) is too old; install an upstream kubectl." >&2
  exit 1
fi
ver=$(kubectl version --client -o json 2>/dev/null | python3 -c 'import json,sys; v=json.load(sys.stdin)["clientVersion"]; print(v["major"], v["minor"].rstrip("+"))' 2>/dev/null || true)
major=${ver%% *}
minor=${ver##* }
if [[ -z "$ver" || "$major" != "1" || "$minor" -lt 32 ]]; then
  echo "error: kubectl at $(command -v kubectl) reports version '${ver:-unknown}'; the end-to-end tests need v1.32 or newer." >&2
  exit 1
fi
echo "kubectl: v${major}.${minor} at $(command -v kubectl)"
