#pragma once
// multipart/form-data uploads (RFC 7578), parsed by GMime (a maintained MIME library) rather than by hand: the part
// that carries the file — the one named "file", else the first with a filename, else the only part.

#include <string>
#include <string_view>

#include "pierre/core/error.hpp"

namespace pierre::rest::detail {

struct UploadedFile {
  std::string filename;  // from Content-Disposition; may be empty
  std::string content;
};

// `content_type` is the request's Content-Type (with its boundary). invalid_input when the body is not
// multipart/form-data or holds no file part.
Result<UploadedFile> extract_upload(std::string_view content_type, std::string_view body);

}  // namespace pierre::rest::detail
