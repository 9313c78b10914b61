// openai-images-microbench: the codec's hot paths in bytes per second, on one core (Google
// Benchmark). Inputs are made the way the API sends them: an image's base64 text of several
// megabytes inside one SSE event or one JSON response body.
//
//   openai-images-microbench [--benchmark_filter=...] [--benchmark_min_time=...]
#include "codec/base64.hpp"

#include <openai/json.hpp>
#include <openai/sse.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

namespace {

// Incompressible-looking bytes, like a PNG's compressed stream.
std::string random_bytes(std::size_t n) {
    std::string s(n, '\0');
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    for (auto& c : s) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x >> 56);
    }
    return s;
}

std::string image_event_text(std::size_t image_bytes) {
    const std::string b64 = openai::codec::base64_encode(random_bytes(image_bytes));
    std::string data = R"({"type":"image_generation.partial_image","b64_json":")" + b64 +
                       R"(","created_at":1700000000,"size":"1024x1024","quality":"low",)"
                       R"("background":"opaque","output_format":"png","partial_image_index":0})";
    return "event: image_generation.partial_image\ndata: " + data + "\n\n";
}

std::string response_body(int images, std::size_t image_bytes) {
    std::string body = R"({"created":1700000000,"data":[)";
    for (int i = 0; i < images; ++i) {
        if (i)
            body += ',';
        body +=
            R"({"b64_json":")" + openai::codec::base64_encode(random_bytes(image_bytes)) + R"("})";
    }
    body += R"(],"background":"opaque","output_format":"png","size":"1024x1024",)"
            R"("quality":"low","usage":{"total_tokens":100,"input_tokens":50,)"
            R"("output_tokens":50,"input_tokens_details":{"text_tokens":50,"image_tokens":0}}})";
    return body;
}

// Base64 text -> bytes, into a reused buffer (the decoder's raw-buffer path, as the JSON
// decoder uses it). Bytes per second of base64 text.
void bm_base64_decode(benchmark::State& state) {
    const std::string text =
        openai::codec::base64_encode(random_bytes(static_cast<std::size_t>(state.range(0))));
    std::string out(openai::codec::base64_decoded_size_upper_bound(text.size()) + 3, '\0');
    for (auto _ : state) {
        openai::codec::base64_decoder d;
        std::size_t written = 0;
        if (!d.feed(text, out.data(), written))
            state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(text.size()));
}
BENCHMARK(bm_base64_decode)->Arg(64 << 10)->Arg(3 << 20);

// The same fed in 16 KiB pieces (TLS records), appending to a std::string as a stream does.
void bm_base64_decode_pieces(benchmark::State& state) {
    const std::string text = openai::codec::base64_encode(random_bytes(3 << 20));
    std::string out;
    for (auto _ : state) {
        out.clear();
        openai::codec::base64_decoder d;
        for (std::size_t i = 0; i < text.size(); i += 16384)
            d.feed(std::string_view(text).substr(i, 16384), out);
        d.finish(out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(text.size()));
}
BENCHMARK(bm_base64_decode_pieces);

void bm_base64_encode(benchmark::State& state) {
    const std::string bytes = random_bytes(3 << 20);
    std::string out(openai::codec::base64_encoded_size(bytes.size()), '\0');
    for (auto _ : state) {
        openai::codec::base64_encode(bytes, out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(bm_base64_encode);

// One SSE event carrying a multi-megabyte image, fed in 16 KiB pieces, taken into a reused
// event. Bytes per second of event-stream text.
void bm_sse_parse(benchmark::State& state) {
    const std::string text = image_event_text(static_cast<std::size_t>(state.range(0)));
    openai::sse::parser p;
    openai::sse::event ev;
    boost::system::error_code ec;
    std::uint64_t events = 0;
    for (auto _ : state) {
        std::string_view rest = text;
        while (!rest.empty()) {
            std::string_view piece = rest.substr(0, 16384);
            rest.remove_prefix(piece.size());
            while (!piece.empty()) {
                piece.remove_prefix(p.feed(piece, ec));
                if (p.has_event()) {
                    p.take_event(ev);
                    ++events;
                }
            }
        }
    }
    if (events != static_cast<std::uint64_t>(state.iterations()))
        state.SkipWithError("wrong event count");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(text.size()));
}
BENCHMARK(bm_sse_parse)->Arg(1 << 20)->Arg(4 << 20);

// The data of one image event -> openai::image_event with decoded bytes.
void bm_decode_image_event(benchmark::State& state) {
    const std::string text = image_event_text(1 << 20);
    const std::string_view data = std::string_view(text).substr(
        text.find("data: ") + 6, text.size() - 2 - (text.find("data: ") + 6));
    for (auto _ : state) {
        auto r = openai::decode_image_event(data);
        if (!r)
            state.SkipWithError(r.message.c_str());
        benchmark::DoNotOptimize(r.value.event);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(data.size()));
}
BENCHMARK(bm_decode_image_event);

// An ImagesResponse body of n=4 images of 3 MB, decoded incrementally in 16 KiB pieces as it
// arrives from the connection.
void bm_response_parser(benchmark::State& state) {
    const std::string body = response_body(4, 3 << 20);
    for (auto _ : state) {
        openai::images_response_parser p;
        p.expect_body_size(body.size(), 4); // as the client does: Content-Length and n
        for (std::size_t i = 0; i < body.size(); i += 16384)
            p.write(std::string_view(body).substr(i, 16384));
        auto r = p.finish();
        if (!r)
            state.SkipWithError(r.message.c_str());
        benchmark::DoNotOptimize(r.value.data);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(body.size()));
}
BENCHMARK(bm_response_parser);

// The same body decoded whole (decode_images_response on text already in memory).
void bm_decode_images_response(benchmark::State& state) {
    const std::string body = response_body(4, 3 << 20);
    for (auto _ : state) {
        auto r = openai::decode_images_response(body);
        if (!r)
            state.SkipWithError(r.message.c_str());
        benchmark::DoNotOptimize(r.value.data);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(body.size()));
}
BENCHMARK(bm_decode_images_response);

} // namespace

BENCHMARK_MAIN();
