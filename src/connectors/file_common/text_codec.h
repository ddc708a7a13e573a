// Text encodings the file connectors put around values: bytes as base64 or hex (files are
// text), and JSON string escaping. Encoders append to `out` and never allocate otherwise.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace sluice {

enum class BytesEncoding { kBase64, kHex };

// "base64" or "hex"; anything else is an InvalidArgument naming the choices.
Result<BytesEncoding> ParseBytesEncoding(std::string_view text);
const char* BytesEncodingName(BytesEncoding encoding);

void EncodeBytes(std::string_view raw, BytesEncoding encoding, std::string& out);
// Appends the decoded bytes. On error returns a DataError and `out` may hold partial bytes:
// callers that decode into a column roll it back.
Status DecodeBytes(std::string_view text, BytesEncoding encoding, std::string& out);

// Appends `s` as a JSON string literal (quotes included). Control characters, '"' and '\\' are
// escaped; other bytes, UTF-8 included, are copied as they are.
void AppendJsonString(std::string_view s, std::string& out);

}  // namespace sluice
