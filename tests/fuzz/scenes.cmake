# Fuzz targets for the scene readers (URDF and OBJ): tests/fuzz/fuzz_urdf.c
# and fuzz_obj.c export libFuzzer's entry point. By default each links
# tests/fuzz/scene_replay.c, a plain program CTest runs over the target's
# corpus (tests/fuzz/corpus/NAME: the shipped files, the bad fixtures)
# with a fixed number of deterministic mutants of each input, under ASan and
# UBSan in the GS_SANITIZE build. With -DGS_LIBFUZZER=ON (clang) the core
# is instrumented for coverage and the targets link libFuzzer instead; CTest
# then replays the corpus (-runs=0) and longer runs are by hand:
#   build/fuzz/fuzz_urdf -dict=tests/fuzz/urdf.dict tests/fuzz/corpus/urdf
option(GS_LIBFUZZER "Build the fuzz targets with clang's libFuzzer instead of the plain driver" OFF)
set(GS_SCENE_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
if(GS_LIBFUZZER)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GS_LIBFUZZER needs clang: -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # the GCC-only warning and optimisation flags some sources carry are
  # ignored, not errors
  target_compile_options(gensim_objects PRIVATE -fsanitize=fuzzer-no-link,address,undefined -Wno-unknown-warning-option
                         -Wno-unused-command-line-argument -Wno-ignored-optimization-argument)
  # the policy kernels' loop flag is GCC's
  set_source_files_properties(${PROJECT_SOURCE_DIR}/core/src/policy/tensor.c ${PROJECT_SOURCE_DIR}/core/src/policy/policy.c
                              PROPERTIES COMPILE_OPTIONS "-O3")
endif()
foreach(name urdf obj)
  set(target fuzz_${name})
  if(GS_LIBFUZZER)
    add_executable(${target} ${GS_SCENE_FUZZ_DIR}/fuzz_${name}.c)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    add_test(NAME ${target} COMMAND ${target} -runs=0 ${GS_SCENE_FUZZ_DIR}/corpus/${name}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  else()
    add_executable(${target} ${GS_SCENE_FUZZ_DIR}/fuzz_${name}.c ${GS_SCENE_FUZZ_DIR}/scene_replay.c)
    add_test(NAME ${target}
             COMMAND ${GS_TEST_WRAP} $<TARGET_FILE:${target}> -mutations=200 -dict=${GS_SCENE_FUZZ_DIR}/${name}.dict
                     ${GS_SCENE_FUZZ_DIR}/corpus/${name}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  endif()
  target_link_libraries(${target} PRIVATE gensim_static)
  set_target_properties(${target} PROPERTIES LINKER_LANGUAGE CXX RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  set_tests_properties(${target} PROPERTIES TIMEOUT 300 LABELS fuzz)
endforeach()
