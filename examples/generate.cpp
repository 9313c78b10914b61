// generate.cpp: the shortest complete program. One image from a prompt with
// `co_await images.generate(req)`, saved to a file.
//
//   ./example_generate "a lighthouse at dawn, watercolour" lighthouse.png
//
// Configuration comes from the environment: OPENAI_API_KEY, OPENAI_BASE_URL (and OPENAI_ORG_ID,
// OPENAI_PROJECT_ID). TLS trusts the system's CA store, or the PEM file named by SSL_CERT_FILE
// (OpenSSL's own variable). Against the local emulator, no account needed:
//
//   openai-images-emulator --tls --cert-dir /tmp/emu &      # listening on https://127.0.0.1:PORT
//   export OPENAI_BASE_URL=https://127.0.0.1:PORT/v1 SSL_CERT_FILE=/tmp/emu/ca.pem OPENAI_API_KEY=x
//   ./example_generate "a lighthouse at dawn" lighthouse.png
#include <openai/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <fstream>
#include <iostream>
#include <string>

namespace asio = boost::asio;

asio::awaitable<void> generate(openai::images images, std::string prompt, std::string path) {
    openai::generate_request req;
    req.model = openai::models::gpt_image_1;
    req.prompt = std::move(prompt);
    req.size = openai::sizes::s1024x1024;

    openai::images_response r = co_await images.generate(req); // throws openai::request_error

    const std::string& png = *r.data.at(0).bytes; // GPT image models return the image itself
    std::ofstream(path, std::ios::binary)
        .write(png.data(), static_cast<std::streamsize>(png.size()));
    std::cout << "wrote " << path << " (" << png.size() << " bytes, "
              << (r.usage ? r.usage->total_tokens.value_or(0) : 0) << " tokens)\n";
}

int main(int argc, char** argv) {
    const std::string prompt = argc > 1 ? argv[1] : "a lighthouse at dawn, watercolour";
    const std::string path = argc > 2 ? argv[2] : "image.png";
    try {
        asio::io_context ioc;
        openai::client client{ioc.get_executor(), openai::client_config::from_env()};
        asio::co_spawn(ioc, generate(client.images(), prompt, path), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e); // out of ioc.run(), into the catch below
        });
        ioc.run();
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
