#!/usr/bin/env bash
# Installs the Debian packages sluice needs to build, test and benchmark.
# Quick when everything is present: it only calls apt-get for what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev sqlite3
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libssl-dev libre2-dev libabsl-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  time
  libmariadb-dev libpq-dev mariadb-server mariadb-client postgresql postgresql-client
  pgloader mydumper iproute2
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
