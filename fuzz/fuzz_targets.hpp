// The entry point of every fuzz target: a plain function that libFuzzer's main (libfuzzer_main.cpp)
// and the regression replay of the unit tests (test/unit/fuzz_regressions_test.cpp) both call.
// Each checks its own invariants and aborts when one fails; sanitizers catch the rest.
#pragma once

#include <cstddef>
#include <cstdint>

namespace openai::fuzz {

void fuzz_sse_parser(const std::uint8_t* data, std::size_t size);
void fuzz_images_response(const std::uint8_t* data, std::size_t size);
void fuzz_event_decoder(const std::uint8_t* data, std::size_t size);
void fuzz_chunked_decoder(const std::uint8_t* data, std::size_t size);
void fuzz_http_head(const std::uint8_t* data, std::size_t size);
void fuzz_base64(const std::uint8_t* data, std::size_t size);
void fuzz_image_sniff(const std::uint8_t* data, std::size_t size);
void fuzz_multipart(const std::uint8_t* data, std::size_t size);
void fuzz_batch_input(const std::uint8_t* data, std::size_t size);
void fuzz_batch_output(const std::uint8_t* data, std::size_t size);
void fuzz_emulator_batch_lines(const std::uint8_t* data, std::size_t size);

} // namespace openai::fuzz
