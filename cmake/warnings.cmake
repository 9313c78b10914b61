# Warnings are errors in our own code when we are the top-level project; third-party headers come
# in as system includes. A project that takes openai_images in with add_subdirectory or
# FetchContent gets the warnings but not -Werror (OPENAI_IMAGES_WARNINGS_AS_ERRORS), so that
# another compiler version or optimisation level cannot break its build.
option(OPENAI_IMAGES_WARNINGS_AS_ERRORS "Treat warnings in openai_images' own code as errors"
       ${PROJECT_IS_TOP_LEVEL})
add_library(openai_images_warnings INTERFACE)
target_compile_options(openai_images_warnings INTERFACE
    -Wall -Wextra -Wpedantic $<$<BOOL:${OPENAI_IMAGES_WARNINGS_AS_ERRORS}>:-Werror>
    # Asio's awaitable frames trip these under g++ 12 (its frame allocator pairs aligned_alloc
    # with a sized delete); false positives that are not ours to fix.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-mismatched-new-delete>)
