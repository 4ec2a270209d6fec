# The builds behind the README's two commands. Installing packages is its
# own step (make setup, or sh scripts/setup-debian.sh as root): no build
# target runs apt.
#   make demo   build, run the oracle on a shipped task, write pictures
#   make test   build, run every test (CTest: unit, CLI contract, specs, install),
#               then the attacks on the sandbox and the fuzz corpora again in an
#               AddressSanitizer + UBSan build (sanitize-smoke)
#   make install PREFIX=DIR   bin/, lib/ (libgensim, gensim.pc, the Lua module),
#               include/gensim/, share/gensim/
# Also: make sanitize (ASan+UBSan build and tests), make valgrind, make bench.

BUILD ?= build
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local

.PHONY: all setup build demo test install sanitize sanitize-smoke valgrind bench lint clean

all: build

setup:
	sh scripts/setup-debian.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/gensim-run place-red-in-green --episodes 5 --render out/demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) sanitize-smoke

# The hostile-task corpus, the sandbox's and the worker's unit tests and
# every fuzz target's corpus and mutations, under ASan + UBSan.
sanitize-smoke:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGS_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) \
		-R '^(hostile|test_sandbox|test_worker)$$'
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -L fuzz

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

sanitize:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGS_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

valgrind:
	cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGS_VALGRIND=ON >/dev/null
	cmake --build build-valgrind -j $(JOBS)
	cd build-valgrind && ctest --output-on-failure -j $(JOBS) -L unit

bench: build
	sh bench/run.sh $(BUILD)

lint:
	luacheck --no-color spec scripts tasks plugins bench/tasks

clean:
	rm -rf $(BUILD) build-asan build-valgrind out
