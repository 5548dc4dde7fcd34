# SPDX-License-Identifier: BSD-2-Clause
# Simulator tests that need more than cmocka. Included from tests/CMakeLists.txt,
# so CMAKE_CURRENT_SOURCE_DIR and CMAKE_CURRENT_BINARY_DIR are those of tests/;
# this file's own directory is CMAKE_CURRENT_LIST_DIR, captured here because
# that variable changes meaning inside functions called later.
set(SYNFIN_SIM_TEST_DIR "${CMAKE_CURRENT_LIST_DIR}")

# The simulator's pcap of a scripted TCP exchange over a corrupting,
# duplicating link, checked by tshark's own dissectors and checksum checks.
add_executable(sim_pcap_tshark "${SYNFIN_SIM_TEST_DIR}/pcap_tshark.c")
target_link_libraries(sim_pcap_tshark PRIVATE synfin_objects synfin_drivers)
target_include_directories(sim_pcap_tshark PRIVATE "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/drivers")
add_test(NAME sim_pcap_tshark
	COMMAND bash "${SYNFIN_SIM_TEST_DIR}/check_pcap_tshark.sh"
		$<TARGET_FILE:sim_pcap_tshark> "${CMAKE_CURRENT_BINARY_DIR}/sim_pcap_tshark.work")

# The simulator's pcapng capture of a TCP transfer over faulty links, read
# back by tshark: every drop commented with its reason, every duplicated or
# corrupted delivery marked, no comment on the others, nanosecond times.
add_executable(sim_pcapng_tshark "${SYNFIN_SIM_TEST_DIR}/pcapng_tshark.c")
target_link_libraries(sim_pcapng_tshark PRIVATE synfin_objects synfin_drivers)
target_include_directories(sim_pcapng_tshark PRIVATE "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/drivers")
add_test(NAME sim_pcapng_tshark_comments
	COMMAND bash "${SYNFIN_SIM_TEST_DIR}/check_pcapng_tshark.sh"
		$<TARGET_FILE:sim_pcapng_tshark> "${CMAKE_CURRENT_BINARY_DIR}/sim_pcapng_tshark.work")

# `./run sim` (tests/sim/sim.sh): more seeds in parallel slices. A few seeds
# beyond CI's range keep the command itself working; a bad argument is refused.
add_test(NAME sim_command
	COMMAND sh "${SYNFIN_SIM_TEST_DIR}/sim.sh" "${CMAKE_BINARY_DIR}" --seeds 6 --from 1000001 --jobs 2)
set_tests_properties(sim_command PROPERTIES
	PASS_REGULAR_EXPRESSION "random world: 3 seeds.*random lifecycles: seeds 1000001\\.\\.1000003 passed.*all seeds passed")
add_test(NAME sim_command_rejects_bad_arguments
	COMMAND sh -c "sh '${SYNFIN_SIM_TEST_DIR}/sim.sh' '${CMAKE_BINARY_DIR}' --seeds 0; test $? -eq 2")
