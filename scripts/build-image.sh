#!/usr/bin/env bash
# Builds the image from the Dockerfile (`make image`): with `docker build` where Docker is, else
# with `buildah bud` (no daemon; chroot isolation unless BUILDAH_ISOLATION says otherwise). The OCI
# labels get the version of package.json, the commit and the origin remote. Arguments after the
# script's go to the builder (the image test passes its buildah storage).
#
#   IMAGE                  the name to tag (default migrascope:<version>)
#   IMAGE_BUILDER          docker or buildah (default: docker when present)
#   BASE_IMAGE             another base than the Dockerfile's pinned one (a mirror of it)
#   NODE_EXTRA_CA_CERTS    a CA bundle for npm behind a proxy that re-signs TLS: passed as the
#                          build secret `ca` (see the Dockerfile), never written into a layer
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' package.json | head -n 1)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source=$(git remote get-url origin 2>/dev/null || echo unknown)
image=${IMAGE:-migrascope:$version}
builder=${IMAGE_BUILDER:-}
if [[ -z "$builder" ]]; then
  if command -v docker >/dev/null; then builder=docker
  elif command -v buildah >/dev/null; then builder=buildah
  else
    echo "image: neither docker nor buildah is installed (apt-get install buildah, or scripts/image-tools.sh)" >&2
    exit 1
  fi
fi

args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "SOURCE=$source" -t "$image")
if [[ -n "${BASE_IMAGE:-}" ]]; then args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE"); fi
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" ]]; then args+=(--secret "id=ca,src=$NODE_EXTRA_CA_CERTS"); fi
case "$builder" in
  docker) docker build "${args[@]}" "$@" . ;;
  buildah) buildah bud --isolation "${BUILDAH_ISOLATION:-chroot}" "${args[@]}" "$@" . ;;
  *)
    echo "image: IMAGE_BUILDER=$builder: use docker or buildah" >&2
    exit 2
    ;;
esac
echo "image: built $image with $builder" >&2
