#!/usr/bin/env bash
# What the tests need besides node_modules, provisioned when possible (npm's `pretest`, and
# .ci/run before `npm ci`); when it is not possible, the exact command to run and exit 1.
#
#  1. Debian/Ubuntu packages: PostgreSQL (server and client: the machine's own major), zstd, age,
#     tar, runuser (util-linux), PgBouncer (a pool of few server connections in front of the
#     test server: __tests__/integration/pool-limits.test.ts), the Debian archive keyring.
#     Installed with apt-get when root or with passwordless sudo.
#  2. Real clients of PostgreSQL 17 and 18 for the version matrix, from Debian's own archive
#     into a cache outside the repository (scripts/provision-pg-clients.sh; no root needed).
#
# Idempotent and quick when everything is there (no network access then).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "provision-test-deps: $*" >&2; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v zstd >/dev/null || missing+=(zstd)
command -v age >/dev/null || missing+=(age)
command -v tar >/dev/null || missing+=(tar)
command -v runuser >/dev/null || missing+=(util-linux)
[ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)

if [ ${#missing[@]} -gt 0 ]; then
  install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
  if ! command -v apt-get >/dev/null; then
    say "the tests need ${missing[*]} (Debian/Ubuntu package names), and this machine has no apt-get: install them by hand."
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    say "the tests need ${missing[*]}; run: sudo apt-get update && sudo ${install[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}"
fi

if ! bash scripts/provision-pg-clients.sh 17 18 >/dev/null; then
  say "the version matrix needs real PostgreSQL 17 and 18 clients and could not provision them (see above);" \
    "retry with: bash scripts/provision-pg-clients.sh 17 18"
  exit 1
fi
