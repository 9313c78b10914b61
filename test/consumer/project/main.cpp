// A user's program built against the library (installed, packaged, or built from source inside
// its own project): it must compile, link and run. It prints the version and checks a request
// offline with the library's validation rules.
#include <openai/requests.hpp>
#include <openai/validation.hpp>
#include <openai/version.hpp>

#include <cstdio>
#include <cstring>

int main() {
    // Links against compiled symbols so that a missing library fails here, not only headers.
    const char* v = openai::version_string();
    std::printf("openai_images %s\n", v);
    if (std::strcmp(v, openai::header_version_string) != 0) {
        std::fprintf(stderr, "headers %s, library %s\n", openai::header_version_string, v);
        return 1;
    }
    openai::generate_request req;
    req.prompt = "a lighthouse at dawn";
    req.model = openai::models::gpt_image_1;
    req.quality = openai::image_quality("max"); // a GPT Image 2.5 quality: refused offline
    const auto refused = openai::validate(req);
    req.quality = openai::image_quality("high");
    const auto accepted = openai::validate(req);
    if (!refused || refused.param != "quality" || accepted) {
        std::fprintf(stderr, "validation: unexpected verdicts\n");
        return 1;
    }
    return 0;
}
