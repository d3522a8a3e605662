#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what is missing, builds with warnings as
# errors, runs every test (valgrind included) against FerretDB, the MongoDB-facing ones
# (label "wire") again against mongo-java-server, then builds and runs them all again under
# AddressSanitizer + UndefinedBehaviorSanitizer, runs each fuzz target (libFuzzer, ASan+UBSan)
# for a bounded time, and checks the formatting.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh build -DSNAPCTL_WERROR=ON
ctest --test-dir build --output-on-failure -j"$jobs"
SNAPCTL_TEST_MONGO_SERVER=java ctest --test-dir build --output-on-failure -j"$jobs" -L wire

scripts/setup.sh build-asan -DSNAPCTL_WERROR=ON -DSNAPCTL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs"

scripts/setup.sh build-fuzz -DCMAKE_C_COMPILER=clang -DSNAPCTL_FUZZ=ON -DSNAPCTL_TESTS=OFF \
	-DSNAPCTL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug
ctest --test-dir build-fuzz --output-on-failure -j"$jobs"

git ls-files -- '*.c' '*.h' | xargs clang-format --dry-run --Werror
echo "test.sh: all tests passed"
