// For tests: damage a binlog file every way (truncated at every byte, each byte flipped) and
// check that reading it ends in an error naming the offset (or a checksum error), never in a
// crash or an out-of-bounds read (run under ASan to see the latter).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "connectors/mysql/binlog/binlog_test_util.h"

namespace sluice::mysql::binlog::testing {

namespace fs = std::filesystem;

inline Result<FileSummary> Decode(const fs::path& p, bool verify = true, bool keep_rows = true) {
  DecodeFileOptions options;
  options.keep_rows = keep_rows;
  options.verify_checksums = verify;
  options.row_options.zero_date_as_null = true;
  return DecodeFile(p.string(), options);
}

inline fs::path WriteTemp(const std::string& name, std::string_view bytes) {
  const fs::path p =
      fs::temp_directory_path() / ("sluice_binlog_" + std::to_string(getpid()) + "_" + name);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return p;
}

inline std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Truncation at every byte: either a clean read of fewer events (a cut between events) or an
// error naming the file's offset.
inline void CheckEveryTruncation(const fs::path& source) {
  const std::string bytes = ReadAll(source);
  ASSERT_GT(bytes.size(), 100u);
  int errors = 0, clean = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    const fs::path p = WriteTemp("trunc", std::string_view(bytes).substr(0, cut));
    Result<FileSummary> s = Decode(p, true, false);
    if (s) {
      ++clean;
    } else {
      ++errors;
      const std::string& m = s.error().message();
      EXPECT_TRUE(m.find("offset") != std::string::npos ||
                  m.find("not a binlog") != std::string::npos)
          << "cut at " << cut << ": " << m;
    }
    fs::remove(p);
  }
  EXPECT_GT(errors, 0);
  std::cout << source.filename() << ": " << bytes.size() << " truncations, " << clean
            << " at event boundaries, " << errors << " errors\n";
}

// Flipping each byte: with checksums every flip is an error (most of them checksum errors);
// without verification the decoders see the garbage and must still end cleanly.
inline void CheckFlips(const fs::path& source, bool has_checksums, size_t stride = 1) {
  std::string bytes = ReadAll(source);
  int checksum_errors = 0, errors = 0, flips = 0;
  for (size_t i = 0; i < bytes.size(); i += stride, ++flips) {
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
    const fs::path p = WriteTemp("flip", bytes);
    Result<FileSummary> s = Decode(p, true, false);
    if (has_checksums) {
      EXPECT_FALSE(s.has_value()) << "flipped byte " << i << " went unnoticed";
    }
    if (!s) {
      ++errors;
      if (s.error().message().find("checksum") != std::string::npos) ++checksum_errors;
    }
    (void)Decode(p, false, false);  // must not crash, whatever it returns
    fs::remove(p);
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  }
  if (has_checksums) {
    EXPECT_GT(checksum_errors, flips / 2);
  }
  std::cout << source.filename() << ": " << flips << " flips, " << errors << " errors, "
            << checksum_errors << " checksum errors\n";
}

inline void CheckEveryFlip(const fs::path& source, bool has_checksums) {
  CheckFlips(source, has_checksums, 1);
}

}  // namespace sluice::mysql::binlog::testing
