// bench/binlog_decode.sh's program: decodes binlog files completely (every event parsed, every
// row image decoded into Batch columns, nothing printed) and reports rows and time.
//
//   binlog_decode_bench FILE...
#include <chrono>
#include <cstdio>

#include "connectors/mysql/binlog/binlog_test_util.h"

int main(int argc, char** argv) {
  using sluice::mysql::binlog::testing::DecodeFile;
  using sluice::mysql::binlog::testing::DecodeFileOptions;
  DecodeFileOptions options;
  options.keep_rows = false;
  options.row_options.zero_date_as_null = true;
  int64_t rows = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i < argc; ++i) {
    auto summary = DecodeFile(argv[i], options);
    if (!summary) {
      std::fprintf(stderr, "%s\n", summary.error().message().c_str());
      return 1;
    }
    rows += summary->row_count;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%lld row images in %.3f s (%.0f row images/s)\n", static_cast<long long>(rows),
              seconds, rows / seconds);
  return 0;
}
