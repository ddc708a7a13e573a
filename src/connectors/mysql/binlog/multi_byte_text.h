// Multi-byte text (gbk, sjis, big5, ...) to UTF-8 as the server reads it: characters split by
// the charset's byte layout, the sequences iconv reads otherwise than the server taken from
// multi_byte_overrides.h, the rest converted by iconv in runs; a sequence iconv refuses, or a
// lead byte whose trail is not one, reads as '?' as it does on the server.
#pragma once

#include <iconv.h>

#include <string>
#include <string_view>

#include "connectors/mysql/binlog/multi_byte_overrides.h"

namespace sluice::mysql::binlog {

// Appends `in` as UTF-8; false with `why` when the value ends inside a character.
bool AppendMultiByteUtf8(const MultiByteCharset& charset, iconv_t cd, std::string_view in,
                         std::string& out, std::string& why);

}  // namespace sluice::mysql::binlog
