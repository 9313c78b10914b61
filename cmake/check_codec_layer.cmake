# Fails when a file of src/codec includes, directly or through our own headers ("codec/...",
# <openai/...>), a header of Asio or Beast, of a layer above (api/, transport/), or of socket or
# file I/O. Codec is the sans-I/O core: pure functions and byte-fed state machines.
#
#   cmake -DSOURCE_DIR=<checkout> [-DSTAMP=<file touched on success>] -P check_codec_layer.cmake
#
# <filesystem> stays allowed for std::filesystem::path in the public request types.
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
    message(FATAL_ERROR "check_codec_layer.cmake: SOURCE_DIR is not set")
endif()

set(forbidden_regex
    "^(boost/asio|boost/beast|api/|transport/|fstream$|cstdio$|stdio\\.h$|unistd\\.h$|fcntl\\.h$|sys/socket\\.h$|sys/un\\.h$|netinet/|arpa/|netdb\\.h$|poll\\.h$|sys/epoll\\.h$|openssl/)")

file(GLOB_RECURSE pending "${SOURCE_DIR}/src/codec/*.hpp" "${SOURCE_DIR}/src/codec/*.cpp")
set(seen "")
set(problems "")
# Who brought a header in, for the message: "via_<file>" holds the includer chain.
foreach(f IN LISTS pending)
    set("via_${f}" "${f}")
endforeach()

while(pending)
    list(POP_FRONT pending file)
    if(file IN_LIST seen)
        continue()
    endif()
    list(APPEND seen "${file}")
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
        if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
            continue()
        endif()
        set(name "${CMAKE_MATCH_1}")
        if(name MATCHES "${forbidden_regex}")
            string(REPLACE "${SOURCE_DIR}/" "" chain "${via_${file}}")
            list(APPEND problems "  ${chain} includes ${name}")
            continue()
        endif()
        # Follow our own headers, so that a public header cannot carry Asio into codec.
        set(next "")
        if(EXISTS "${SOURCE_DIR}/src/${name}")
            set(next "${SOURCE_DIR}/src/${name}")
        elseif(EXISTS "${SOURCE_DIR}/include/${name}")
            set(next "${SOURCE_DIR}/include/${name}")
        endif()
        if(next AND NOT next IN_LIST seen)
            if(NOT DEFINED "via_${next}")
                set("via_${next}" "${via_${file}} -> ${next}")
            endif()
            list(APPEND pending "${next}")
        endif()
    endforeach()
endwhile()

if(problems)
    list(JOIN problems "\n" text)
    message(FATAL_ERROR "src/codec must not use Asio, Beast, the layers above it, sockets or file "
                        "I/O (see DESIGN.md, section 2):\n${text}")
endif()
if(STAMP)
    file(TOUCH "${STAMP}")
endif()
