# examples/compare_outputs.cmake — runs the three directory examples (C, C++, Python)
# and fails unless their outputs are identical to each other and to directory.expected,
# which holds the resolutions DEMO.md prescribes.
#
# Run by ctest as: cmake -DC_PROGRAM=... -DCXX_PROGRAM=... -DPYTHON=... -DPYTHON_SCRIPT=...
#   -DMAILFOUNTAIN_LIB=... [-DPRELOAD=...] -DEXPECTED=... -DWORK_DIR=... -P compare_outputs.cmake
# Each output is also written to WORK_DIR/<name>.out for inspection.

foreach(var C_PROGRAM CXX_PROGRAM PYTHON PYTHON_SCRIPT MAILFOUNTAIN_LIB EXPECTED WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compare_outputs.cmake: -D${var}=... is required")
  endif()
endforeach()

set(python_env MAILFOUNTAIN_LIB=${MAILFOUNTAIN_LIB})
if(PRELOAD)
  list(APPEND python_env LD_PRELOAD=${PRELOAD} ASAN_OPTIONS=detect_leaks=0)
endif()

set(command_c ${C_PROGRAM})
set(command_cpp ${CXX_PROGRAM})
set(command_python ${CMAKE_COMMAND} -E env ${python_env} ${PYTHON} ${PYTHON_SCRIPT})

file(MAKE_DIRECTORY ${WORK_DIR})
foreach(name c cpp python)
  execute_process(COMMAND ${command_${name}}
                  OUTPUT_VARIABLE output_${name}
                  ERROR_VARIABLE errors
                  RESULT_VARIABLE result)
  file(WRITE ${WORK_DIR}/${name}.out "${output_${name}}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "the ${name} example failed (${result}):\n${errors}\n"
                        "its output:\n${output_${name}}")
  endif()
endforeach()

if(NOT output_c STREQUAL output_cpp OR NOT output_c STREQUAL output_python)
  message(FATAL_ERROR "the examples disagree (outputs in ${WORK_DIR}):\n"
                      "--- C:\n${output_c}--- C++:\n${output_cpp}--- Python:\n${output_python}")
endif()

file(READ ${EXPECTED} expected)
if(NOT output_c STREQUAL expected)
  message(FATAL_ERROR "the examples agree, but not with ${EXPECTED}:\n"
                      "--- expected:\n${expected}--- got:\n${output_c}")
endif()
message(STATUS "C, C++ and Python examples print the same resolutions, as expected")
