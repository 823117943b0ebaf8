# Convenience wrapper over CMake. `make run` builds the kite command (only
# it) and runs an example WASI program; `make test` builds everything and
# runs every test (ctest).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build run test sanitize-test tsan-test memcheck fuzz oom-sweep clean

all: build

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) --target kite -j $(JOBS)
	$(BUILD)/kite examples/hello-wasi.wat

# The spec testsuite is outside the repository (tests/CMakeLists.txt).
SPEC_TESTSUITE = ../shared/testsuite
test: build
	@status=0; ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) || status=$$?; \
	[ -d $(SPEC_TESTSUITE) ] || echo "NOTE: $(SPEC_TESTSUITE) not found: the spec conformance tests were SKIPPED (see README)"; \
	exit $$status

# The same suite under AddressSanitizer + UndefinedBehaviorSanitizer, built
# with clang when present (its UBSan checks more, e.g. arithmetic on NULL).
SAN_CC ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo cc)
sanitize-test:
	CC=$(SAN_CC) $(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DKITE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

# The threaded tests (ctest label "threads": the threads testsuites, the
# wasi-threads programs, kite's threaded programs and unit tests) under
# ThreadSanitizer (clang, build-tsan/); any report fails the run.
tsan-test:
	CC=clang cmake -S . -B build-tsan -DKITE_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-tsan -j $(JOBS)
	# Thread leaks are not reported: kite run ends the process on purpose
	# when a thread stays blocked in a host call after the program ended.
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 report_thread_leaks=0" \
	    ctest --test-dir build-tsan --output-on-failure -j $(JOBS) -L threads

# The tests under valgrind memcheck (tests/memcheck.sh): a build without
# sanitizers whose kite command is linked dynamically (build-memcheck/), so
# that valgrind sees every allocation. MEMCHECK picks the parts: all of
# them by default (unit tests, kite's scripts, the whole spec testsuite,
# the WASI programs; about TIME on 2 cores); `ci` is the slice CI runs.
MEMCHECK ?=
memcheck:
	cmake -S . -B build-memcheck -DKITE_STATIC_CLI=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-memcheck -j $(JOBS)
	JOBS=$(JOBS) tests/memcheck.sh build-memcheck $(MEMCHECK)

# libFuzzer targets (clang): build-fuzz/fuzz_decode, build-fuzz/fuzz_text.
# The complete out-of-memory sweep (ctest runs a sampled one): every
# allocation of the spec testsuite, kite's scripts and the WASI programs
# fails in turn; long (about an hour on 2 cores). STEP=N samples every N-th.
STEP ?= 1
oom-sweep: build
	tests/oom-sweep.sh $(BUILD)/kite $(STEP)

fuzz:
	CC=clang cmake -S . -B build-fuzz -DKITE_FUZZ=ON -DKITE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j $(JOBS)

clean:
	rm -rf build build-asan build-fuzz build-tsan build-memcheck
