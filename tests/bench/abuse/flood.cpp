#include "bench/abuse/flood.h"

#include <netinet/in.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>

namespace medtrail::bench::abuse {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Bytes a slow body announces: under the node's max_request_bytes (8 MiB by default), so the
// server waits for it instead of refusing the head.
constexpr int kAnnouncedBody = 100000;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A kind's live figures; the report is derived from them.
struct KindState {
  KindReport report;
  uint64_t open = 0;
  double open_integral = 0;  // open connections × seconds
  double held_total_s = 0;   // over cut connections
};

class Flood;

// One connection the flood keeps trying to hold. Every callback carries the generation it was
// issued in; closing the socket starts a new one, so a stale callback is recognised and dropped.
class Slot {
 public:
  Slot(Flood& flood, Kind kind, const asio::ip::address_v4* source)
      : flood_(flood), kind_(kind), source_(source), socket_(io()), timer_(io()) {}

  void open();
  void close();  // at the end of the run
  bool connected() const { return connected_; }

 private:
  asio::io_context& io();
  void on_connected();
  void read();
  void send_next();
  void cut();
  void fail(const std::string& reason);
  void reopen_later();
  void drop_socket();

  Flood& flood_;
  const Kind kind_;
  const asio::ip::address_v4* const source_;  // null: the kernel's choice
  tcp::socket socket_;
  asio::steady_timer timer_;  // connect timeout, next line, reopen
  uint64_t generation_ = 0;
  bool connected_ = false;
  bool was_connected_ = false;
  bool answered_ = false;
  Clock::time_point connected_at_{};
  uint64_t lines_sent_ = 0;
  std::string out_;
  std::array<char, 4096> in_{};
};

class Flood {
 public:
  explicit Flood(const FloodSpec& spec)
      : spec_(spec), server_(asio::ip::make_address_v4(spec.host), spec.port) {
    for (const std::string& s : spec.sources) sources_.push_back(asio::ip::make_address_v4(s));
    report_.sources = sources_.size();
    const std::pair<Kind, uint32_t> counts[] = {{Kind::kIdle, spec.idle},
                                                {Kind::kSlowloris, spec.slowloris},
                                                {Kind::kSlowBody, spec.slow_body}};
    for (const auto& [kind, count] : counts) {
      kinds_[kind].report.slots = count;
      for (uint32_t i = 0; i < count; ++i) {
        const asio::ip::address_v4* source =
            sources_.empty() ? nullptr : &sources_[slots_.size() % sources_.size()];
        slots_.push_back(std::make_unique<Slot>(*this, kind, source));
      }
    }
  }

  FloodReport run(const std::function<void(const FloodReport&)>& progress,
                  std::chrono::milliseconds progress_every) {
    started_ = last_change_ = Clock::now();
    end_ = started_ + spec_.duration;
    asio::signal_set signals(io_, SIGINT, SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) end_ = Clock::now();
      io_.stop();
    });
    asio::steady_timer stop_timer(io_, end_);
    stop_timer.async_wait([this](const boost::system::error_code&) { io_.stop(); });
    asio::steady_timer progress_timer(io_);
    std::function<void()> tick = [&] {
      progress_timer.expires_after(progress_every);
      progress_timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        progress(snapshot());
        tick();
      });
    };
    if (progress && progress_every.count() > 0) tick();
    for (auto& slot : slots_) slot->open();
    io_.run();
    end_ = std::min(end_, Clock::now());
    FloodReport report = snapshot();
    for (auto& slot : slots_) slot->close();
    return report;
  }

  // For slots.
  asio::io_context& io() { return io_; }
  const FloodSpec& spec() const { return spec_; }
  const tcp::endpoint& server() const { return server_; }
  bool over() const { return Clock::now() >= end_; }
  void count_attempt() { ++report_.attempts; }
  void count_error(const std::string& reason) { ++report_.errors[reason]; }
  KindReport& figures(Kind kind) { return kinds_[kind].report; }
  void opened(Kind kind) {
    advance();
    ++kinds_[kind].open;
    ++open_;
    report_.peak_open = std::max(report_.peak_open, open_);
  }
  void closed(Kind kind, double held_s, bool by_server) {
    advance();
    --kinds_[kind].open;
    --open_;
    if (by_server) kinds_[kind].held_total_s += held_s;
  }

 private:
  // Accumulates open connections × time up to now.
  void advance() {
    const Clock::time_point now = std::min(Clock::now(), end_);
    const double dt = seconds_between(last_change_, now);
    if (dt > 0) {
      for (auto& [kind, state] : kinds_)
        state.open_integral += static_cast<double>(state.open) * dt;
      last_change_ = now;
    }
  }

  FloodReport snapshot() {
    advance();
    FloodReport report = report_;
    report.seconds = seconds_between(started_, std::min(Clock::now(), end_));
    for (auto& [kind, state] : kinds_) {
      KindReport k = state.report;
      k.open_at_end = state.open;
      k.open_mean = report.seconds > 0 ? state.open_integral / report.seconds : 0;
      k.held_mean_s = k.cut > 0 ? state.held_total_s / static_cast<double>(k.cut) : 0;
      report.kinds[kind] = k;
    }
    return report;
  }

  asio::io_context io_;  // first: destroyed after the slots' sockets and timers
  const FloodSpec spec_;
  const tcp::endpoint server_;
  std::vector<asio::ip::address_v4> sources_;  // before slots_: they point into it
  std::map<Kind, KindState> kinds_;
  std::vector<std::unique_ptr<Slot>> slots_;
  FloodReport report_;
  uint64_t open_ = 0;
  Clock::time_point started_{};
  Clock::time_point end_{};
  Clock::time_point last_change_{};
};

asio::io_context& Slot::io() { return flood_.io(); }

void Slot::open() {
  if (flood_.over()) return;
  const uint64_t gen = ++generation_;
  flood_.count_attempt();
  boost::system::error_code ec;
  socket_.open(tcp::v4(), ec);
  if (ec) return fail("socket: " + ec.message());  // EMFILE, ENFILE
  if (source_ != nullptr) {
    // The port is picked at connect, per destination: one source address can then hold more
    // connections than its ephemeral port range would allow at bind.
    const int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket_.bind(tcp::endpoint(*source_, 0), ec);
    if (ec) return fail("bind: " + ec.message());  // EADDRNOTAVAIL
  }
  timer_.expires_after(flood_.spec().connect_timeout);
  timer_.async_wait([this, gen](const boost::system::error_code& ec) {
    // connected_: the connect completed while this expiry was already queued.
    if (ec || gen != generation_ || connected_) return;
    fail("connect: timed out");
  });
  socket_.async_connect(flood_.server(), [this, gen](const boost::system::error_code& ec) {
    if (gen != generation_) return;
    if (ec) return fail("connect: " + ec.message());
    on_connected();
  });
}

void Slot::on_connected() {
  timer_.cancel();
  connected_ = true;
  answered_ = false;
  connected_at_ = Clock::now();
  lines_sent_ = 0;
  KindReport& figures = flood_.figures(kind_);
  ++figures.opened;
  if (was_connected_) ++figures.reconnects;
  was_connected_ = true;
  flood_.opened(kind_);
  read();
  if (kind_ != Kind::kIdle) send_next();
}

// Reads whatever the server says (an error response, at most) until it closes the connection.
void Slot::read() {
  const uint64_t gen = generation_;
  socket_.async_read_some(asio::buffer(in_),
                          [this, gen](const boost::system::error_code& ec, size_t) {
                            if (gen != generation_) return;
                            if (ec) return cut();
                            answered_ = true;
                            read();
                          });
}

void Slot::send_next() {
  const std::string& target = flood_.spec().target;
  if (kind_ == Kind::kSlowloris) {
    out_ = lines_sent_ == 0 ? "GET " + target + " HTTP/1.1\r\nHost: medtrail\r\n"
                            : "X-Slow-" + std::to_string(lines_sent_) + ": 1\r\n";
  } else {
    out_ = lines_sent_ == 0 ? "POST " + target +
                                  " HTTP/1.1\r\nHost: medtrail\r\n"
                                  "Content-Type: application/json\r\nContent-Length: " +
                                  std::to_string(kAnnouncedBody) + "\r\n\r\n"
                            : "x";
    if (lines_sent_ > kAnnouncedBody) return;  // the whole body sent: wait for the answer
  }
  ++lines_sent_;
  const uint64_t gen = generation_;
  asio::async_write(socket_, asio::buffer(out_),
                    [this, gen](const boost::system::error_code& ec, size_t n) {
                      if (gen != generation_) return;
                      if (ec) return cut();
                      flood_.figures(kind_).bytes_sent += n;
                      timer_.expires_after(flood_.spec().line_interval);
                      timer_.async_wait([this, gen](const boost::system::error_code& ec) {
                        if (ec || gen != generation_) return;
                        send_next();
                      });
                    });
}

void Slot::cut() {
  const double held = seconds_between(connected_at_, Clock::now());
  KindReport& figures = flood_.figures(kind_);
  ++figures.cut;
  if (held < 1.0) ++figures.cut_within_1s;
  if (answered_) ++figures.answered;
  connected_ = false;
  flood_.closed(kind_, held, true);
  drop_socket();
  reopen_later();
}

void Slot::fail(const std::string& reason) {
  flood_.count_error(reason);
  drop_socket();
  reopen_later();
}

void Slot::reopen_later() {
  const uint64_t gen = generation_;
  timer_.expires_after(flood_.spec().reconnect_delay);
  timer_.async_wait([this, gen](const boost::system::error_code& ec) {
    if (ec || gen != generation_) return;
    open();
  });
}

// Closes the socket and starts a new generation: pending callbacks become stale.
void Slot::drop_socket() {
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
}

void Slot::close() {
  if (connected_) {
    connected_ = false;
    flood_.closed(kind_, 0, false);
  }
  drop_socket();
}

}  // namespace

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kIdle:
      return "idle";
    case Kind::kSlowloris:
      return "slowloris";
    case Kind::kSlowBody:
      return "slow_body";
  }
  return "?";
}

FloodReport run_flood(const FloodSpec& spec,
                      const std::function<void(const FloodReport&)>& progress,
                      std::chrono::milliseconds progress_every) {
  Flood flood(spec);
  return flood.run(progress, progress_every);
}

uint64_t raise_nofile_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

}  // namespace medtrail::bench::abuse
