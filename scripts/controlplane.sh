#!/usr/bin/env bash
# Builds the control plane the integration tests run against (kube-apiserver and etcd, from Go
# modules: no Docker, no prebuilt download), `kstatus` (cmd/kstatus: the status Flux and kpt
# compute for an object, from sigs.k8s.io/cli-utils) and `argocd-health` (cmd/argocd-health: an
# Argo CD Lua health check run on Argo CD's interpreter, github.com/yuin/gopher-lua) into a cache
# outside the repository, once.
# Prints the paths as KUBE_APISERVER=..., ETCD=..., KSTATUS=... and ARGOCD_HEALTH=... lines, so
# `eval "$(scripts/controlplane.sh)"` works.
# Logs go to stderr. Run again: it only rebuilds when test/controlplane/ changed.
#
#   MIGRASCOPE_CACHE   cache root (default ~/.cache/migrascope)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
module="$root/test/controlplane"
k8s_version=$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$module/go.mod")
if [[ -z "$k8s_version" ]]; then
  echo "controlplane: no k8s.io/kubernetes requirement in $module/go.mod" >&2
  exit 1
fi
cache="${MIGRASCOPE_CACHE:-$HOME/.cache/migrascope}/controlplane-$k8s_version"
# What the binaries are built from: a change to the module or a cmd/ main rebuilds them.
source_key=$(cd "$module" && cat go.mod go.sum cmd/*/*.go | sha256sum | cut -c1-16)

print_paths() {
  echo "KUBE_APISERVER=$cache/kube-apiserver"
  echo "ETCD=$cache/etcd"
  echo "KSTATUS=$cache/kstatus"
  echo "ARGOCD_HEALTH=$cache/argocd-health"
}

is_built() {
  [[ -x "$cache/kube-apiserver" && -x "$cache/etcd" && -x "$cache/kstatus" && -x "$cache/argocd-health" && "$(cat "$cache/source-key" 2>/dev/null)" == "$source_key" ]]
}

if is_built; then
  print_paths
  exit 0
fi

mkdir -p "$cache"
# Two test runs starting at once must not build twice into the same files.
exec 9>"$cache/.lock"
flock 9
if is_built; then
  print_paths
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "controlplane: Go is needed to build kube-apiserver and etcd (apt-get install golang-go, or go.dev/dl)" >&2
  exit 1
fi

major_minor=${k8s_version#v}
major=${major_minor%%.*}
minor=${major_minor#*.}
minor=${minor%%.*}
version_pkg=k8s.io/component-base/version
# kube-apiserver reports this version at /version; without it, it says v0.0.0-master.
ldflags="-s -w -X $version_pkg.gitVersion=$k8s_version -X $version_pkg.gitMajor=$major -X $version_pkg.gitMinor=$minor"
ldflags+=" -X $version_pkg.gitTreeState=clean -X $version_pkg.buildDate=1970-01-01T00:00:00Z"

# Static binaries like Kubernetes' own release builds (no C compiler needed); -mod=mod lets a
# fresh clone download the modules go.sum pins; no VCS stamping (nothing reads it); -trimpath
# and -s -w keep the binaries small.
export CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
started=$SECONDS
echo "controlplane: building kube-apiserver $k8s_version, etcd, kstatus and argocd-health into $cache (a cold build takes a while)" >&2
rm -rf "$cache"/build.* # left by a build that was killed; we hold the lock, so none is running
tmp=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(
  cd "$module"
  go build -trimpath -ldflags "$ldflags" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" ./cmd/etcd
  go build -trimpath -ldflags "-s -w" -o "$tmp/kstatus" ./cmd/kstatus
  go build -trimpath -ldflags "-s -w" -o "$tmp/argocd-health" ./cmd/argocd-health
)
mv -f "$tmp/kube-apiserver" "$tmp/etcd" "$tmp/kstatus" "$tmp/argocd-health" "$cache/"
echo "$source_key" >"$cache/source-key"
echo "controlplane: built in $((SECONDS - started)) s" >&2
print_paths
