#!/usr/bin/env bash
# Makes the local stand-in for the Dockerfile's public base (node:24-bookworm-slim), for the image
# test on a machine that cannot reach Docker Hub, the way the public one is made: a Debian bookworm
# root (mmdebstrap, minbase), Node.js in /usr/local/bin (the very binary of the node@24 npm
# devDependency), npm in /usr/local/lib/node_modules/npm (from the npm registry), and a `node` user
# 1000:1000. It is committed as an image into a buildah storage cached outside the repository, once
# per recipe (this script, the Node.js and npm versions); the test builds the Dockerfile in that
# storage with --build-arg BASE_IMAGE=<the printed name>.
# Prints IMAGE_STORAGE=<dir> and IMAGE_BASE=<name> lines, so `eval "$(scripts/image-base.sh)"` works.
# Logs go to stderr.
#
#   MIGRASCOPE_CACHE   cache root (default ~/.cache/migrascope)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_bin="$root/node_modules/node/bin/node"
if [[ ! -x "$node_bin" ]]; then
  echo "image-base: $node_bin is missing: run npm ci (node@24 is a devDependency)" >&2
  exit 1
fi
"$root/scripts/image-tools.sh"

node_version=$("$node_bin" --version)
# The npm the official node:24 images bundle is a minor or two apart; what matters is an npm 11
# that runs `npm ci --omit=dev` from the same lockfile.
npm_version=11.21.2
key=$(cat "${BASH_SOURCE[0]}" <(echo "$node_version $npm_version") | sha256sum | cut -c1-12)
cache="${MIGRASCOPE_CACHE:-$HOME/.cache/migrascope}/image"
storage="$cache/storage"
image="localhost/migrascope-base:node-${node_version#v}-$key"
# The storage every buildah call of the tests passes (vfs: no overlay mount needed, works nested).
buildah_storage=(--root "$storage/root" --runroot "$storage/run" --storage-driver vfs)

print_paths() {
  echo "IMAGE_STORAGE=$storage"
  echo "IMAGE_BASE=$image"
}

is_built() {
  buildah "${buildah_storage[@]}" inspect --type image "$image" >/dev/null 2>&1
}

mkdir -p "$cache"
# Two test runs starting at once must not build the base twice.
exec 9>"$cache/.lock"
flock 9
if is_built; then
  print_paths
  exit 0
fi

started=$SECONDS
echo "image-base: building $image (Debian bookworm minbase + Node.js $node_version + npm $npm_version)" >&2
rm -rf "$cache"/build.* # left by a build that was killed; we hold the lock, so none is running
tmp=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "npm@$npm_version" >/dev/null)
mkdir -p "$tmp/npm" && tar -xzf "$tmp/npm-$npm_version.tgz" -C "$tmp/npm" --strip-components=1
# As the official image: node and npm under /usr/local, the `node` user and group 1000.
mmdebstrap --quiet --variant=minbase --mode=unshare \
  --customize-hook="upload $node_bin /usr/local/bin/node" \
  --customize-hook='chmod 0755 "$1/usr/local/bin/node"' \
  --customize-hook='mkdir -p "$1/usr/local/lib/node_modules"' \
  --customize-hook="copy-in $tmp/npm /usr/local/lib/node_modules" \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  --customize-hook='chroot "$1" groupadd --gid 1000 node' \
  --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$tmp/root.tar" >&2

container=$(buildah "${buildah_storage[@]}" from scratch)
buildah "${buildah_storage[@]}" add "$container" "$tmp/root.tar" / >/dev/null
buildah "${buildah_storage[@]}" config --env NODE_VERSION="${node_version#v}" --cmd node "$container"
buildah "${buildah_storage[@]}" commit --rm --quiet "$container" "$image" >/dev/null
# The bases of former recipes go: each is a full copy of the root in vfs storage.
buildah "${buildah_storage[@]}" images --noheading --format '{{.Name}}:{{.Tag}}' |
  awk -v keep="$image" 'index($0, "localhost/migrascope-base:") == 1 && $0 != keep' |
  xargs --no-run-if-empty buildah "${buildah_storage[@]}" rmi >/dev/null ||
  echo "image-base: a former base stays (an image built on it is still there)" >&2
echo "image-base: built in $((SECONDS - started)) s" >&2
print_paths
