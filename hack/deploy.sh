#!/usr/bin/env bash
# Prints the full installation manifest (config/default: namespace, CRDs, RBAC, manager) with the
# controller image and the task-executor image substituted. Nothing in config/ is modified: the
# substitution happens in a temporary kustomize overlay.
#
#   hack/deploy.sh IMG TASK_EXECUTOR_IMG | kubectl apply -f -
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 IMG TASK_EXECUTOR_IMG" >&2
  exit 2
fi
img=$1
task_img=$2
root=$(cd "$(dirname "$0")/.." && pwd)
KUBECTL=${KUBECTL:-kubectl}

# Image references go into YAML unquoted; accept only the characters a reference may hold.
for ref in "$img" "$task_img"; do
  if [[ ! "$ref" =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]]; then
    echo "error: '$ref' is not an image reference" >&2
    exit 2
  fi
done

# Writes a kustomize `images:` entry replacing the image named $1 with reference $2.
image_entry() {
  local name=$1 ref=$2 repo tag="" digest=""
  if [[ "$ref" == *@* ]]; then
    repo=${ref%%@*}
    digest=${ref#*@}
  else
    repo=$ref
    local last=${ref##*/}
    if [[ "$last" == *:* ]]; then
      tag=${last##*:}
      repo=${ref%:*}
    fi
  fi
  echo "- name: $name"
  echo "  newName: $repo"
  if [[ -n "$digest" ]]; then echo "  digest: $digest"; fi
  if [[ -n "$tag" ]]; then echo "  newTag: \"$tag\""; fi
}

overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  # kustomize accepts only relative paths to other kustomizations.
  echo "- $(realpath --relative-to="$overlay" "$root/config/default")"
  echo "images:"
  image_entry controller "$img"
  echo "patches:"
  echo "- patch: |-"
  echo "    apiVersion: apps/v1"
  echo "    kind: Deployment"
  echo "    metadata:"
  echo "      name: opensandbox-controller-manager"
  echo "      namespace: opensandbox-system"
  echo "    spec:"
  echo "      template:"
  echo "        spec:"
  echo "          containers:"
  echo "          - name: manager"
  echo "            env:"
  echo "            - name: TASK_EXECUTOR_IMAGE"
  echo "              value: \"$task_img\""
} >"$overlay/kustomization.yaml"

"$KUBECTL" kustomize "$overlay"
