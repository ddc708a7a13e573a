// MariaDB's UUID, INET6 and INET4 types: fixed binary values in the binlog's row images (binlog
// type STRING, BINARY(16) or BINARY(4), trailing zero bytes stripped as for BINARY), which a
// SELECT returns as text. These write that text, so a change reads as the batch read does.
// Pure functions over bytes.
#pragma once

#include <string>
#include <string_view>

namespace sluice::mysql::binlog {

enum class FixedBinaryText : unsigned char { kNone, kUuid, kInet6, kInet4 };

// "uuid", "inet6", "inet4" (information_schema's DATA_TYPE), else kNone.
FixedBinaryText FixedBinaryTextOf(std::string_view data_type);
// Its size in bytes: 16, 16, 4 (0 for kNone).
size_t FixedBinarySize(FixedBinaryText type);

// Appends the text form of `stored` (at most FixedBinarySize bytes; the missing tail is zero
// bytes): a UUID in lower-case 8-4-4-4-12 hex, an IPv6 address as MariaDB writes it (which
// differs from inet_ntop: `1::2:3:4:5:6:7`, `::1.2.3.4`), an IPv4 address dotted. False, with
// `why`, for more bytes than the type holds.
//
// MariaDB (from 10.10.6 and 10.11.5) stores a UUID llllllll-mmmm-Vhhh-vsss-nnnnnnnnnnnn whose
// version V is 1 to 5 (any first byte from 0x01 to 0x5F) and whose variant bit is set as
// nnnnnnnnnnnn-vsss-Vhhh-mmmm-llllllll, so that time-based UUIDs sort by time; every other
// UUID as it is. The two forms cannot be mistaken: the server refuses the UUIDs (version 8 or
// more with variant 0) whose plain form would read as swapped.
bool AppendFixedBinaryText(FixedBinaryText type, std::string_view stored, std::string& out,
                           std::string& why);

}  // namespace sluice::mysql::binlog
