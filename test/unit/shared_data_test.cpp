// The reference data this suite relies on is present and well-formed (label "shared").
#include "support/shared_data.hpp"

#include <boost/test/unit_test.hpp>

namespace ut = boost::unit_test;

BOOST_AUTO_TEST_CASE(shared_vectors_are_readable, *ut::label("shared")) {
    const auto vectors = openai::test::read_shared_json("sse-vectors/vectors.json");
    BOOST_TEST_REQUIRE(vectors.is_array());
    BOOST_TEST(vectors.as_array().size() > 0u);
    const auto streams = openai::test::read_shared_json("sse-vectors/openai-image-streams.json");
    BOOST_TEST(streams.at("streams").as_array().size() > 0u);
}
