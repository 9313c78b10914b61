#define BOOST_TEST_MODULE openai_images_stream_vectors
#include <boost/test/unit_test.hpp>
