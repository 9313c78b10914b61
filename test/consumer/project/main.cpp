// A user's program built against the installed package: it must compile, link and run.
#include <openai/version.hpp>

#include <cstdio>
#include <cstring>

int main() {
    // Links against a compiled symbol so that a missing library fails here, not only headers.
    const char* v = openai::version_string();
    std::printf("openai_images %s\n", v);
    return std::strlen(v) > 0 ? 0 : 1;
}
