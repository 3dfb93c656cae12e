#!/usr/bin/env bash
# Prints the path of a nats-server (2.10 or later) that supports `jetstream { sync_interval: always }`:
# the machine's own when it is recent enough, else Debian 13's package unpacked into a cache folder
# (the machine's Debian 12 ships 2.9, which refuses the setting). Nothing is installed system-wide.
set -euo pipefail

supports_sync_interval() {
  local version
  version=$("$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+' | head -n 1) || return 1
  [ -n "$version" ] && [ "$(printf '%s\n' 2.10 "$version" | sort -V | head -n 1)" = 2.10 ]
}

if supports_sync_interval /usr/sbin/nats-server; then
  echo /usr/sbin/nats-server
  exit 0
fi

cache=/var/cache/weir-ci/nats-server-debian13
if ! supports_sync_interval "$cache/usr/sbin/nats-server"; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$cache"
  echo "deb http://deb.debian.org/debian trixie main" >"$work/sources.list"
  apt_options=(
    -o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
    -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root"
  )
  apt-get "${apt_options[@]}" update -qq >&2
  (cd "$work" && apt-get "${apt_options[@]}" download nats-server >&2)
  dpkg -x "$work"/nats-server_*.deb "$cache"
fi
supports_sync_interval "$cache/usr/sbin/nats-server" || { echo "no nats-server 2.10+ could be had" >&2; exit 1; }
echo "$cache/usr/sbin/nats-server"
