// future.cpp: the library from plain threaded code, with `asio::use_future`. The io_context runs
// on a thread of its own; the main thread starts calls and blocks on their futures. A failure
// arrives as the openai::request_error thrown by future::get().
//
//   ./example_future "a red kite over hills" kite.png
//
// Configuration as in generate.cpp.
#include <openai/client.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <fstream>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;

int main(int argc, char** argv) {
    const std::string prompt = argc > 1 ? argv[1] : "a red kite over hills";
    const std::string path = argc > 2 ? argv[2] : "kite.png";

    asio::io_context ioc;
    auto guard = asio::make_work_guard(ioc); // keep run() going while the main thread works
    std::thread io_thread([&] { ioc.run(); });
    int status = 0;
    try {
        openai::client client{ioc.get_executor(), openai::client_config::from_env()};
        auto images = client.images();

        // Two calls in flight at once; get() blocks this thread, not the io_context.
        std::vector<std::future<openai::images_response>> futures;
        for (const char* variant : {"", ", in winter"}) {
            openai::generate_request req;
            req.model = openai::models::gpt_image_1;
            req.prompt = prompt + variant;
            futures.push_back(images.generate(req, asio::use_future));
        }
        for (std::size_t i = 0; i < futures.size(); ++i) {
            openai::images_response r = futures[i].get(); // rethrows the call's request_error
            const std::string out = i == 0 ? path : "winter-" + path;
            const std::string& png = *r.data.at(0).bytes;
            std::ofstream(out, std::ios::binary)
                .write(png.data(), static_cast<std::streamsize>(png.size()));
            std::cout << "wrote " << out << " (" << png.size() << " bytes, request id "
                      << r.meta.request_id << ")\n";
        }
    } catch (const openai::request_error& e) {
        std::cerr << "error: " << e.what() << '\n';
        status = 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        status = 1;
    }
    guard.reset();
    io_thread.join();
    return status;
}
