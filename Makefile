# Convenience wrapper over CMake. `make run` builds and runs an example;
# `make test` builds everything and runs every test (ctest).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build run test sanitize-test fuzz clean

all: build

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/kite validate examples/hello.wat && echo "examples/hello.wat: valid"

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer, built
# with clang when present (its UBSan checks more, e.g. arithmetic on NULL).
SAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo cc)
sanitize-test:
	CC=$(SAN_CC) $(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DKITE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

# libFuzzer targets (clang): build-fuzz/fuzz_decode, build-fuzz/fuzz_text.
fuzz:
	CC=clang cmake -S . -B build-fuzz -DKITE_FUZZ=ON -DKITE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j $(JOBS)

clean:
	rm -rf build build-asan build-fuzz
