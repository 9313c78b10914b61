// The Boost.Test runner for the integration tests (the emulator process over TLS).
#define BOOST_TEST_MODULE openai_images_integration
#include <boost/test/unit_test.hpp>
