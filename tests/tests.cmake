# One executable per module: tests/test_<module>.c. Each links the core and
# runs from the source tree so fixtures resolve.
file(GLOB GS_TEST_C CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/test_*.c)
if(GS_VALGRIND)
  find_program(VALGRIND valgrind REQUIRED)
  # (a forked child, such as the dataset reader's checking process, is not
  # followed: it leaves by _exit with the parent's heap)
  set(GS_TEST_WRAP ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect -q
      --child-silent-after-fork=yes)
endif()
foreach(src ${GS_TEST_C})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE gensim_static)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/core/src)
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${GS_TEST_WRAP} $<TARGET_FILE:${name}> WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS unit)
  if(GS_VALGRIND)
    # memcheck runs the training and data tests some 40 times slower
    set_tests_properties(${name} PROPERTIES ENVIRONMENT GS_UNDER_VALGRIND=1 TIMEOUT 2400)
  endif()
endforeach()

# The command-line contract: bad inputs, statuses and JSON fields.
add_test(NAME cli_contract COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli_contract.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_contract PROPERTIES TIMEOUT 900 LABELS cli)

# The bench's own tasks load, solve, and (a re-scored seed task) build the
# seed task's scene.
add_test(NAME bench_tasks COMMAND sh ${PROJECT_SOURCE_DIR}/tests/bench_tasks.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(bench_tasks PROPERTIES TIMEOUT 900 LABELS cli)

# Busted specs, run inside the real host binary.
add_test(NAME spec COMMAND ${CMAKE_BINARY_DIR}/gensim lua ${PROJECT_SOURCE_DIR}/scripts/busted.lua
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(spec PROPERTIES TIMEOUT 600 LABELS spec)

# docs/task-api.md is what scripts/task_api_doc.lua writes from the tables.
add_test(NAME task_api_doc COMMAND ${CMAKE_BINARY_DIR}/gensim lua scripts/task_api_doc.lua --check docs/task-api.md
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(task_api_doc PROPERTIES TIMEOUT 60 LABELS lint)

# Static checks of every trusted, task and plugin Lua file (.luacheckrc).
find_program(LUACHECK luacheck)
if(LUACHECK)
  add_test(NAME luacheck COMMAND ${LUACHECK} --no-color spec scripts tasks plugins bench/tasks
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(luacheck PROPERTIES TIMEOUT 120 LABELS lint)
endif()

# The shipped plugins pass their own check: each task up the validation
# ladder, each kind, the plugin's Busted specs.
foreach(plugin ravens workshop)
  add_test(NAME plugin_check_${plugin} COMMAND ${CMAKE_BINARY_DIR}/gensim plugin check ${plugin}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(plugin_check_${plugin} PROPERTIES TIMEOUT 600 LABELS spec)
endforeach()

# gensim demos end to end: statuses, JSON, the file through the reader and
# h5dump, test seeds apart from train seeds, an interrupted recording.
add_test(NAME demos_cli COMMAND sh ${PROJECT_SOURCE_DIR}/tests/demos_cli.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(demos_cli PROPERTIES TIMEOUT 600 LABELS cli)

# Whole episodes under memcheck in the valgrind build: uninitialised reads
# (which the sanitizers do not see) in the oracle, the robot or the bindings.
if(GS_VALGRIND)
  foreach(task stack-block-tower towers-of-hanoi sweeping-piles)
    add_test(NAME valgrind_${task}
             COMMAND ${GS_TEST_WRAP} ${CMAKE_BINARY_DIR}/gensim-run tasks/seed/${task}.lua --episodes 1 --quiet
                     --timeout-s 500 # memcheck runs Lua some 40 times slower
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    # in process: memcheck is silent in forked children, and the episode is
    # what it must see
    set_tests_properties(valgrind_${task} PROPERTIES TIMEOUT 600 LABELS unit ENVIRONMENT GENSIM_IN_PROCESS=1)
  endforeach()
endif()

# gensim generate end to end with no network: the loopback mock server (its
# faults included), replay from the transcript, and --llm-cmd.
add_test(NAME generate_e2e COMMAND ${CMAKE_BINARY_DIR}/gensim lua tests/generate_e2e.lua ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(generate_e2e PROPERTIES TIMEOUT 300 LABELS cli)

# The reward search of gensim generate (Eureka's loop) at a tiny budget:
# through the mock server, then offline from a committed transcript.
add_test(NAME reward_e2e COMMAND ${CMAKE_BINARY_DIR}/gensim lua tests/reward_e2e.lua ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(reward_e2e PROPERTIES TIMEOUT 300 LABELS cli)

# The scripted OpenAI-compatible server test_llm and generate_e2e talk to.
add_executable(mock_openai ${PROJECT_SOURCE_DIR}/tests/mock_openai.c)
target_link_libraries(mock_openai PRIVATE PkgConfig::CJSON)
set_target_properties(mock_openai PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
set_tests_properties(test_llm PROPERTIES ENVIRONMENT "GS_MOCK_OPENAI=$<TARGET_FILE:mock_openai>" TIMEOUT 120)

# gensim validate and gensim library list/show/remove/stats/export-finetune:
# statuses, JSON fields, help, a library built through gensim.library.
add_test(NAME library_cli COMMAND sh ${PROJECT_SOURCE_DIR}/tests/library_cli.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(library_cli PROPERTIES TIMEOUT 900 LABELS cli)

# gensim train, eval and gensim-run --policy: statuses on bad data and
# checkpoints, then a tiny real train, resume, interrupt and evaluation.
add_test(NAME policy_cli COMMAND sh ${PROJECT_SOURCE_DIR}/tests/policy_cli.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(policy_cli PROPERTIES TIMEOUT 300 LABELS cli)

# The layers of the core: no include runs from a lower module to a higher
# one, public headers reach no internal or foreign header, the command line
# sees the public API only.

add_test(NAME include_order COMMAND ${LUA54} ${PROJECT_SOURCE_DIR}/tests/include_order.lua ${PROJECT_SOURCE_DIR})
set_tests_properties(include_order PROPERTIES TIMEOUT 60 LABELS lint)

# An installed gensim, from /: a task by name, a moved prefix, generate
# through the mock, a C program by pkg-config, LuaJIT's FFI, luarocks make.
add_test(NAME install COMMAND sh ${PROJECT_SOURCE_DIR}/tests/install.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(install PROPERTIES TIMEOUT 1200 LABELS cli)
if(GS_SANITIZE)
  set_tests_properties(install PROPERTIES ENVIRONMENT "GS_INSTALL_SANITIZED=1")
endif()

# The hostile-task corpus (tests/hostile/): every attack ends, within its
# limits, with the expected message, and writes nothing outside its folder.
add_test(NAME hostile COMMAND sh ${PROJECT_SOURCE_DIR}/tests/hostile.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile PROPERTIES TIMEOUT 900 LABELS cli)
if(GS_SANITIZE)
  # the sanitizers' shadow memory is not the task's
  set_tests_properties(hostile PROPERTIES ENVIRONMENT "HOSTILE_OVERHEAD_MB=1024;HOSTILE_GUARD_S=120;HOSTILE_TIMEOUT_S=10")
endif()

# Scale-out end to end: --jobs and --shard give the serial outputs (files
# byte for byte, the same JSON), parts merge into the serial dataset, a
# killed worker is run again and --resume finishes a failed run.
add_test(NAME scale_cli COMMAND sh ${PROJECT_SOURCE_DIR}/tests/scale_cli.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(scale_cli PROPERTIES TIMEOUT 900 LABELS cli)

# The Slurm recipes (scripts/slurm/) through a fake sbatch that runs each
# array index as a local process: arrays, afterok merges, a requeued shard,
# a failed shard, an installed prefix run from another folder.
add_test(NAME slurm COMMAND sh ${PROJECT_SOURCE_DIR}/tests/slurm.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(slurm PROPERTIES TIMEOUT 600 LABELS cli)

# Plugins from a fresh folder: the plugin path seen by every command, API
# majors, name clashes, broken manifests, a hostile plugin, plugin new.
add_test(NAME plugin_cli COMMAND sh ${PROJECT_SOURCE_DIR}/tests/plugin_cli.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(plugin_cli PROPERTIES TIMEOUT 600 LABELS cli)

# Fuzz targets for the parsers of hostile input (the scene readers, URDF
# and OBJ, among them): each replays its corpus (seeds and past findings)
# and runs a short fixed-seed mutation loop.
include(${PROJECT_SOURCE_DIR}/tests/fuzz/fuzz.cmake)

# gensim curriculum at tiny sizes: state, report and plot; a stopped and a
# SIGINT-killed run resume without redoing a finished step; bad curricula.
add_test(NAME curriculum_cli COMMAND sh ${PROJECT_SOURCE_DIR}/tests/curriculum_cli.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(curriculum_cli PROPERTIES TIMEOUT 600 LABELS cli)

# The shipped generated library made again offline from its transcripts:
# every task's code byte for byte (tasks/generated/transcripts/runs.txt).
add_test(NAME generated_replay COMMAND sh ${PROJECT_SOURCE_DIR}/tests/generated_replay.sh ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(generated_replay PROPERTIES TIMEOUT 900 LABELS cli)

# A generation campaign in shards, merged, equals the campaign run whole:
# the same tasks and records (times aside), near duplicates left out.
add_test(NAME scale_generate COMMAND ${CMAKE_BINARY_DIR}/gensim lua tests/scale_generate.lua ${CMAKE_BINARY_DIR}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(scale_generate PROPERTIES TIMEOUT 600 LABELS cli)
