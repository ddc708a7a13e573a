#include "core/status.h"

namespace sluice {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kIoError:
      return "i/o error";
    case StatusCode::kConnection:
      return "connection error";
    case StatusCode::kDataError:
      return "data error";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kLimitExceeded:
      return "limit exceeded";
    case StatusCode::kOutcomeUnknown:
      return "outcome unknown";
    case StatusCode::kBusy:
      return "busy";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return message_;
}

}  // namespace sluice
