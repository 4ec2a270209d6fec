# Fuzz targets for every parser of hostile input (tests/fuzz/fuzz_NAME.c).
#
# By default each links tests/fuzz/driver.c, a plain program: CTest's
# fuzz_NAME replays tests/fuzz/corpus/NAME (seeds and every past finding)
# and then runs a short mutation loop with a fixed seed, so the same
# inputs run every time; in the GS_SANITIZE build both run under ASan and
# UBSan. With -DGS_LIBFUZZER=ON (clang) the same files link libFuzzer
# instead; bench/fuzz.sh runs either kind for longer.
set(GS_FUZZ_TARGETS dataset policy replay task pattern unpack plugins urdf obj)
# Mutated inputs per target in CTest: one to three seconds each in the
# plain build, five to eight under the sanitizers; all five together well
# under a minute.
set(GS_FUZZ_RUNS_dataset 150)
set(GS_FUZZ_RUNS_policy 1000)
set(GS_FUZZ_RUNS_replay 2000)
set(GS_FUZZ_RUNS_task 1500)
set(GS_FUZZ_RUNS_pattern 3000)
set(GS_FUZZ_RUNS_unpack 2000)
set(GS_FUZZ_RUNS_plugins 2000)
set(GS_FUZZ_RUNS_urdf 15000)
set(GS_FUZZ_RUNS_obj 30000)
set(GS_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz-artifacts)

foreach(name ${GS_FUZZ_TARGETS})
  set(target fuzz_${name})
  if(GS_LIBFUZZER)
    add_executable(${target} ${GS_FUZZ_DIR}/fuzz_${name}.c ${GS_FUZZ_DIR}/fuzz_util.c)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${target} ${GS_FUZZ_DIR}/fuzz_${name}.c ${GS_FUZZ_DIR}/fuzz_util.c ${GS_FUZZ_DIR}/driver.c)
    # The driver sees every allocation of the targets and the library, for
    # -malloc_limit_mb and its leak check.
    target_link_options(${target} PRIVATE
      "LINKER:--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free")
  endif()
  target_link_libraries(${target} PRIVATE gensim_static)
  target_include_directories(${target} PRIVATE ${GS_FUZZ_DIR} ${PROJECT_SOURCE_DIR}/core/src)
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  if(GS_LIBFUZZER)
    # libFuzzer: replay the corpus only (-runs=0); bench/fuzz.sh fuzzes.
    add_test(NAME ${target} COMMAND ${target} -runs=0 ${GS_FUZZ_DIR}/corpus/${name}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  else()
    # Under valgrind (GS_VALGRIND) the corpus is replayed only, with time
    # for the dataset reader's checking child to get through an episode.
    set(mutate -runs=${GS_FUZZ_RUNS_${name}} -seed=1 -max_total_time=25 -timeout=60)
    if(GS_VALGRIND)
      set(mutate -timeout=300)
    endif()
    add_test(NAME ${target}
             COMMAND ${GS_TEST_WRAP} $<TARGET_FILE:${target}> ${mutate}
                     -dict=${GS_FUZZ_DIR}/${name}.dict -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz-artifacts/${name}-
                     ${GS_FUZZ_DIR}/corpus/${name}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    # The dataset reader's checking child gets an episode done in
    # milliseconds; a second leaves room for a loaded machine.
    if(GS_VALGRIND)
      set_tests_properties(${target} PROPERTIES ENVIRONMENT GENSIM_DATASET_CHECK_MS=10000)
    else()
      set_tests_properties(${target} PROPERTIES ENVIRONMENT GENSIM_DATASET_CHECK_MS=1000)
    endif()
  endif()
  set_tests_properties(${target} PROPERTIES TIMEOUT 600 LABELS fuzz)
endforeach()

# The synthetic seeds of the corpora (tests/fuzz/make_corpus.sh).
add_executable(fuzz_make_seeds ${GS_FUZZ_DIR}/make_seeds.c)
target_link_libraries(fuzz_make_seeds PRIVATE gensim_static)
set_target_properties(fuzz_make_seeds PROPERTIES LINKER_LANGUAGE CXX RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
