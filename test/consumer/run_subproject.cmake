# Script mode: configure test/consumer/subproject, which takes openai_images in with
# add_subdirectory (HOW=add_subdirectory) or FetchContent from a file:// tarball of the sources
# (HOW=FetchContent; the tarball holds only what a library build needs: CMakeLists.txt, cmake/,
# include/, src/). BUILD=ON also builds the consumer program (and so the library) and runs it.
function(run)
    execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "command failed (${rc}): ${ARGV}")
    endif()
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(args -DHOW=${HOW})
if(HOW STREQUAL "FetchContent")
    run(${CMAKE_COMMAND} -E chdir "${SOURCE_DIR}"
        ${CMAKE_COMMAND} -E tar czf "${WORK}/openai_images-src.tar.gz" CMakeLists.txt cmake include src)
    list(APPEND args "-DOPENAI_IMAGES_URL=file://${WORK}/openai_images-src.tar.gz")
else()
    list(APPEND args "-DOPENAI_IMAGES_SOURCE=${SOURCE_DIR}")
endif()
# No build type: no optimisation and no debug info, the quickest compilation of the library (the
# test is about the project's structure, not its code).
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/test/consumer/subproject" -B "${WORK}/build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE= ${args})
if(BUILD)
    run(${CMAKE_COMMAND} --build "${WORK}/build" --target consumer)
    run("${WORK}/build/consumer")
endif()
