// The one translation unit that defines the Boost.Test runner for the sans-I/O unit tests.
#define BOOST_TEST_MODULE openai_images_unit
#include <boost/test/unit_test.hpp>
