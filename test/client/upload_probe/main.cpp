// openai_images_upload_probe: measures the client's peak memory while it uploads one large edit.
// A separate process, so that the measure is not polluted by the test runner's own allocations.
//
//   openai_images_upload_probe BASE_URL CA_FILE KEY WARMUP_IMAGE MASK IMAGE...
//
// It makes one small edit first (WARMUP_IMAGE with MASK: connection, TLS and response decoding
// reach their steady state), resets the kernel's peak-RSS mark, then sends IMAGE... with MASK as
// one edit tagged with KEY (x-emulator-fault-key), and prints one JSON line:
//   {"rss_before_kb":N,"peak_kb":N,"increase_kb":N,"upload_bytes":N,"attempts":N}
// Exit status 0 on success, 1 (with the error on stderr) otherwise.
#include <openai/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace {

// A field of /proc/self/status in kB (VmRSS, VmHWM), or -1.
long status_kb(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::stol(line.substr(field.size() + 1));
    return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false when not possible.
bool reset_peak() {
    std::ofstream out("/proc/self/clear_refs");
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

openai::edit_request edit_of(const std::vector<std::filesystem::path>& images,
                             const std::filesystem::path& mask) {
    openai::edit_request req;
    req.prompt = "Memory probe";
    req.model = openai::models::gpt_image_1;
    req.size = "1024x1024";
    req.quality = "low";
    req.output_format = "jpeg";
    for (const auto& p : images)
        req.images.emplace_back(openai::image_file::from_path(p));
    req.mask = openai::image_file::from_path(mask);
    return req;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 7) {
        std::cerr
            << "usage: openai_images_upload_probe BASE_URL CA_FILE KEY WARMUP MASK IMAGE...\n";
        return 2;
    }
    const std::string key = argv[3];
    const std::filesystem::path warmup = argv[4];
    const std::filesystem::path mask = argv[5];
    std::vector<std::filesystem::path> images(argv + 6, argv + argc);

    boost::asio::io_context ioc;
    openai::client_config config;
    config.api_key = "probe-key";
    config.base_url = argv[1];
    config.tls.ca_file = argv[2];
    openai::client client(ioc.get_executor(), config);
    auto call = [&](openai::edit_request req, openai::request_options options) {
        auto f = client.images().edit(std::move(req), std::move(options), boost::asio::use_future);
        ioc.restart();
        ioc.run();
        return f.get();
    };
    try {
        call(edit_of({warmup}, mask), {});
        const long before = status_kb("VmRSS");
        const bool reset = reset_peak();
        const long hwm_before = status_kb("VmHWM");
        std::uintmax_t total = 0;
        for (const auto& p : images)
            total += std::filesystem::file_size(p);

        openai::request_options options;
        options.extra_headers.emplace_back("x-emulator-fault-key", key);
        auto r = call(edit_of(images, mask), options);

        const long peak = status_kb("VmHWM");
        // Without a reset, the mark may predate the upload: measure from the older peak.
        const long base = reset ? before : hwm_before;
        std::printf("{\"rss_before_kb\":%ld,\"peak_kb\":%ld,\"increase_kb\":%ld,"
                    "\"upload_bytes\":%ju,\"attempts\":%u,\"peak_reset\":%s,\"images\":%zu}\n",
                    before, peak, peak - base, total, r.meta.attempts, reset ? "true" : "false",
                    r.data.size());
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "upload probe: " << e.what() << "\n";
        return 1;
    }
}
