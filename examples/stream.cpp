// stream.cpp: a streamed generation. `images.generate_stream(req)` completes once the response
// head has arrived; `co_await stream.next()` then yields each partial image as the server draws
// it, then the final image, and `std::nullopt` at the clean end. Every image is saved as soon as
// it arrives, so a viewer can show the picture taking shape.
//
//   ./example_stream "a fox in the snow" fox.png [PARTIAL_IMAGES=2]
//   wrote fox.partial-0.png (...)  wrote fox.partial-1.png (...)  wrote fox.png (...)
//
// PARTIAL_IMAGES is 0..3. Configuration as in generate.cpp (OPENAI_API_KEY, OPENAI_BASE_URL,
// SSL_CERT_FILE).
#include <openai/client.hpp>
#include <openai/save_image.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

namespace asio = boost::asio;

asio::awaitable<void> stream(openai::images images, std::string prompt, std::filesystem::path out,
                             int partial_images) {
    openai::generate_request req;
    req.model = openai::models::gpt_image_1;
    req.prompt = std::move(prompt);
    req.partial_images = partial_images;

    openai::image_stream events = co_await images.generate_stream(req); // throws request_error
    while (auto ev = co_await events.next()) {
        if (openai::is_unknown(*ev))
            continue; // an event type newer than this program (openai::unknown_event)
        // fox.png -> fox.partial-0.png, fox.partial-1.png, ... beside it; the final one is fox.png.
        std::filesystem::path path = out;
        if (openai::is_partial(*ev))
            path.replace_extension("partial-" + std::to_string(*openai::partial_image_index(*ev)) +
                                   out.extension().string());
        const std::string& bytes = openai::image_bytes(*ev);
        openai::save_image(bytes, path); // atomic: a viewer never sees half a file
        std::cout << "wrote " << path.string() << " (" << bytes.size() << " bytes";
        if (const openai::image_usage* usage = openai::event_usage(*ev))
            std::cout << ", " << usage->total_tokens.value_or(0) << " tokens";
        std::cout << ")" << std::endl; // flushed: one line per file, as it happens
    }
}

int main(int argc, char** argv) {
    int partial_images = 2;
    try {
        if (argc == 4)
            partial_images = std::stoi(argv[3]);
    } catch (const std::exception&) {
        argc = 0;
    }
    if (argc != 3 && argc != 4) {
        std::cerr << "usage: example_stream PROMPT OUT.png [PARTIAL_IMAGES=2]\n";
        return 2;
    }
    try {
        asio::io_context ioc;
        openai::client client{ioc.get_executor(), openai::client_config::from_env()};
        asio::co_spawn(ioc, stream(client.images(), argv[1], argv[2], partial_images),
                       [](std::exception_ptr e) {
                           if (e)
                               std::rethrow_exception(e);
                       });
        ioc.run();
    } catch (const openai::request_error& e) {
        std::cerr << "error: " << e.what() << " (HTTP " << e.http_status() << ", request id "
                  << (e.request_id().empty() ? "none" : e.request_id()) << ")\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
