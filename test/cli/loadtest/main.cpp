// openai-images loadtest, the program, against the emulator process (started by each case over
// TLS with a generated CA). Bounds, not timings: every check holds on a loaded machine.
#define BOOST_TEST_MODULE openai_images_loadtest_e2e_tests
#include <boost/test/unit_test.hpp>
