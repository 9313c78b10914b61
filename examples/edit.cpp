// edit.cpp: an edit with two input images and a mask, all read from files. The files are
// streamed from disk when the request is sent (and read again if it is retried); their content
// type comes from their bytes; only their file names are sent.
//
//   ./example_edit room.png lamp.png mask.png "put the lamp in the room" edited.png
//
// The mask applies to the first image: a PNG of the same size whose transparent pixels mark
// where to paint. Configuration as in generate.cpp (OPENAI_API_KEY, OPENAI_BASE_URL,
// SSL_CERT_FILE).
#include <openai/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <fstream>
#include <iostream>
#include <string>

namespace asio = boost::asio;

asio::awaitable<void> edit(openai::images images, char** argv) {
    openai::edit_request req;
    req.model = openai::models::gpt_image_1;
    req.images = {openai::image_file::from_path(argv[1]), openai::image_file::from_path(argv[2])};
    req.mask = openai::image_file::from_path(argv[3]);
    req.prompt = argv[4];

    openai::images_response r = co_await images.edit(req);

    const std::string& png = *r.data.at(0).bytes;
    std::ofstream(argv[5], std::ios::binary)
        .write(png.data(), static_cast<std::streamsize>(png.size()));
    std::cout << "wrote " << argv[5] << " (" << png.size() << " bytes)\n";
}

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: example_edit IMAGE1 IMAGE2 MASK PROMPT OUT.png\n";
        return 2;
    }
    try {
        asio::io_context ioc;
        openai::client client{ioc.get_executor(), openai::client_config::from_env()};
        asio::co_spawn(ioc, edit(client.images(), argv), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ioc.run();
    } catch (const openai::request_error& e) {
        // Everything the API said: status, request id, its error type/code/param.
        std::cerr << "error: " << e.what() << " (HTTP " << e.http_status() << ", request id "
                  << (e.request_id().empty() ? "none" : e.request_id()) << ")\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
