// The emulator's network side: accepts plain or TLS connections, reads requests (multipart
// bodies incrementally), runs the handlers and writes their wire plans, on Boost.Asio
// coroutines: a stream held open costs a coroutine frame and a socket, not a thread.
#pragma once

#include "emulator/handler.hpp"

#include <optional>
#include <ostream>
#include <string>

namespace openai::emulator {

/// TLS certificate chain and key (PEM) for the server.
struct server_tls {
    std::string cert_chain_pem;
    std::string key_pem;
};

/// Binds, prints the ready line (`listening on http(s)://HOST:PORT`) on `ready_out` and flushes
/// it, then serves until SIGINT or SIGTERM: it stops accepting, lets in-flight responses finish
/// for the grace period, closes the rest and returns 0. Returns non-zero (after a message on
/// stderr) when it cannot bind or set up TLS.
int run_server(emulator_state& state, const std::optional<server_tls>& tls,
               std::ostream& ready_out);

} // namespace openai::emulator
