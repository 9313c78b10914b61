// openai-images-emulator: a local server that speaks the OpenAI Images API. See README.md.
#include "emulator/certificates.hpp"
#include "emulator/handler.hpp"
#include "emulator/options.hpp"
#include "emulator/server.hpp"

#include <boost/beast/core/detail/base64.hpp>

#include <iostream>
#include <memory>

namespace emu = openai::emulator;

namespace {

// SEAM: replaced by the image cache from branch `media` when it lands.
emu::image_payload make_image(const emu::image_spec& spec) {
    emu::encoded_image img = emu::synthesize(spec);
    emu::image_payload p;
    auto b64 = std::make_shared<std::string>();
    b64->resize(boost::beast::detail::base64::encoded_size(img.bytes.size()));
    b64->resize(boost::beast::detail::base64::encode(b64->data(), img.bytes.data(), img.bytes.size()));
    p.base64 = std::move(b64);
    p.format = img.format;
    p.width = img.width;
    p.height = img.height;
    p.bytes = std::make_shared<const std::string>(std::move(img.bytes));
    return p;
}

} // namespace

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
    try {
        std::optional<emu::server_tls> tls;
        if (parsed.opts->tls) {
            emu::tls_material material = emu::make_tls_material();
            emu::write_ca_pem(parsed.opts->cert_dir, material.ca_cert_pem);
            tls = emu::server_tls{material.server_cert_pem, material.server_key_pem};
        }
        emu::emulator_state state(std::move(*parsed.opts), make_image);
        return emu::run_server(state, tls, std::cout);
    } catch (const std::exception& e) {
        std::cerr << "openai-images-emulator: " << e.what() << "\n";
        return 1;
    }
}
