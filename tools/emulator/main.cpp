// openai-images-emulator: a local server that speaks the OpenAI Images API. See README.md.
#include "emulator/certificates.hpp"
#include "emulator/handler.hpp"
#include "emulator/image_cache.hpp"
#include "emulator/options.hpp"
#include "emulator/server.hpp"

#include <iostream>
#include <memory>

#include <sys/resource.h>

namespace emu = openai::emulator;

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    emu::parse_outcome parsed = emu::parse_options(args);
    if (parsed.help) {
        std::cout << emu::usage_text();
        return 0;
    }
    if (!parsed.opts) {
        std::cerr << "openai-images-emulator: " << parsed.error << "\n";
        return 2;
    }
    // Benchmarks hold ten thousand connections: lift the soft descriptor limit to the hard one.
    if (rlimit limit{};
        ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    try {
        std::optional<emu::server_tls> tls;
        if (parsed.opts->tls) {
            emu::tls_material material = emu::make_tls_material();
            emu::write_ca_pem(parsed.opts->cert_dir, material.ca_cert_pem);
            tls = emu::server_tls{material.server_cert_pem, material.server_key_pem};
        }
        // Every image is encoded once and then served from memory (benchmarks ask for the same
        // few specs thousands of times).
        auto cache = std::make_shared<emu::image_cache>();
        auto source = [cache](const emu::image_spec& spec) {
            emu::cached_image img = cache->get(spec, true);
            return emu::image_payload{img.bytes, img.base64, img.format, img.width, img.height};
        };
        emu::emulator_state state(std::move(*parsed.opts), source);
        return emu::run_server(state, tls, std::cout);
    } catch (const std::exception& e) {
        std::cerr << "openai-images-emulator: " << e.what() << "\n";
        return 1;
    }
}
