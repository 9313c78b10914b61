// The input of `openai-images batch`: a JSONL file, one generation request per line in the API's
// own field names (`prompt`, `model`, `n`, `size`, ...) plus an optional `"id"`. Pure: text in,
// items out, so every rule is unit-tested.
//
// Rules:
// - lines are split on LF (a CR before it is dropped); blank lines are no requests and no errors;
// - a line's id is its "id" member (a string, or an integer written as one), else its line
//   number ("17"); an id names a directory, so it must be 1..128 characters of [A-Za-z0-9._-]
//   not starting with '.'; the first line with an id owns it, later ones are errors;
// - members other than the request's and "id" are errors (a typo must not silently become an
//   API default); "stream" is refused (a batch makes unary calls);
// - with validation on, the library's parameter rules (openai::validate) apply;
// - a bad line becomes an item with an error and no request; the others are unaffected.
#pragma once

#include <openai/requests.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::cli::batch {

// `--shard I/N`: the lines whose index (line number - 1) modulo N is I.
struct shard {
    std::size_t index = 0;
    std::size_t count = 1;

    bool contains(std::size_t line_index) const noexcept { return line_index % count == index; }
};

// Parses "I/N" with 0 <= I < N; nullopt and a message in `error` otherwise.
std::optional<shard> parse_shard(std::string_view text, std::string& error);

struct batch_item {
    std::size_t line = 0; // 1-based line number in the file
    std::string id;
    // A hash of the line's text, so a resumed run can tell an edited line from the one that
    // failed before.
    std::uint64_t fingerprint = 0;
    std::optional<generate_request> request; // set when the line is usable
    // Otherwise: what is wrong ("invalid_json", "invalid_line", "invalid_id", "duplicate_id",
    // "invalid_request"), the parameter at fault when there is one, and a message naming the line.
    std::string error_code;
    std::string param;
    std::string message;

    bool ok() const noexcept { return request.has_value(); }
    // Images the request asks for (its n, or 1).
    int images() const noexcept { return request && request->n ? *request->n : 1; }
};

struct input_options {
    batch::shard shard{};
    bool validate = true;
};

// The items of the non-blank lines of `text` that fall in the shard, in file order. Every line
// of the file is read for ids (duplicates are found across shards alike).
std::vector<batch_item> read_items(std::string_view text, const input_options& options);

// FNV-1a, 64 bits: stable across builds and machines, unlike std::hash.
std::uint64_t fingerprint(std::string_view text) noexcept;

// Whether `id` can name a directory under --out.
bool valid_id(std::string_view id) noexcept;

} // namespace openai::cli::batch
