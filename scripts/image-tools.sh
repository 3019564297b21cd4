#!/usr/bin/env bash
# Installs what the image test needs to build and run the Dockerfile without a Docker engine:
# Debian's buildah (`buildah bud --isolation chroot`, storage under a directory of the test's
# choosing) and mmdebstrap (the Debian root the test's local base image is made from; see
# scripts/image-base.sh). uidmap brings newuidmap, which buildah wants when not run as root.
# Does nothing when both are already there.
set -euo pipefail

packages=(buildah mmdebstrap uidmap)
if command -v buildah >/dev/null && command -v mmdebstrap >/dev/null && command -v newuidmap >/dev/null; then
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "image-tools: installing Debian packages: ${packages[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
