// The one translation unit that defines the Boost.Test runner for the emulator's unit tests.
#define BOOST_TEST_MODULE openai_images_emulator_unit
#include <boost/test/unit_test.hpp>
