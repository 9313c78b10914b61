// The file rules of edits and variations that need the files' contents, checked on what the
// multipart writer learnt while preparing the body (type by magic bytes, PNG dimensions, size),
// so they cost no extra read and run before anything is sent:
//
// - every edit mask: a PNG, under 4 MB, with the dimensions of the first image, whatever the
//   first image's type (PNG, JPEG or WebP; a JPEG's frame header must lie within its first
//   64 KiB);
// - dall-e-2 edits and variations: the image is a square PNG under 4 MB.
//
// `openai::validate` checks what needs no file contents (counts, sizes by stat, parameters).
#pragma once

#include "codec/multipart.hpp"

#include <openai/validation.hpp>

#include <vector>

namespace openai::codec {

/// `files` as multipart_body::files() lists them: the "image"/"image[]" parts, then "mask".
validation_error check_edit_uploads(model_family family,
                                    const std::vector<multipart_file_info>& files);
validation_error check_variation_uploads(model_family family,
                                         const std::vector<multipart_file_info>& files);

} // namespace openai::codec
