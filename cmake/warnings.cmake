# Warnings are errors in our own code; third-party headers come in as system includes.
add_library(openai_images_warnings INTERFACE)
target_compile_options(openai_images_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Werror
    # Asio's awaitable frames trip these under g++ 12 (its frame allocator pairs aligned_alloc
    # with a sized delete); false positives that are not ours to fix.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-mismatched-new-delete>)
