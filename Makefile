# The two commands a new user needs:
#   make quickstart   install what the build needs, build the sluice binary, run an example job
#                     (SQLite -> CSV)
#   make test         also install the test servers (MariaDB, PostgreSQL) and GoogleTest, build
#                     everything, run every test
# Packages by profile: scripts/install-deps.sh build | test | bench.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps test-deps bench-deps configure binary build test unit e2e quickstart bench \
	format clean

all: build

deps:
	@bash scripts/install-deps.sh build

test-deps:
	@bash scripts/install-deps.sh test

bench-deps:
	@bash scripts/install-deps.sh bench

configure:
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

# Only the binary: what the quickstart runs.
binary: deps configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target sluice

# The binary and every test.
build: test-deps configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit

e2e: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L e2e

quickstart: binary
	@bash examples/quickstart/run.sh $(BUILD_DIR)/sluice

bench: binary
	@bash bench/sqlite_to_csv.sh $(BUILD_DIR)/sluice

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
