// Decoding of pgoutput messages (protocol versions 1 and 2) from their bytes.
//
// DecodePgOutputMessage is a pure function: bytes in, a message (viewing the bytes) or an error
// naming the message and the byte offset out. Whether changes carry an xid depends on whether a
// streamed transaction's segment is open, which only the message sequence tells; PgOutputDecoder
// is the small stateful wrapper that tracks it for one replication connection (one thread).
// Protocol version 3/4 messages (two-phase commit, parallel streaming) are refused: this
// decoder is used with proto_version '2' and never asks for them.
#pragma once

#include <string_view>

#include "connectors/postgres/replication/pgoutput_messages.h"
#include "core/status.h"

namespace sluice::postgres::replication {

// `in_stream`: between a Stream Start and its Stream Stop.
Result<PgOutputMessage> DecodePgOutputMessage(std::string_view bytes, bool in_stream);

class PgOutputDecoder {
 public:
  // Decodes the next message of the connection; Stream Start and Stream Stop open and close a
  // segment. A Stream Start inside a segment, or a Stream Stop outside one, is an error (the
  // server never sends them), and an error leaves the state as it was.
  Result<PgOutputMessage> Decode(std::string_view bytes);

  bool in_stream() const { return in_stream_; }

 private:
  bool in_stream_ = false;
};

}  // namespace sluice::postgres::replication
