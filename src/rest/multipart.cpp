#include "multipart.hpp"

#include <gmime/gmime.h>

#include <memory>
#include <mutex>

namespace pierre::rest::detail {
namespace {

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct Unref {
  void operator()(gpointer object) const noexcept {
    if (object != nullptr) g_object_unref(object);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, Unref>;

std::string parameter(GMimeObject* part, const char* name) {
  GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(part);
  if (disposition == nullptr) return {};
  const char* value = g_mime_content_disposition_get_parameter(disposition, name);
  return value == nullptr ? std::string() : std::string(value);
}

std::unexpected<Error> not_an_upload(std::string message) {
  return fail(ErrorCode::invalid_input, std::move(message), {{"field", "file"}});
}

}  // namespace

Result<UploadedFile> extract_upload(std::string_view content_type, std::string_view body) {
  init_gmime();
  // GMime parses a MIME entity: the request's Content-Type header, a blank line, then the body.
  std::string entity;
  entity.reserve(content_type.size() + body.size() + 20);
  entity.append("Content-Type: ").append(content_type).append("\r\n\r\n").append(body);
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(entity.data(), entity.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeObject> root(g_mime_parser_construct_part(parser.get(), nullptr));
  if (!root || !GMIME_IS_MULTIPART(root.get())) {
    return not_an_upload("the body is not multipart/form-data with a boundary");
  }
  auto* multipart = GMIME_MULTIPART(root.get());
  const int count = g_mime_multipart_get_count(multipart);
  GMimeObject* chosen = nullptr;
  GMimeObject* first_with_filename = nullptr;
  for (int i = 0; i < count; ++i) {
    GMimeObject* part = g_mime_multipart_get_part(multipart, i);
    if (!GMIME_IS_PART(part)) continue;
    if (parameter(part, "name") == "file") {
      chosen = part;
      break;
    }
    if (first_with_filename == nullptr && !parameter(part, "filename").empty()) first_with_filename = part;
  }
  if (chosen == nullptr) chosen = first_with_filename;
  if (chosen == nullptr && count == 1 && GMIME_IS_PART(g_mime_multipart_get_part(multipart, 0))) {
    chosen = g_mime_multipart_get_part(multipart, 0);
  }
  if (chosen == nullptr) return not_an_upload("no file part: send the file as the form field \"file\"");

  GMimeDataWrapper* wrapper = g_mime_part_get_content(GMIME_PART(chosen));
  if (wrapper == nullptr) return not_an_upload("the file part is empty");
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(wrapper, out.get()) < 0) return not_an_upload("the file part cannot be read");
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  UploadedFile file;
  file.filename = parameter(chosen, "filename");
  if (bytes != nullptr && bytes->len > 0) file.content.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
  return file;
}

}  // namespace pierre::rest::detail
