// The Files API's storage: uploaded files and the Batch API's output files, in memory, per
// emulator process. Content is a byte_list, so a batch output shares the image cache's base64
// text instead of copying it, and a download writes the same pieces without flattening them.
#pragma once

#include "emulator/byte_list.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace openai::emulator {

struct stored_file {
    std::string id; // file-...
    std::string filename;
    std::string purpose; // batch, batch_output, user_data ...
    std::int64_t created_at = 0;
    std::optional<std::int64_t> expires_at;
    byte_list content;
    /// Content downloads so far (the truncation fault cuts only the first).
    std::uint64_t downloads = 0;
};

/// The FileObject of the API: `{id, object:"file", bytes, created_at, expires_at, filename,
/// purpose, status:"processed", status_details:null}`.
boost::json::object file_json(const stored_file& f);

/// Thread-safe.
class file_store {
public:
    file_store();

    /// Stores a file and returns its metadata (the content is shared, not copied).
    stored_file add(std::string filename, std::string purpose, byte_list content,
                    std::int64_t created_at, std::optional<std::int64_t> expires_at = {});

    /// The file, or nullopt when unknown or deleted. `count_download`: this is a content
    /// download (returns the count before it in `downloads`).
    std::optional<stored_file> get(const std::string& id, bool count_download = false);

    bool remove(const std::string& id);

    struct page {
        std::vector<stored_file> data;
        bool has_more = false;
    };
    /// Newest first (`ascending`: oldest first), after the file `after` (exclusive), at most
    /// `limit`, only `purpose` when set.
    page list(std::size_t limit, const std::string* after, const std::string* purpose,
              bool ascending) const;

    std::uint64_t created() const;

private:
    mutable std::mutex mutex_;
    std::mt19937_64 random_;
    std::uint64_t sequence_ = 0;
    std::uint64_t created_ = 0;
    // Keyed by creation sequence: listing order without sorting.
    std::map<std::uint64_t, stored_file> files_;
    std::map<std::string, std::uint64_t> by_id_;
};

/// `prefix` + 24 random letters and digits, like the API's ids.
std::string random_id(std::string_view prefix, std::mt19937_64& random);

/// Seconds since the epoch.
std::int64_t unix_seconds();

} // namespace openai::emulator
