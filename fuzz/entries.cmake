# The fuzz targets' entry functions (fuzz/targets/*.cpp) as a static library, with the few tool
# sources they exercise. Used twice: by the libFuzzer programs of the fuzz preset (fuzz/), and by
# the unit tests, which replay the corpus and every regression input through the same functions.
function(openai_images_add_fuzz_entries name)
    set(root "${PROJECT_SOURCE_DIR}")
    file(GLOB entries CONFIGURE_DEPENDS "${root}/fuzz/targets/*.cpp")
    add_library(${name} STATIC ${entries}
        "${root}/tools/emulator/multipart_parser.cpp"
        "${root}/tools/emulator/batch_lines.cpp"
        "${root}/tools/emulator/image_probe.cpp"
        "${root}/tools/emulator/image_format.cpp"
        "${root}/tools/cli/batch_input.cpp")
    target_include_directories(${name}
        PUBLIC "${root}/fuzz"
        PRIVATE "${root}/src" "${root}/tools" "${root}/tools/cli")
    target_link_libraries(${name} PUBLIC openai_images_codec Boost::headers
                                  PRIVATE openai_images_warnings)
endfunction()
