// libFuzzer's entry, compiled once per target with OPENAI_FUZZ_ENTRY naming its function.
#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    openai::fuzz::OPENAI_FUZZ_ENTRY(data, size);
    return 0;
}
