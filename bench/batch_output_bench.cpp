// openai-images-batch-output-bench: decodes a Batch API output file (JSONL) through
// openai::batch_output_reader from a file read with one fixed buffer, on one core, and reports
// the throughput (MB of JSONL per second) and the peak resident memory against the largest
// decoded image. Not a test: bench/README.md says how to make a file and run it.
//
//   openai-images-batch-output-bench FILE [--buffer BYTES] [--sink]
//
// --sink takes the images through a batch_image_sink, piece by piece, as a CLI writing them to
// files would, instead of in the results.
#include <openai/batch_output.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace {

// Counts what it is given and checks each image's PNG signature from its first piece(s).
struct counting_sink final : openai::batch_image_sink {
    std::uint64_t images = 0, bytes = 0, largest = 0, incomplete = 0, bad_signatures = 0;
    std::uint64_t current = 0;
    std::string head;

    void on_image_begin(std::uint64_t, std::size_t) override {
        current = 0;
        head.clear();
    }
    void on_image_data(std::string_view piece) override {
        current += piece.size();
        if (head.size() < 8)
            head.append(piece.substr(0, 8 - head.size()));
    }
    void on_image_end(bool complete) override {
        if (!complete) {
            ++incomplete;
            return;
        }
        ++images;
        bytes += current;
        largest = std::max(largest, current);
        if (head != "\x89PNG\r\n\x1a\n")
            ++bad_signatures;
    }
};

double mib(double bytes) {
    return bytes / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE [--buffer BYTES]\n", argv[0]);
        return 2;
    }
    std::size_t buffer_size = 1 << 20;
    bool use_sink = false;
    for (int i = 2; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--buffer" && i + 1 < argc)
            buffer_size = std::strtoull(argv[++i], nullptr, 10);
        else if (std::string_view(argv[i]) == "--sink")
            use_sink = true;
    }
    const int fd = ::open(argv[1], O_RDONLY);
    if (fd < 0) {
        std::perror(argv[1]);
        return 1;
    }
    const auto buffer = std::make_unique<char[]>(buffer_size);

    openai::batch_output_reader reader;
    counting_sink sink;
    if (use_sink)
        reader.set_image_sink(&sink);
    std::uint64_t bytes_in = 0, lines_ok = 0, lines_refused = 0, lines_failed = 0, images = 0;
    std::uint64_t image_bytes = 0;
    std::uint64_t largest_image = 0, bad_signatures = 0;
    auto on_result = [&](openai::batch_result&& r) {
        if (r.kind == openai::batch_result_kind::api_error) {
            ++lines_refused;
            return;
        }
        if (!r.ok()) {
            if (++lines_failed <= 5)
                std::fprintf(stderr, "%s\n", r.error.message.c_str());
            return;
        }
        ++lines_ok;
        for (const auto& img : r.response->data) {
            if (!img.bytes)
                continue;
            ++images;
            image_bytes += img.bytes->size();
            largest_image = std::max<std::uint64_t>(largest_image, img.bytes->size());
            if (img.bytes->compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
                ++bad_signatures;
        }
    };

    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        const auto n = ::read(fd, buffer.get(), buffer_size);
        if (n < 0) {
            std::perror("read");
            return 1;
        }
        bytes_in += static_cast<std::uint64_t>(n);
        openai::read_batch_output(
            reader, std::string_view(buffer.get(), static_cast<std::size_t>(n)), n == 0, on_result);
        if (n == 0)
            break;
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    ::close(fd);
    if (use_sink) {
        images = sink.images;
        image_bytes = sink.bytes;
        largest_image = sink.largest;
        bad_signatures = sink.bad_signatures + sink.incomplete;
    }

    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const double rss = static_cast<double>(usage.ru_maxrss) * 1024.0; // Linux: kilobytes
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    const double budget = 1.5 * static_cast<double>(largest_image) + 16.0 * 1024 * 1024;
    const double mb_per_s = static_cast<double>(bytes_in) / 1e6 / elapsed.count();

    std::printf("input            %.1f MiB (%llu bytes), read buffer %zu bytes, images %s\n",
                mib(bytes_in), static_cast<unsigned long long>(bytes_in), buffer_size,
                use_sink ? "through a batch_image_sink" : "in the results");
    std::printf("lines            %llu ok, %llu refused (API errors), %llu failed; %llu images, "
                "%.1f MiB decoded\n",
                static_cast<unsigned long long>(lines_ok),
                static_cast<unsigned long long>(lines_refused),
                static_cast<unsigned long long>(lines_failed),
                static_cast<unsigned long long>(images), mib(image_bytes));
    std::printf("time             %.3f s wall, %.3f s CPU\n", elapsed.count(), cpu);
    // On a loaded machine wall time includes waiting for a core: the CPU figure is the reader's.
    std::printf("throughput       %.0f MB/s of JSONL per wall second, %.0f per CPU second "
                "(target >= 1000)\n",
                mb_per_s, static_cast<double>(bytes_in) / 1e6 / cpu);
    std::printf("largest image    %.2f MiB\n", mib(largest_image));
    std::printf(
        "peak RSS         %.2f MiB (target <= 1.5 x largest image + 16 MiB = %.2f MiB: %s)\n",
        mib(rss), mib(budget), rss <= budget ? "met" : "MISSED");
    if (bad_signatures != 0 || lines_failed != 0 || images == 0) {
        std::fprintf(stderr, "FAILED: %llu bad signatures, %llu failed lines, %llu images\n",
                     static_cast<unsigned long long>(bad_signatures),
                     static_cast<unsigned long long>(lines_failed),
                     static_cast<unsigned long long>(images));
        return 1;
    }
    return 0;
}
