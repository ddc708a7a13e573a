# The two commands a new user needs:
#   make quickstart   install what is missing, build, run an example job (SQLite -> CSV)
#   make test         install what is missing, build, run every test
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps build test unit e2e quickstart bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L unit

e2e: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -L e2e

quickstart: build
	@bash examples/quickstart/run.sh $(BUILD_DIR)/sluice

bench: build
	@bash bench/sqlite_to_csv.sh $(BUILD_DIR)/sluice

format:
	@find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
