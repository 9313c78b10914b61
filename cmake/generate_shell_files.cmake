# Script mode: writes the shell completions and the man page that the CLI prints into DIR.
#   cmake -DCLI=path/to/openai-images -DDIR=out -P generate_shell_files.cmake
file(MAKE_DIRECTORY "${DIR}")
function(print_to file)
    execute_process(COMMAND "${CLI}" ${ARGN} OUTPUT_FILE "${DIR}/${file}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${CLI} ${ARGN} failed (${rc})")
    endif()
endfunction()
print_to(openai-images.bash completion bash)
print_to(_openai-images completion zsh)
print_to(openai-images.fish completion fish)
print_to(openai-images.1 man)
# Debian installs manual pages compressed, without a timestamp in the gzip header (-n).
execute_process(COMMAND gzip -9nc "${DIR}/openai-images.1" OUTPUT_FILE "${DIR}/openai-images.1.gz"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip failed (${rc})")
endif()
