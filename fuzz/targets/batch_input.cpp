// The CLI's batch input reader (`openai-images batch`). Every line is scanned for its id whatever
// the shard, so the shards of a file must together give exactly the items of the whole file, each
// the same; items come in line order, usable ones with valid and distinct ids.
#include "batch_input.hpp"

#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"

#include <set>
#include <string>

namespace openai::fuzz {

void fuzz_batch_input(const std::uint8_t* data, std::size_t size) {
    const fuzz_input in(data, size);
    cli::batch::input_options options;
    options.validate = in.option(2);
    const auto all = cli::batch::read_items(in.text(), options);

    std::set<std::string> ids;
    std::size_t previous_line = 0;
    for (const auto& item : all) {
        OPENAI_FUZZ_CHECK(item.line > previous_line);
        previous_line = item.line;
        if (item.ok()) {
            OPENAI_FUZZ_CHECK(cli::batch::valid_id(item.id));
            OPENAI_FUZZ_CHECK(ids.insert(item.id).second);
            OPENAI_FUZZ_CHECK(item.error_code.empty() && item.images() >= 0);
        } else {
            OPENAI_FUZZ_CHECK(!item.error_code.empty() && !item.message.empty());
        }
    }

    // The same items from the shards of 1..4.
    const std::size_t count = 1u + (in.options() & 3u);
    std::size_t seen = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::string error;
        const auto shard =
            cli::batch::parse_shard(std::to_string(i) + "/" + std::to_string(count), error);
        OPENAI_FUZZ_CHECK(shard && shard->index == i && shard->count == count);
        options.shard = *shard;
        for (const auto& item : cli::batch::read_items(in.text(), options)) {
            ++seen;
            bool found = false;
            for (const auto& ref : all) {
                if (ref.line != item.line)
                    continue;
                found = true;
                OPENAI_FUZZ_CHECK(ref.id == item.id && ref.fingerprint == item.fingerprint);
                OPENAI_FUZZ_CHECK(ref.error_code == item.error_code && ref.message == item.message);
                OPENAI_FUZZ_CHECK(ref.ok() == item.ok());
            }
            OPENAI_FUZZ_CHECK(found);
        }
    }
    OPENAI_FUZZ_CHECK(seen == all.size());
}

} // namespace openai::fuzz
