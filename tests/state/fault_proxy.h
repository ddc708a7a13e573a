// A TCP proxy between a client and a PostgreSQL server that breaks the connection on cue, for
// the tests of what the state store does when its connection is lost.
//
// Listens on 127.0.0.1 (port()), connects each client to the server and copies bytes both
// ways on one thread per connection. Arm() sets what happens to the next client message that
// contains a piece of text (a statement's SQL travels as plain text in the Parse message):
// cut both sockets before it reaches the server, or after the server got it but before its
// answer reaches the client, or stop passing anything on (a hung server). CutAll() closes every
// connection at once (the server restarted). Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

class FaultProxy {
 public:
  enum class Fault {
    kNone,
    kCutBefore,  // the message never reaches the server
    kCutAfter,   // the server gets it (and answers), the client never hears back
    kHang,       // nothing passes any more, either way; the sockets stay open
  };

  explicit FaultProxy(int server_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  // Once: the next client message containing `text` triggers `fault`.
  void Arm(Fault fault, std::string text);
  // Whether the armed fault has happened.
  bool fired() const { return fired_.load(); }
  void CutAll();

 private:
  void Accept();
  void Pump(int client, int server);
  // What to do with a chunk from the client.
  Fault Match(const std::string& chunk);

  int server_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> fired_{false};
  std::mutex mu_;
  Fault fault_ = Fault::kNone;
  std::string text_;
  std::vector<int> sockets_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace sluice::testing
