#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace sluice::testing {
namespace {

int Listen(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("FaultProxy: cannot listen");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

int ConnectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

FaultProxy::FaultProxy(int server_port) : server_port_(server_port) {
  listener_ = Listen(&port_);
  acceptor_ = std::thread([this] { Accept(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  CutAll();
  acceptor_.join();
  for (std::thread& t : threads_) t.join();
  ::close(listener_);
  for (int fd : sockets_) ::close(fd);
}

void FaultProxy::Arm(Fault fault, std::string text) {
  std::lock_guard lock(mu_);
  fault_ = fault;
  text_ = std::move(text);
  fired_ = false;
}

void FaultProxy::CutAll() {
  std::lock_guard lock(mu_);
  for (int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
}

FaultProxy::Fault FaultProxy::Match(const std::string& chunk) {
  std::lock_guard lock(mu_);
  if (fault_ == Fault::kNone || chunk.find(text_) == std::string::npos) return Fault::kNone;
  const Fault fault = fault_;
  fault_ = Fault::kNone;
  fired_ = true;
  return fault;
}

void FaultProxy::Accept() {
  while (!stop_) {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    const int server = ConnectTo(server_port_);
    if (server < 0) {
      ::close(client);
      continue;
    }
    std::lock_guard lock(mu_);
    sockets_.push_back(client);
    sockets_.push_back(server);
    threads_.emplace_back([this, client, server] { Pump(client, server); });
  }
}

void FaultProxy::Pump(int client, int server) {
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  bool hung = false;
  char buffer[65536];
  while (!stop_) {
    if (hung) {  // read nothing: the peers see a server that takes and says nothing
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (::poll(fds, 2, 100) < 0) return;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::recv(fds[i].fd, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        ::shutdown(client, SHUT_RDWR);
        ::shutdown(server, SHUT_RDWR);
        return;
      }
      const std::string chunk(buffer, static_cast<size_t>(n));
      const Fault fault = i == 0 ? Match(chunk) : Fault::kNone;
      if (fault == Fault::kHang) {
        hung = true;
        break;
      }
      if (fault == Fault::kCutBefore) {
        ::shutdown(client, SHUT_RDWR);
        ::shutdown(server, SHUT_RDWR);
        return;
      }
      WriteAll(i == 0 ? server : client, chunk.data(), chunk.size());
      if (fault == Fault::kCutAfter) {
        // Time for the server to do it; its answer is never passed on.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ::shutdown(client, SHUT_RDWR);
        ::shutdown(server, SHUT_RDWR);
        return;
      }
    }
  }
}

}  // namespace sluice::testing
