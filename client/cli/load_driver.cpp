#include "load_driver.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <memory>
#include <thread>

namespace medtrail::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// State every connection shares: the bodies, the next record to send, the clock.
struct Shared {
  const std::vector<std::string>* bodies = nullptr;
  std::atomic<size_t> next{0};
  double rate = 0;
  Clock::time_point start;
  Clock::time_point end;  // no record starts after this; no retry is scheduled after it
  std::chrono::milliseconds io_timeout{0};
};

// The value of a top-level "status" string in the reply body, without a full JSON parse.
std::string_view reply_state(std::string_view body) {
  constexpr std::string_view key = "\"status\":\"";
  size_t at = body.find(key);
  if (at == std::string_view::npos) return {};
  size_t from = at + key.size();
  size_t to = body.find('"', from);
  return to == std::string_view::npos ? std::string_view() : body.substr(from, to - from);
}

std::chrono::milliseconds retry_after(const http::response<http::string_body>& res) {
  auto it = res.find(http::field::retry_after);
  int seconds = 1;
  if (it != res.end()) {
    auto v = it->value();
    std::from_chars(v.data(), v.data() + v.size(), seconds);
  }
  return std::chrono::milliseconds(1000 * std::max(seconds, 0));
}

// One keep-alive connection: sends a record, waits for its answer, takes the next.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& ioc, Shared& shared, const LoadTarget& target,
             tcp::resolver::results_type endpoints)
      : shared_(shared),
        stream_(ioc),
        timer_(ioc),
        endpoints_(std::move(endpoints)),
        host_header_(target.host + ":" + target.port) {}

  ledger::Status connect() {
    beast::error_code ec;
    stream_.socket().open(endpoints_.begin()->endpoint().protocol(), ec);
    if (!ec) stream_.socket().connect(endpoints_.begin()->endpoint(), ec);
    if (ec) return ledger::Status::error("connect_failed", host_header_ + ": " + ec.message());
    stream_.socket().set_option(tcp::no_delay(true), ec);
    return ledger::Status();
  }

  void start() { take_next(); }
  LoadStats& stats() { return stats_; }
  Clock::time_point last_answer() const { return last_answer_; }

 private:
  void take_next() {
    const size_t i = shared_.next.fetch_add(1);
    if (i >= shared_.bodies->size()) return;
    if (shared_.rate <= 0) {
      if (Clock::now() >= shared_.end) return;
      begin_record(i, Clock::now());
      return;
    }
    auto due = shared_.start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(i / shared_.rate));
    if (due >= shared_.end) return;
    timer_.expires_at(due);
    timer_.async_wait(
        [self = shared_from_this(), i, due](beast::error_code) { self->begin_record(i, due); });
  }

  void begin_record(size_t i, Clock::time_point started) {
    index_ = i;
    started_ = started;
    ++stats_.records;
    send();
  }

  void send() {
    const std::string& body = (*shared_.bodies)[index_];
    header_ =
        "POST /v1/records?wait=commit HTTP/1.1\r\nHost: " + host_header_ +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    std::array<asio::const_buffer, 2> buffers{asio::buffer(header_), asio::buffer(body)};
    stream_.expires_after(shared_.io_timeout);
    asio::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->on_io_error(ec);
      self->read_reply();
    });
  }

  void read_reply() {
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->on_io_error(ec);
                       self->on_reply();
                     });
  }

  void on_reply() {
    const auto now = Clock::now();
    last_answer_ = now;
    const unsigned code = response_.result_int();
    const bool keep_alive = response_.keep_alive();
    if (code == 429 || code == 503) {
      auto delay = retry_after(response_);
      if (now + delay < shared_.end) {
        ++stats_.retries[std::to_string(code)];
        return after_reply(keep_alive, delay);
      }
      ++stats_.errors[std::to_string(code)];
    } else if (code == 200 && reply_state(response_.body()) == "committed") {
      ++stats_.committed;
      stats_.latencies_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - started_).count()));
      stats_.answered_ms.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - shared_.start).count()));
    } else if (code == 200) {
      ++stats_.errors["200:" + std::string(reply_state(response_.body()))];
    } else {
      ++stats_.errors[std::to_string(code)];
    }
    after_reply(keep_alive, std::chrono::milliseconds(-1));
  }

  // Continues after an answer: a retry of the same record after `retry_delay` (>= 0), or the
  // next record; reconnecting first when the server closes the connection.
  void after_reply(bool keep_alive, std::chrono::milliseconds retry_delay) {
    if (!keep_alive) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      if (!connect().ok()) return;
      ++stats_.reconnects;
    }
    if (retry_delay.count() < 0) return take_next();
    timer_.expires_after(retry_delay);
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->send(); });
  }

  void on_io_error(beast::error_code ec) {
    ++stats_.errors["io"];
    if (stats_.first_io_error.empty()) stats_.first_io_error = host_header_ + ": " + ec.message();
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    // A node that went away stays away for this connection: its records would all fail.
    if (!connect().ok()) return;
    ++stats_.reconnects;
    take_next();
  }

  Shared& shared_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  tcp::resolver::results_type endpoints_;
  std::string host_header_;
  std::string header_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  size_t index_ = 0;
  Clock::time_point started_;
  Clock::time_point last_answer_;
  LoadStats stats_;
};

}  // namespace

ledger::Result<DriveResult> drive_load(const DriveOptions& options,
                                       const std::vector<std::string>& bodies) {
  if (options.targets.empty()) return ledger::Status::error("no_url", "no API URL given");
  const size_t threads = std::max<size_t>(options.threads, 1);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (size_t t = 0; t < threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));

  std::vector<tcp::resolver::results_type> endpoints;
  for (const LoadTarget& target : options.targets) {
    tcp::resolver resolver(*contexts[0]);
    beast::error_code ec;
    auto results = resolver.resolve(target.host, target.port, ec);
    if (ec || results.empty()) {
      return ledger::Status::error("resolve_failed",
                                   target.host + ":" + target.port + ": " + ec.message());
    }
    endpoints.push_back(std::move(results));
  }

  Shared shared;
  shared.bodies = &bodies;
  shared.rate = options.rate;
  shared.io_timeout = options.io_timeout;
  std::vector<std::shared_ptr<Connection>> connections;
  for (size_t k = 0; k < options.concurrency; ++k) {
    const size_t target = k % options.targets.size();
    auto connection = std::make_shared<Connection>(*contexts[k % threads], shared,
                                                   options.targets[target], endpoints[target]);
    MEDTRAIL_RETURN_IF_ERROR(connection->connect());
    connections.push_back(std::move(connection));
  }

  shared.start = Clock::now();
  shared.end = shared.start + options.duration;
  for (auto& connection : connections) connection->start();
  std::vector<std::thread> runners;
  for (size_t t = 1; t < threads; ++t) runners.emplace_back([&, t] { contexts[t]->run(); });
  contexts[0]->run();
  for (auto& runner : runners) runner.join();

  DriveResult result;
  Clock::time_point last = shared.start;
  for (auto& connection : connections) {
    last = std::max(last, connection->last_answer());
    result.stats.merge(std::move(connection->stats()));
  }
  result.seconds = std::chrono::duration<double>(last - shared.start).count();
  result.exhausted = shared.next.load() >= bodies.size() && last < shared.end;
  return result;
}

}  // namespace medtrail::cli
