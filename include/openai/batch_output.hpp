/// The Batch API's output and error files (JSONL) read line by line, sans-I/O.
///
/// Each line of a batch output file is
///
///     {"id":"batch_req_...","custom_id":"...","response":{"status_code":200,
///      "request_id":"req_...","body":{ an ImagesResponse }},"error":null}
///
/// A line with another status carries an error body (`{"error":{"message","type","param",
/// "code"}}`) in `response.body`; a line of the error file has `"response":null` and an `error`
/// object of its own (`{"code":"batch_expired","message":"..."}`).
///
/// The reader owns no file or socket: bytes go in through feed(), one `batch_result` per line
/// comes out. A line's JSON is parsed as its bytes arrive and the base64 of its images decoded
/// on the way (the same incremental decoder as unary calls), so neither the file nor a line's
/// text is ever held: memory is bounded by the decoded images of one line plus a small constant
/// (with a batch_image_sink, by a small constant alone), and a file of any size streams through.
///
///     openai::batch_output_reader reader;
///     auto on_result = [&](openai::batch_result&& r) {
///         if (r.ok()) r.response->data[0].save(dir / (safe_name(r.custom_id) + ".png"));
///         else std::cerr << r.error.message << '\n';
///     };
///     for (;;) {
///         std::size_t n = read_some(buf, sizeof buf); // a file, a socket, a co_await: 0 at the
///         end openai::read_batch_output(reader, {buf, n}, n == 0, on_result); if (n == 0) break;
///     }
///
///     // A coroutine that writes each image asynchronously pulls one result at a time instead:
///     // while (!chunk.empty()) { chunk.remove_prefix(reader.feed(chunk));
///     //     if (reader.has_result()) co_await write_images(reader.take_result()); }
///
/// Lines are separated by LF (a CR before it is JSON whitespace); a JSON text cannot hold a raw
/// LF, so a bad line never swallows the next one. Recovery: a malformed line (not JSON, not the
/// shape above, over the size limit, or cut short by the end of input) gives a `malformed`
/// result naming its line number, and reading goes on with the next line. Blank lines (only
/// spaces, tabs and CRs) give no result but count as lines.
#pragma once

#include <openai/json.hpp>
#include <openai/request_error.hpp>
#include <openai/responses.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace openai {

/// What one line of a batch output or error file turned out to be.
enum class batch_result_kind : std::uint8_t {
    response,    ///< a 2xx `status_code` and an ImagesResponse `body`: see batch_result::response
    api_error,   ///< another `status_code`: the request was refused; see batch_result::error
    batch_error, ///< `"response":null` and an `error` object (error file: "batch_expired", ...)
    malformed,   ///< the line could not be read: bad JSON, wrong shape, too long, truncated
};

constexpr std::string_view to_string(batch_result_kind k) noexcept {
    switch (k) {
    case batch_result_kind::response:
        return "response";
    case batch_result_kind::api_error:
        return "api_error";
    case batch_result_kind::batch_error:
        return "batch_error";
    case batch_result_kind::malformed:
        return "malformed";
    }
    return "malformed";
}

inline std::ostream& operator<<(std::ostream& os, batch_result_kind k) {
    return os << to_string(k);
}

/// One line's outcome.
struct batch_result {
    /// The line's number in the file, from 1 (blank lines counted).
    std::uint64_t line = 0;
    batch_result_kind kind = batch_result_kind::malformed;
    /// The line's `id` ("batch_req_..."); "" when absent or the line is malformed before it.
    std::string id;
    /// The `custom_id` the request was given; "" when a malformed line has none. Text from the
    /// file, any Unicode: check it before making a file name of it (no "/", no "..").
    std::string custom_id;
    /// When kind == response: the decoded body, images as bytes. `meta.http_status` and
    /// `meta.request_id` hold the line's `status_code` and `request_id`.
    std::optional<images_response> response;
    /// Otherwise, the facts of the failure, as a failed call reports them:
    ///
    /// - api_error: `code` from the status (errc::bad_request, rate_limited, server_error ...),
    ///   `http_status`, `request_id`, `api` (the body's error object, when it has one),
    ///   outcome `refused`;
    /// - batch_error: errc::api_error, `http_status` 0, `api` holding the line's `error`
    ///   (its `code`, e.g. "batch_expired", and `message`), outcome `not_sent`;
    /// - malformed: errc::invalid_json, json_type_mismatch, invalid_base64, body_too_large (the
    ///   line is over batch_output_options::max_line_size or max_line_json) or truncated_body
    ///   (the input ended inside the line), outcome `unknown`; `http_status` and `request_id` when
    ///   the line got that far (e.g. a 200 whose body is no ImagesResponse).
    ///
    /// `message` starts with the line number, and the custom_id once it is known, and names the
    /// JSON path of a wrong shape ("line 7 (custom_id \"cat-2\"): response.body.data[0].b64_json:
    /// invalid base64: ..."). `attempts` is 0 and `retry_after` unset. An ok() result has an
    /// empty `error`.
    error_info error;

    bool ok() const noexcept { return kind == batch_result_kind::response; }
};

/// Limits and choices of one reader.
struct batch_output_options {
    /// The most bytes one line may hold, its LF not counted; 0 means unlimited. A longer line
    /// gives a `malformed` result (errc::body_too_large) as soon as its end is seen; its bytes
    /// past the limit are skipped, not parsed. The default fits a line of a few images of the
    /// largest sizes.
    std::size_t max_line_size = 256 * 1024 * 1024;
    /// The most memory, roughly in bytes, the JSON of one line may take once parsed, its images
    /// aside (each key, string and other value counts its text plus 32 bytes); 0 means
    /// unlimited. It keeps a line of small JSON values (a DOM takes many times its text) from
    /// exhausting memory within max_line_size. Over it the line is `malformed`
    /// (errc::body_too_large) and the rest of it skipped. A real line takes a few hundred bytes.
    std::size_t max_line_json = 16 * 1024 * 1024;
    /// Keep the members of responses the library does not model (see decode_options).
    bool keep_unknown_fields = false;
};

/// Takes the images of each line piece by piece as they are decoded, instead of the line's result
/// holding them (batch_output_reader::set_image_sink): memory then stays a small constant
/// whatever the image sizes and however many images a line holds.
///
/// Calls come from inside feed(), in file order: for each image of a line's
/// `response.body.data` (in order), on_image_begin, on_image_data for each decoded piece, then
/// on_image_end; all before that line's result. Whether to keep an image depends on that result:
/// a line can still turn out malformed after its images (bad JSON later in the line, an
/// unexpected shape), or be an api_error line with an odd body. A CLI writes the pieces to a
/// temporary file per image and, when the result comes, renames them (ok()) or deletes them.
/// The calls must not throw.
class batch_image_sink {
public:
    /// Image `index` of `response.body.data` of line `line` starts.
    virtual void on_image_begin(std::uint64_t line, std::size_t index) = 0;
    /// Its next decoded bytes, in order (a view valid only during the call).
    virtual void on_image_data(std::string_view bytes) = 0;
    /// It ended: `complete` is false when its base64 was bad or the line broke off inside it (too
    /// long, bad JSON, the end of input); the line's result then says why.
    virtual void on_image_end(bool complete) = 0;

protected:
    ~batch_image_sink() = default;
};

/// The byte-fed JSONL reader.
///
/// Pull-shaped like sse::parser: feed() stops right after the byte that ends a line with a
/// result, so the caller takes it (and may write its images out, even asynchronously) before
/// feeding the rest. Not thread-safe; one reader per file. Movable; a moved-from reader may only
/// be assigned to or destroyed.
class batch_output_reader {
public:
    explicit batch_output_reader(batch_output_options options = {});
    ~batch_output_reader();
    batch_output_reader(batch_output_reader&&) noexcept;
    batch_output_reader& operator=(batch_output_reader&&) noexcept;

    /// Consumes `input` until one line has given a result or the input is exhausted, and returns
    /// the number of bytes consumed. When a result is ready, has_result() is true and
    /// take_result() moves it out; take it before feeding again (feeding while a result is
    /// pending consumes nothing). Otherwise all of `input` was consumed.
    ///
    /// `last` says `input` ends the file: once all of it is consumed, a line without a final LF
    /// is ended too (a complete JSON text is a line like any other; an incomplete one is a
    /// `malformed` result with errc::truncated_body). After that the reader is finished():
    /// later input is ignored (consumes nothing) until reset(). feed({}, true) ends a file
    /// whose bytes were all fed already.
    std::size_t feed(std::string_view input, bool last = false);

    /// True when feed() ended a line whose result take_result() has not taken yet.
    bool has_result() const noexcept;

    /// Hands the result out. Precondition: has_result(); otherwise returns a default result.
    batch_result take_result();

    /// Lines ended so far (blank ones included): the current line's number minus one.
    std::uint64_t lines() const noexcept;

    /// True once a feed() with `last` has consumed all its input (its result may still wait).
    bool finished() const noexcept;

    const batch_output_options& options() const noexcept;

    /// Sends the images of every later line to `sink` as they are decoded (null: back to results
    /// that hold them). The results' images then have empty `bytes` (set: `has_bytes()` still
    /// tells a b64_json image from a URL one). Takes effect from the next line that starts; the
    /// sink must outlive its use by the reader. reset() keeps it (and ends an image under way
    /// as incomplete).
    void set_image_sink(batch_image_sink* sink) noexcept;

    /// Back to the freshly constructed state (options kept): line 1 of a new file.
    void reset();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Feeds all of `input` to `reader` (ending the file if `last`), calling
/// `on_result(batch_result&&)` for each line's result, including one already pending. A finished
/// reader ignores the input. An exception from `on_result` propagates and leaves the reader
/// consistent, but how much of `input` it took is then unknown: use feed() to resume.
template <class F>
void read_batch_output(batch_output_reader& reader, std::string_view input, bool last,
                       F&& on_result) {
    if (reader.has_result())
        on_result(reader.take_result());
    for (;;) {
        input.remove_prefix(reader.feed(input, last));
        if (!reader.has_result())
            return; // all of `input` consumed, or a finished reader ignoring it
        on_result(reader.take_result());
    }
}

} // namespace openai
