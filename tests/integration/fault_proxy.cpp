#include "integration/fault_proxy.h"

#include <array>
#include <utility>  // before Asio: its awaitable.hpp uses std::exchange
#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <future>
#include <random>
#include <set>
#include <string>
#include <thread>

namespace medtrail::integration {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
constexpr size_t kChunkBytes = 16 << 10;
constexpr size_t kMaxHeldBytes = 8 << 20;  // per direction; reading pauses beyond it
constexpr std::chrono::milliseconds kPoll{10};
}  // namespace

struct FaultProxy::Impl {
  // One direction of a connection: what was read from `from`, waiting to be written to `to`.
  struct Pipe {
    Pipe(tcp::socket& f, tcp::socket& t, asio::io_context& io) : from(f), to(t), read_wait(io), write_wait(io) {}
    struct Chunk {
      Clock::time_point due;
      std::string bytes;
    };
    tcp::socket& from;
    tcp::socket& to;
    std::array<char, kChunkBytes> buffer{};
    std::deque<Chunk> held;
    size_t held_bytes = 0;
    bool writing = false;
    asio::steady_timer read_wait;
    asio::steady_timer write_wait;
  };
  struct Session : std::enable_shared_from_this<Session> {
    explicit Session(Impl& proxy, tcp::socket client)
        : impl(proxy), near(std::move(client)), far(proxy.io), out(near, far, proxy.io), back(far, near, proxy.io) {}
    Impl& impl;
    tcp::socket near;  // the dialing node
    tcp::socket far;   // the target
    Pipe out;          // near -> far
    Pipe back;         // far -> near
    bool closed = false;

    void close() {
      if (closed) return;
      closed = true;
      boost::system::error_code ignored;
      near.close(ignored);
      far.close(ignored);
      for (Pipe* p : {&out, &back}) {
        p->read_wait.cancel();
        p->write_wait.cancel();
      }
      impl.sessions.erase(shared_from_this());
    }

    void read(Pipe& p) {
      if (closed) return;
      auto self = shared_from_this();
      if (p.held_bytes >= kMaxHeldBytes) {
        p.read_wait.expires_after(kPoll);
        p.read_wait.async_wait([self, &p](boost::system::error_code ec) {
          if (!ec) self->read(p);
        });
        return;
      }
      p.from.async_read_some(asio::buffer(p.buffer), [self, &p](boost::system::error_code ec, size_t n) {
        if (ec) return self->close();
        Clock::time_point due = Clock::now() + self->impl.next_delay();
        if (!p.held.empty() && due < p.held.back().due) due = p.held.back().due;  // in order
        p.held.push_back({due, std::string(p.buffer.data(), n)});
        p.held_bytes += n;
        if (!p.writing) self->write(p);
        self->read(p);
      });
    }

    void write(Pipe& p) {
      if (closed) return;
      if (p.held.empty()) {
        p.writing = false;
        return;
      }
      p.writing = true;
      auto self = shared_from_this();
      const Clock::time_point now = Clock::now();
      const bool stalled = impl.mode.load() == static_cast<int>(Mode::kStall);
      if (stalled || p.held.front().due > now) {
        p.write_wait.expires_at(stalled ? now + kPoll : p.held.front().due);
        p.write_wait.async_wait([self, &p](boost::system::error_code ec) {
          if (!ec) self->write(p);
        });
        return;
      }
      asio::async_write(p.to, asio::buffer(p.held.front().bytes), [self, &p](boost::system::error_code ec, size_t n) {
        if (ec) return self->close();
        self->impl.bytes += n;
        p.held_bytes -= n;
        p.held.pop_front();
        self->write(p);
      });
    }
  };

  Impl(uint16_t target_port, uint64_t seed) : target(asio::ip::make_address("127.0.0.1"), target_port), rng(seed) {
    acceptor.open(tcp::v4());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor.listen();
    port = acceptor.local_endpoint().port();
  }

  std::chrono::milliseconds next_delay() {
    const int64_t base = delay_ms.load();
    const int64_t jitter = jitter_ms.load();
    if (base == 0 && jitter == 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(base + (jitter > 0 ? static_cast<int64_t>(rng() % (jitter + 1)) : 0));
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        if (mode.load() == static_cast<int>(Mode::kCut)) {
          ++refused;
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          auto session = std::make_shared<Session>(*this, std::move(socket));
          sessions.insert(session);
          session->far.async_connect(target, [this, session](boost::system::error_code e) {
            if (e) {
              ++refused;
              return session->close();
            }
            ++connections;
            session->read(session->out);
            session->read(session->back);
          });
        }
      }
      accept();
    });
  }

  void close_all() {
    auto copy = sessions;
    for (const auto& s : copy) s->close();
  }

  // Runs `work` on the proxy's thread and waits for it.
  void on_thread(std::function<void()> work) {
    std::promise<void> done;
    asio::post(io, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }

  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::endpoint target;
  uint16_t port = 0;
  std::mt19937_64 rng;  // proxy thread only
  std::set<std::shared_ptr<Session>> sessions;  // proxy thread only
  std::atomic<int> mode{static_cast<int>(Mode::kPass)};
  std::atomic<int64_t> delay_ms{0};
  std::atomic<int64_t> jitter_ms{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> bytes{0};
  std::thread thread;
};

FaultProxy::FaultProxy(uint16_t target_port, uint64_t seed) : impl_(std::make_shared<Impl>(target_port, seed)) {
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FaultProxy::~FaultProxy() {
  impl_->on_thread([impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->close_all();
  });
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t FaultProxy::port() const { return impl_->port; }

void FaultProxy::set_mode(Mode mode) {
  impl_->mode = static_cast<int>(mode);
  if (mode == Mode::kCut) reset_connections();
}

FaultProxy::Mode FaultProxy::mode() const { return static_cast<Mode>(impl_->mode.load()); }

void FaultProxy::set_delay(std::chrono::milliseconds base, std::chrono::milliseconds jitter) {
  impl_->delay_ms = base.count();
  impl_->jitter_ms = jitter.count();
}

void FaultProxy::reset_connections() {
  impl_->on_thread([impl = impl_.get()] { impl->close_all(); });
}

FaultProxy::Stats FaultProxy::stats() const {
  return {impl_->connections.load(), impl_->refused.load(), impl_->bytes.load()};
}

}  // namespace medtrail::integration
