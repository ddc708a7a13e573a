#!/usr/bin/env bash
# Installs the Debian packages sluice needs, by profile, so that each step installs only what
# it uses:
#
#   scripts/install-deps.sh build    compile the `sluice` binary and run the quickstart example
#   scripts/install-deps.sh test     build, plus the test framework and the throwaway MariaDB
#                                    and PostgreSQL servers the integration tests start
#   scripts/install-deps.sh bench    test, plus /usr/bin/time and the baselines the bench/
#                                    scripts compare against (pgloader, mydumper)
#   scripts/install-deps.sh build time   a profile plus named packages (a script's own needs)
#
# Each profile includes the ones above it. Without an argument: build. Quick when everything
# is present: it only calls apt-get for what is missing.
set -euo pipefail

profile=${1:-build}
shift || true

# The libraries the binary links (libmariadb-dev and libpq-dev are client libraries, not
# servers) and sqlite3, which the quickstart example uses to create its source database.
build_packages=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev sqlite3
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libssl-dev libre2-dev libabsl-dev tzdata
  libmariadb-dev libpq-dev libzstd-dev zlib1g-dev
)
# scripts/test-servers.sh runs mariadbd and PostgreSQL in user space and finds free ports
# with ss (iproute2). mariadb-test-data ships binlogs written by MySQL 8.0 and older MariaDB
# servers (its std_data/), which the binlog decoder's tests read. sysbench writes the load of
# the change-capture soak test (tests/hardening/cdc_kill_soak_test.cc).
test_packages=(
  libgtest-dev libgmock-dev
  mariadb-server mariadb-client postgresql postgresql-client iproute2
  mariadb-test-data sysbench
)
# The bench/ scripts measure with /usr/bin/time and compare with pgloader and mydumper;
# bench/cdc_mariadb_to_pg.sh writes its steady load and computes the lag with python3.
bench_packages=(
  time pgloader mydumper python3
)

case "$profile" in
  build) packages=("${build_packages[@]}") ;;
  test) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  bench) packages=("${build_packages[@]}" "${test_packages[@]}" "${bench_packages[@]}") ;;
  *)
    echo "install-deps: unknown profile '$profile' (expected build, test or bench)" >&2
    exit 2
    ;;
esac
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps ($profile): installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
