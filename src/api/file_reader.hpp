// The blocking file reader behind multipart bodies: parts named by path are read through stdio
// while the body is written (codec/multipart.hpp does no file I/O itself).
#pragma once

#include "codec/multipart.hpp"

#include <memory>

namespace openai::detail {

// The local file system, read with blocking stdio calls. One shared, stateless instance.
std::shared_ptr<const codec::multipart_file_system> local_files();

// Options for multipart_body::make() that read parts from the local file system.
codec::multipart_options local_file_options();

} // namespace openai::detail
