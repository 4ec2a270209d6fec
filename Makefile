# The two entry points of the README, and the builds they stand on.
#   make demo   set up, build, run the oracle on a shipped task, write pictures
#   make test   set up, build, run every test (CTest: unit, CLI contract, specs)
# Also: make sanitize (ASan+UBSan build and tests), make valgrind, make bench.

BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all setup build demo test sanitize valgrind bench lint clean

all: build

setup:
	sh scripts/setup-debian.sh

build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/gensim-run tasks/seed/place-red-in-green.lua --episodes 5 --render out/demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize: setup
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGS_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

valgrind: setup
	cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGS_VALGRIND=ON >/dev/null
	cmake --build build-valgrind -j $(JOBS)
	cd build-valgrind && ctest --output-on-failure -j $(JOBS) -L unit

bench: build
	sh bench/run.sh $(BUILD)

lint:
	luacheck --no-color spec scripts tasks

clean:
	rm -rf $(BUILD) build-asan build-valgrind out
