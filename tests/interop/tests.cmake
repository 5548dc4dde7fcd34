# SPDX-License-Identifier: BSD-2-Clause
# The interop suite (tests/interop/run.sh): synfin over a TUN device against
# the kernel's TCP, inside a network namespace the script creates and deletes.
# Registered only where it can run: as root, with /dev/net/tun, ip, python3,
# tshark, curl and nft present.
find_program(SYNFIN_IP ip)
find_program(SYNFIN_TSHARK tshark)
find_program(SYNFIN_CURL curl)
find_program(SYNFIN_PYTHON3 python3)
find_program(SYNFIN_NFT nft PATHS /usr/sbin /sbin)
find_program(SYNFIN_BASH bash)
execute_process(COMMAND id -u OUTPUT_VARIABLE SYNFIN_UID OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(SYNFIN_IP AND SYNFIN_TSHARK AND SYNFIN_CURL AND SYNFIN_PYTHON3 AND SYNFIN_NFT AND SYNFIN_BASH
   AND EXISTS /dev/net/tun AND SYNFIN_UID STREQUAL "0")
  add_test(NAME interop COMMAND ${SYNFIN_BASH} ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:synfin>)
  set_tests_properties(interop PROPERTIES TIMEOUT 420 RUN_SERIAL TRUE LABELS interop)
else()
  message(STATUS "interop test not registered (needs root, /dev/net/tun, ip, tshark, curl, python3, nft)")
endif()
