#pragma once
// The tests' HTTP client: blocking HTTP/1.1 to one server over one keep-alive connection,
// reopened when the server closed it. Every exchange is bounded by a timeout, so a server bug
// fails a test instead of hanging it. Not thread-safe: one client per thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medtrail::testing {

struct HttpResponse {
  int status = 0;                              // 0 when no response arrived
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string error;  // transport failure (refused, reset, timeout); empty on success
  bool ok() const { return error.empty(); }
  // The header's value; empty when the response has none.
  std::string header(const std::string& lowercase_name) const;
};

// Extra request headers (name, value), sent as given.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  // `host` is an IP address (no name lookup: the tests' servers listen on loopback).
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // A server on 127.0.0.1.
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Any method, known to Beast or not. Content-Type is sent when `content_type` is not empty;
  // `headers` come last, so they may replace Host or Content-Type.
  HttpResponse request(std::string_view method, std::string_view target, std::string body = "",
                       std::string_view content_type = "", const HttpHeaders& headers = {});
  HttpResponse get(std::string_view target, const HttpHeaders& headers = {});
  HttpResponse post(std::string_view target, std::string body,
                    std::string_view content_type = "application/json",
                    const HttpHeaders& headers = {});

 private:
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

}  // namespace medtrail::testing
