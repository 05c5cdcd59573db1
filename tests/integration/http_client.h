#pragma once
// A small blocking HTTP/1.1 client for the integration tests: one keep-alive connection to one
// node, reopened when the node closed it, every exchange bounded by a timeout. Not thread-safe:
// one client per thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace medtrail::integration {

struct HttpResponse {
  int status = 0;          // 0 when no response arrived
  std::string body;
  std::string retry_after; // the Retry-After header, if any
  std::string error;       // transport failure (refused, reset, timeout); empty on success
  bool ok() const { return error.empty(); }
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  HttpResponse get(std::string_view target);
  HttpResponse post(std::string_view target, std::string body,
                    std::string_view content_type = "application/json");

 private:
  HttpResponse exchange(std::string_view method, std::string_view target, std::string body,
                        std::string_view content_type);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes `bytes` to host:port on a fresh TCP connection, then reads until the peer closes it
// or `timeout` passes. Returns what was read; `closed` tells whether the peer closed (EOF or
// reset) within the timeout.
struct RawExchange {
  std::string received;
  bool connected = false;
  bool closed = false;
};
RawExchange raw_exchange(const std::string& host, uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout);

}  // namespace medtrail::integration
