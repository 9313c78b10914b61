// A fresh temporary directory for one end-to-end test of the programs, removed with everything
// in it when the test ends.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <stdlib.h>

namespace openai::test {

struct workspace {
    std::filesystem::path path;

    explicit workspace(const std::string& prefix) {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        if (::mkdtemp(tmpl.data()) == nullptr)
            throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
        path = tmpl;
    }
    ~workspace() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    workspace(const workspace&) = delete;
    workspace& operator=(const workspace&) = delete;
};

} // namespace openai::test
