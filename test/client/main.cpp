// The Boost.Test runner of the client-against-emulator tests.
#define BOOST_TEST_MODULE openai_images_client
#include <boost/test/unit_test.hpp>
