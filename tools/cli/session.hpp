// What every networked command shares: the options that pick the server and its limits, and an
// emulator started inside this process for --emulator.
#pragma once

#include "arguments.hpp"

#include <openai/client_config.hpp>

#include <memory>

namespace openai::cli {

// The help lines of the connection options.
extern const char* const connection_help;

// Adds the connection options (--base-url, --ca-file, --timeout, --max-retries, --no-validate,
// --emulator, --json) to a command's spec.
void add_session_options(option_spec& spec);

// A local emulator serving on a free loopback port over TLS with a fresh CA, on threads of its
// own, until destroyed.
class embedded_emulator {
public:
    virtual ~embedded_emulator() = default;
    virtual const std::string& base_url() const = 0; // https://127.0.0.1:PORT/v1
    virtual const std::string& ca_file() const = 0;  // PEM of the CA that signed its certificate
};

// Starts one; throws std::runtime_error when it cannot (or when built without the emulator).
std::unique_ptr<embedded_emulator> start_embedded_emulator();

struct session {
    client_config config;
    bool json = false;
    std::unique_ptr<embedded_emulator> emulator; // set with --emulator
};

// The client configuration from the environment and the options. Throws usage_error when no API
// key is available (except with --emulator, which needs none).
session make_session(const parsed_arguments& args);

} // namespace openai::cli
