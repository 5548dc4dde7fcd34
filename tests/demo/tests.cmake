# SPDX-License-Identifier: BSD-2-Clause
# `synfin demo` (tools/demo/): included from tests/CMakeLists.txt.
#
#   demo_all_check          every scenario's own expectations (synfin demo all --check)
#   demo_golden_<ID>        the ASCII diagram and explanation, the Chinese one and the
#                           JSON trace, compared with tests/demo/golden/ (regenerate
#                           with tests/demo/update-golden.sh)
#   demo_golden_complete    every scenario has golden files and no golden file is stale
#   demo_cli                options, knobs, errors, colour, the default scenario
#   demo_pcap_tshark        every captured packet decodes as TCP, checksums good
#   demo_svg                every SVG is well-formed (xmllint) and renders (rsvg-convert)
#   docs_demo_diagrams      every diagram embedded in docs/demo/README*.md is what the
#                           demo draws now (tools/demo/update-docs.sh --check; refresh
#                           them with tools/demo/update-docs.sh)
set(SYNFIN_DEMO_TESTS ${CMAKE_CURRENT_LIST_DIR})
set(SYNFIN_DEMO_WORK ${CMAKE_CURRENT_BINARY_DIR}/demo-work)

add_test(NAME demo_all_check COMMAND synfin demo all --check)

file(GLOB SYNFIN_DEMO_GOLDEN CONFIGURE_DEPENDS ${SYNFIN_DEMO_TESTS}/golden/*.txt)
foreach(golden ${SYNFIN_DEMO_GOLDEN})
  get_filename_component(id ${golden} NAME_WLE)
  add_test(NAME demo_golden_${id}
    COMMAND sh ${SYNFIN_DEMO_TESTS}/check_golden.sh $<TARGET_FILE:synfin> ${SYNFIN_DEMO_TESTS}/golden ${id})
endforeach()
add_test(NAME demo_golden_complete
  COMMAND sh ${SYNFIN_DEMO_TESTS}/check_golden_complete.sh $<TARGET_FILE:synfin> ${SYNFIN_DEMO_TESTS}/golden)
add_test(NAME demo_cli COMMAND sh ${SYNFIN_DEMO_TESTS}/check_cli.sh $<TARGET_FILE:synfin>)
add_test(NAME demo_pcap_tshark
  COMMAND sh ${SYNFIN_DEMO_TESTS}/check_pcap.sh $<TARGET_FILE:synfin> ${SYNFIN_DEMO_WORK}/pcap)
add_test(NAME docs_demo_diagrams
  COMMAND sh ${SYNFIN_DEMO_TESTS}/../../tools/demo/update-docs.sh --check $<TARGET_FILE:synfin>)
add_test(NAME demo_svg COMMAND sh ${SYNFIN_DEMO_TESTS}/check_svg.sh $<TARGET_FILE:synfin> ${SYNFIN_DEMO_WORK}/svg)
# 77: a tool or the Chinese figures' font is missing (./run installs tshark,
# libxml2-utils, librsvg2-bin and fonts-wqy-zenhei).
set_tests_properties(demo_pcap_tshark demo_svg PROPERTIES SKIP_RETURN_CODE 77)
