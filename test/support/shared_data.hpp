// Locating the reference data in ../shared (spec, SSE vectors) for tests labelled "shared".
#pragma once

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace openai::test {

// CTest sets OPENAI_IMAGES_SHARED_DIR for the "shared" entries; running by hand needs it too.
inline std::filesystem::path shared_dir() {
    const char* dir = std::getenv("OPENAI_IMAGES_SHARED_DIR");
    if (dir == nullptr || *dir == '\0')
        throw std::runtime_error(
            "OPENAI_IMAGES_SHARED_DIR is not set: run through ctest, or set it "
            "to the shared/ folder beside the checkout");
    return dir;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline boost::json::value read_shared_json(const std::string& relative) {
    return boost::json::parse(read_file(shared_dir() / relative));
}

} // namespace openai::test
