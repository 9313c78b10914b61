// The emulator's network side: accepts plain or TLS connections, reads requests (multipart
// bodies incrementally), runs the handlers and writes their wire plans, on Boost.Asio
// coroutines: a stream held open costs a coroutine frame and a socket, not a thread.
#pragma once

#include "emulator/handler.hpp"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

namespace openai::emulator {

/// TLS certificate chain and key (PEM) for the server.
struct server_tls {
    std::string cert_chain_pem;
    std::string key_pem;
};

/// Lets a program that embeds the server (the CLI's `--emulator`) learn its port and stop it,
/// instead of the process-wide signal handling of the stand-alone emulator.
class server_control {
public:
    /// Called on a server thread once the socket listens, with the bound port.
    std::function<void(std::uint16_t port)> on_ready;

    /// Starts the graceful shutdown (as SIGTERM would). Thread-safe; callable before the server
    /// runs (it then stops as soon as it is ready) and more than once.
    void request_stop();

private:
    friend int run_server(emulator_state&, const std::optional<server_tls>&, std::ostream&,
                          server_control*);
    std::mutex mutex_;
    std::function<void()> stop_; // set while the server runs
    bool stop_requested_ = false;
};

/// Binds, prints the ready line (`listening on http(s)://HOST:PORT`) on `ready_out` and flushes
/// it, then serves until SIGINT or SIGTERM: it stops accepting, lets in-flight responses finish
/// for the grace period, closes the rest and returns 0. Returns non-zero (after a message on
/// stderr) when it cannot bind or set up TLS.
///
/// With a `control`, no signal handlers are installed: the embedding program stops the server
/// through `control->request_stop()`.
int run_server(emulator_state& state, const std::optional<server_tls>& tls, std::ostream& ready_out,
               server_control* control = nullptr);

} // namespace openai::emulator
