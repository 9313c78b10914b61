// callbacks.cpp: the same call as generate.cpp without coroutines, with completion handlers.
// Both handler forms are shown:
//
//   void(std::exception_ptr, images_response)            the failure as an openai::request_error
//   void(boost::system::error_code, images_response)     no exceptions: pass an error_info&, which
//                                                         receives the facts of a failure
//
// Handlers run on the client's executor (here the io_context's single thread), never inside the
// initiating call. Configuration as in generate.cpp.
//
//   ./example_callbacks "a paper boat on a pond" boat.png
#include <openai/client.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;

namespace {

void save(const openai::images_response& r, const std::string& path) {
    const std::string& png = *r.data.at(0).bytes;
    std::ofstream(path, std::ios::binary)
        .write(png.data(), static_cast<std::streamsize>(png.size()));
    std::cout << "wrote " << path << " (" << png.size() << " bytes)\n";
}

} // namespace

int main(int argc, char** argv) {
    const std::string prompt = argc > 1 ? argv[1] : "a paper boat on a pond";
    const std::string path = argc > 2 ? argv[2] : "boat.png";
    asio::io_context ioc;
    openai::client client{ioc.get_executor(), openai::client_config::from_env()};
    auto images = client.images();
    int failures = 0;

    openai::generate_request req;
    req.model = openai::models::gpt_image_1;
    req.prompt = prompt;

    // 1. The exception_ptr form.
    images.generate(req, [&](std::exception_ptr e, openai::images_response r) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const openai::request_error& err) {
                std::cerr << "first call failed: " << err.what() << '\n';
            }
            ++failures;
            return;
        }
        save(r, path);

        // 2. The error_code form, chained from the first handler. The error_info must live
        // until its handler runs: it is owned by the handler here.
        auto info = std::make_shared<openai::error_info>();
        req.prompt += ", at night";
        images.generate(req, *info,
                        [&, info](boost::system::error_code ec, openai::images_response r2) {
                            if (ec) {
                                std::cerr << "second call failed: " << info->message << " (HTTP "
                                          << info->http_status << ")\n";
                                ++failures;
                                return;
                            }
                            save(r2, "night-" + path);
                        });
    });

    ioc.run(); // returns when both calls are done
    return failures == 0 ? 0 : 1;
}
