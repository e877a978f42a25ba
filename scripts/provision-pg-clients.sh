#!/usr/bin/env bash
# Test support, never part of the action: real PostgreSQL clients (pg_dump, pg_restore, psql,
# pg_dumpall) of majors newer than this Debian 12 machine's own, for the version-matrix tests.
#
# For each major N (default: 17 18) the client is taken from the Debian suite that ships it
# (17: trixie, 18: forky, else sid), with its libraries and that suite's C library, and unpacked into one
# root R; the programs need a newer glibc than Debian 12's, so they run through R's own dynamic
# loader, by small wrapper scripts:
#
#   <cache>/N/bin/pg_dump → exec R/usr/lib64/ld-linux-x86-64.so.2 \
#       --library-path R/usr/lib/x86_64-linux-gnu:R/lib/x86_64-linux-gnu R/usr/lib/postgresql/N/bin/pg_dump "$@"
#
# apt runs with a private sources list, state and cache (-o Dir::Etc::sourcelist=… -o Dir::State=…
# -o Dir::Cache=…): the machine's apt configuration and package database are not touched, and no
# root is needed. The dependency list is `apt-cache depends --recurse` of the client's library
# dependencies, without what the three programs do not load (perl, postgresql-client-common's
# wrappers, SASL plugins, …); `ld.so --list` then checks that every library the programs need
# resolves inside R. Docs, man pages, translations and glibc's iconv modules are not unpacked.
#
# Cache: <cache> = $PG_CLIENTS_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/postgres-backup-action/pg-clients,
# one directory per package version (<cache>/N/<version>/{root,bin}); <cache>/N/bin links to the
# current one. A working <cache>/N/bin is reused without any network access; --refresh asks the
# suite for its current version and provisions it when it changed.
#
# pg_dumpall runs pg_dump from its own directory (find_my_exec/find_other_exec on argv[0]), and
# the real pg_dump cannot run without the loader; so the pg_dumpall wrapper runs a copy of the
# binary placed beside a pg_dump wrapper (<version>/dumpall/), where it finds a runnable pg_dump.
#
# Usage: scripts/provision-pg-clients.sh [--refresh] [--quiet] [MAJOR...]
# Prints "N <bin dir>" per major on stdout; progress and errors on stderr. Exit 1 on failure.
set -euo pipefail

refresh=0
quiet=0
majors=()
for arg in "$@"; do
  case "$arg" in
    --refresh) refresh=1 ;;
    --quiet) quiet=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    [0-9]*) majors+=("$arg") ;;
    *)
      echo "unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done
[ ${#majors[@]} -gt 0 ] || majors=(17 18)

cache="${PG_CLIENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postgres-backup-action/pg-clients}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
programs=(pg_dump pg_restore psql pg_dumpall)

# Packages the client's dependencies pull in that pg_dump, pg_restore and psql never load.
skip='^(postgresql-client-common|postgresql-common.*|sensible-utils|perl|perl-base|perl-modules-.*|libperl.*|netbase|readline-common|openssl-provider-legacy|libc-gconv-modules-extra|libsasl2-modules.*|libdb5\..*|libgdbm.*|tzdata|debconf.*|ucf|lsb-base|sysvinit-utils|ca-certificates)$'

log() { [ "$quiet" = 1 ] || echo "provision-pg-clients: $*" >&2; }
die() {
  echo "provision-pg-clients: $*" >&2
  exit 1
}

# Suites to try, in order: testing (forky) drops a major when the next one arrives, unstable
# (sid) soon after; a cached client is kept whatever the suites hold now.
suites_of() {
  case "$1" in
    17) echo trixie ;;
    18) echo forky sid ;;
    *) return 1 ;;
  esac
}

# Whether $1/pg_dump runs and is of major $2.
works() {
  [ -x "$1/pg_dump" ] && "$1/pg_dump" --version 2>/dev/null | grep -Eq "\(PostgreSQL\) $2\."
}

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "needs Linux on x86_64 (this is $(uname -s)-$(uname -m))"
for tool in apt-get apt-cache dpkg-deb flock; do
  command -v "$tool" >/dev/null || die "needs $tool (Debian or Ubuntu)"
done
[ -r "$keyring" ] || die "needs $keyring (apt-get install debian-archive-keyring)"

provision() {
  local major=$1 suites suite dir
  suites=$(suites_of "$major") || die "no Debian suite known for PostgreSQL $major (known: 17 18)"
  dir="$cache/$major"
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9 # one provisioning per major at a time (several worktrees, pretest and .ci/run)

  if [ "$refresh" = 0 ] && works "$dir/bin" "$major"; then
    log "PostgreSQL $major: cached, $("$dir/bin/pg_dump" --version)"
    echo "$major $dir/bin"
    return
  fi

  local started work apt opts version
  started=$(date +%s)
  work=$(mktemp -d "$dir/.work.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  apt="$work/apt"
  mkdir -p "$apt/empty" "$work/debs"
  for suite in $suites; do
    rm -rf "$apt/state" "$apt/cache"
    mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial"
    : >"$apt/status"
    echo "deb [signed-by=$keyring] $mirror $suite main" >"$apt/sources.list"
    opts=(
      -o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/empty"
      -o "Dir::Etc::preferencesparts=$apt/empty" -o "Dir::State=$apt/state"
      -o "Dir::State::status=$apt/status" -o "Dir::Cache=$apt/cache"
      -o "Acquire::Languages=none" -o "APT::Get::List-Cleanup=false" -o "Debug::NoLocking=true"
    )
    # apt drops to the _apt user for downloads when root; the work dir is ours, so stay root
    [ "$(id -u)" != 0 ] || opts+=(-o "APT::Sandbox::User=root")

    log "PostgreSQL $major: reading the package list of Debian $suite ($mirror)"
    apt-get "${opts[@]}" -qq update >"$work/update.log" 2>&1 || {
      cat "$work/update.log" >&2
      die "apt-get update of Debian $suite failed (see above)"
    }
    version=$(apt-cache "${opts[@]}" policy "postgresql-client-$major" | sed -n 's/^ *Candidate: *//p')
    [ -z "$version" ] || [ "$version" = "(none)" ] || break
    log "PostgreSQL $major: Debian $suite has no postgresql-client-$major"
    version=
  done
  [ -n "$version" ] || die "no postgresql-client-$major in Debian $suites"
  local final="$dir/$version"
  if [ -d "$final" ] && works "$final/bin" "$major"; then
    ln -sfn "$version/bin" "$dir/bin.new" && mv -T "$dir/bin.new" "$dir/bin"
    log "PostgreSQL $major: $version already provisioned"
    echo "$major $dir/bin"
    return
  fi

  # the client and its library dependencies, recursively, without what the programs never load
  local depends=(apt-cache "${opts[@]}" depends --no-recommends --no-suggests --no-conflicts
    --no-breaks --no-replaces --no-enhances)
  local direct packages
  direct=$("${depends[@]}" "postgresql-client-$major" |
    sed -n 's/^ *|\{0,1\}Depends: \([^<][^ ]*\)$/\1/p' | grep -Ev "$skip" | sort -u)
  # shellcheck disable=SC2086
  packages=$({
    echo "postgresql-client-$major"
    "${depends[@]}" --recurse $direct | grep -v '^ ' | grep -v '^<'
  } | grep -Ev "$skip" | sort -u)
  log "PostgreSQL $major: $version; downloading $(echo "$packages" | wc -w) packages: $(echo $packages)"
  # shellcheck disable=SC2086
  (cd "$work/debs" && apt-get "${opts[@]}" -qq download $packages) >"$work/download.log" 2>&1 || {
    cat "$work/download.log" >&2
    die "apt-get download failed (see above)"
  }
  local bytes
  bytes=$(cat "$work/debs"/*.deb | wc -c)

  local stage="$dir/.stage-$version"
  rm -rf "$stage"
  mkdir -p "$stage/root" "$stage/bin" "$stage/dumpall"
  for deb in "$work/debs"/*.deb; do
    dpkg-deb --fsys-tarfile "$deb" |
      tar -x -C "$stage/root" --exclude='./usr/share/doc*' --exclude='./usr/share/man*' \
        --exclude='./usr/share/locale*' --exclude='./usr/share/lintian*' --exclude='./usr/share/info*' \
        --exclude='./usr/lib/x86_64-linux-gnu/gconv*'
  done
  rm -rf "$final"
  mv "$stage" "$final"
  local R="$final/root" loader=""
  for candidate in usr/lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2; do
    if [ -e "$R/$candidate" ]; then
      loader="$R/$candidate"
      break
    fi
  done
  [ -n "$loader" ] || die "no ld-linux-x86-64.so.2 in the unpacked packages ($R)"
  local libs="$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu"
  local real="$R/usr/lib/postgresql/$major/bin"
  for program in "${programs[@]}"; do
    [ -x "$real/$program" ] || die "postgresql-client-$major has no $real/$program"
    # every library the program needs must come from R, never from this machine
    local missing
    missing=$("$loader" --library-path "$libs" --list "$real/$program" 2>&1 | grep -E 'not found' || true)
    [ -z "$missing" ] || die "$program $major lacks libraries: $missing"
    local target="$real/$program"
    [ "$program" != pg_dumpall ] || target="$final/dumpall/pg_dumpall"
    cat >"$final/bin/$program" <<EOF
#!/bin/sh
# $program of postgresql-client-$major $version (Debian $suite), run by its own loader and libraries.
# Generated by scripts/provision-pg-clients.sh (test support).
exec '$loader' --library-path '$libs' '$target' "\$@"
EOF
    chmod 755 "$final/bin/$program"
  done
  # pg_dumpall finds pg_dump beside its own (real) path: a copy of it beside the pg_dump wrapper
  cp "$real/pg_dumpall" "$final/dumpall/pg_dumpall"
  ln -s ../bin/pg_dump "$final/dumpall/pg_dump"

  works "$final/bin" "$major" || die "the provisioned pg_dump does not run: $("$final/bin/pg_dump" --version 2>&1 || true)"
  ln -sfn "$version/bin" "$dir/bin.new" && mv -T "$dir/bin.new" "$dir/bin"
  # older versions of this major
  for old in "$dir"/*/; do
    old=${old%/}
    [ -L "$old" ] || [ "$old" = "$final" ] || rm -rf "$old"
  done
  log "PostgreSQL $major: $("$dir/bin/pg_dump" --version) in $(($(date +%s) - started)) s," \
    "downloaded $((bytes / 1024)) KiB, unpacked $(du -sk "$final" | cut -f1) KiB: $dir/bin"
  echo "$major $dir/bin"
}

for major in "${majors[@]}"; do
  provision "$major"
done
