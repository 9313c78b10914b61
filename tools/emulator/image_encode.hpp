// Encoding rasters to PNG, JPEG and WebP, and padding encoded files to a byte size.
//
// Speed matters more than size here (the emulator encodes on first request, then caches): PNG
// uses a low zlib level and one cheap filter, WebP the fastest method.
#pragma once

#include "emulator/image_format.hpp"
#include "emulator/image_synth.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace openai::emulator {

/// PNG, RGB or RGBA as the raster holds, at zlib level `zlib_level` (0..9).
std::string encode_png(const raster& image, int zlib_level = 2);

/// Baseline JPEG at `quality` (0..100, 0 acts as 1). The raster must be RGB.
std::string encode_jpeg(const raster& image, int quality);

/// Lossy WebP at `quality` (0..100), with a lossless alpha plane when the raster is RGBA.
std::string encode_webp(const raster& image, int quality);

/// Dispatches on `format`; quality is ignored for PNG. Throws std::invalid_argument for
/// image_format::unknown, std::runtime_error when an encoder fails.
std::string encode(const raster& image, image_format format, int quality);

/// Grows an encoded file towards `target_size` bytes with ancillary data that decoders skip:
/// PNG chunks `paDd` (before IEND, at most 1 MiB each), JPEG APP15 segments (after SOI/APP0),
/// WebP `PADD` chunks (after the image data; a simple-format file is first turned into the
/// extended VP8X form, as the container requires). The bytes come from `seed` and do not compress.
/// The result is exact except when fewer bytes are missing than one chunk's framing (up to 12),
/// or by one byte for WebP (chunk payloads are even). Does nothing when the file is already as
/// large.
void pad_to_size(std::string& file, image_format format, std::size_t target_size,
                 std::uint64_t seed);

} // namespace openai::emulator
