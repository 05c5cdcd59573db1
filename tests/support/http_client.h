#pragma once
// The tests' HTTP/1.1 client, blocking, in two layers:
// - HttpConnection: one connection, plain or TLS, opened from a chosen loopback address and
//   never replaced behind the caller's back; raw bytes, responses and the server's close are all
//   observable. For tests of a server's connection handling (deadlines, caps, malformed input).
// - HttpClient: requests to one server over a kept-alive HttpConnection, reopened once when the
//   server closed it meanwhile. For tests of what a server answers.
// Every operation is bounded by a timeout, so a server bug fails a test instead of hanging it.
// Not thread-safe: one client per thread.
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
  bool keep_alive = false;  // the server keeps the connection open for another request
  std::string error;        // transport failure (refused, reset, timeout); empty on success
  bool ok() const { return error.empty(); }
  // The header's value; empty when the response has none.
  std::string header(const std::string& lowercase_name) const;
};

// Extra request headers (name, value), sent as given.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpConnectionOptions {
  // The server's certificate is not verified: the tests' TLS identities are self-signed.
  bool tls = false;
  // Bounds each operation; a server test's exchanges take milliseconds.
  std::chrono::milliseconds timeout = std::chrono::seconds(3);
};

class HttpConnection {
 public:
  explicit HttpConnection(HttpConnectionOptions options = {});
  ~HttpConnection();
  HttpConnection(HttpConnection&&) noexcept;
  HttpConnection& operator=(HttpConnection&&) noexcept;

  // Connects (and completes the TLS handshake) to `host`, an IP address (no name lookup: the
  // tests' servers listen on loopback), from `from` when not empty. Any 127.0.0.0/8 address is
  // the machine's own on Linux: tests play different clients with them. Replaces an open
  // connection.
  bool connect(const std::string& host, uint16_t port, const std::string& from = "");
  // A server on 127.0.0.1.
  bool connect(uint16_t port, const std::string& from = "");
  // False before connect, after close, and once a timeout made the connection unusable.
  bool is_open() const;

  // Sends one request and reads its response. Any method, known to Beast or not. Content-Type is
  // sent when `content_type` is not empty; `headers` come last, so they may replace Host or
  // Content-Type.
  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = "",
                       std::string_view content_type = "", const HttpHeaders& headers = {});
  bool send_raw(std::string_view bytes);
  HttpResponse read_response();
  // True when the server closes the connection (EOF, reset, TLS truncation) within `timeout`.
  // What arrives meanwhile is appended to `received` when given, else discarded.
  bool wait_closed(std::chrono::milliseconds timeout, std::string* received = nullptr);
  void close();

  // Why the last operation failed; empty when it succeeded.
  const std::string& error() const;
  // The last operation failed for running out of time (Beast then closed the connection).
  bool timed_out() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // A server on 127.0.0.1.
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // As HttpConnection::request, connecting first when no connection is open.
  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = "",
                       std::string_view content_type = "", const HttpHeaders& headers = {});
  HttpResponse get(std::string_view target, const HttpHeaders& headers = {});
  HttpResponse post(std::string_view target, std::string_view body,
                    std::string_view content_type = "application/json",
                    const HttpHeaders& headers = {});

 private:
  std::string host_;
  uint16_t port_;
  HttpConnection connection_;
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
