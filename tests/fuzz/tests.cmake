# SPDX-License-Identifier: BSD-2-Clause
# libFuzzer targets (clang only): -DSYNFIN_FUZZ=ON builds them; the ctest
# entries run each for a short fixed time from its checked-in seed corpus.
if(SYNFIN_FUZZ)
  foreach(target fuzz_wire fuzz_stack fuzz_api)
    add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.c)
    target_link_libraries(${target} PRIVATE synfin_objects)
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
    set(corpus ${CMAKE_CURRENT_BINARY_DIR}/${target}.corpus)
    add_test(NAME ${target}
      COMMAND sh -c "rm -rf '${corpus}' && mkdir -p '${corpus}' && cp '${CMAKE_CURRENT_LIST_DIR}/corpus/${target}'/* '${corpus}/' && '$<TARGET_FILE:${target}>' -max_total_time=${SYNFIN_FUZZ_SECONDS} -print_final_stats=1 '${corpus}'")
  endforeach()
endif()
