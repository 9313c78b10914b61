// The tests of openai-images (tools/cli): its sans-I/O pieces, and the program itself run against
// the emulator (cases labelled "e2e").
#define BOOST_TEST_MODULE openai_images_cli_tests
#include <boost/test/unit_test.hpp>
