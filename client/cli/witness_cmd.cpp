// `medtrail witness`: run a witness of one chain (witness.h, c2sp.org/tlog-witness).
//   init   creates the witness's state (at tree size 0) and prints its verifier key, which those
//          who will require its cosignatures configure;
//   serve  answers POST /add-checkpoint over HTTP on the address given (127.0.0.1 by default).
// Plain HTTP: what it receives is judged by its signatures, and what it answers is a signature;
// put a TLS proxy in front (docs/deploy.md) to serve it beyond the machine.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/cosignature.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "witness.h"

namespace medtrail::cli {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct WitnessOptions {
  std::string genesis;
  std::string key_file;
  std::string name;
  std::string state;
  std::string listen = "127.0.0.1:7380";
  int64_t stop_after_s = 0;
};

// A client has this long to send its request, and to read the answer.
constexpr int kIoTimeoutSeconds = 10;

ledger::Result<std::unique_ptr<Witness>> open_witness(const WitnessOptions& o, bool create) {
  auto genesis = ledger::load_genesis_file(o.genesis);
  if (!genesis.ok()) return genesis.status();
  auto key = ledger::load_key_file(o.key_file);
  if (!key.ok()) return key.status();
  return Witness::open(std::move(*genesis), o.name, std::move(*key), o.state, create);
}

uint64_t unix_now_s() { return static_cast<uint64_t>(unix_now_ms() / 1000); }

// At most this many connections at once; more are closed at once (a witness answers a few
// requests a minute per log).
constexpr int kMaxConnections = 64;

// One connection's requests, kept alive while the client asks, each read and write bounded by
// kIoTimeoutSeconds; any error ends it. All on the one thread that runs the io_context.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Witness& witness, int& open)
      : stream_(std::move(socket)), witness_(witness), open_(open) {
    ++open_;
  }
  ~Session() { --open_; }
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxAddCheckpointBytes);
    parser_->header_limit(8 * 1024);
    stream_.expires_after(std::chrono::seconds(kIoTimeoutSeconds));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       // Closed, timed out, too large: nothing a witness owes an answer to.
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    const http::request<http::string_body>& req = parser_->get();
    res_ = {};
    res_.version(req.version());
    res_.keep_alive(req.keep_alive());
    res_.set(http::field::content_type, "text/plain; charset=utf-8");
    if (req.target() != "/add-checkpoint") {
      res_.result(http::status::not_found);
      res_.body() = "this witness answers POST /add-checkpoint only\n";
    } else if (req.method() != http::verb::post) {
      res_.result(http::status::method_not_allowed);
      res_.set(http::field::allow, "POST");
    } else {
      const WitnessReply reply = witness_.add_checkpoint(req.body(), unix_now_s());
      res_.result(static_cast<unsigned>(reply.status));
      res_.set(http::field::content_type, reply.content_type);
      res_.body() = reply.body;
      // A line per request and no checkpoint contents: the operator's record of what was asked.
      std::cerr << "add-checkpoint: " << reply.status;
      if (reply.status == 200) std::cerr << ", cosigned tree size " << witness_.tree_size();
      std::cerr << "\n";
    }
    res_.prepare_payload();
    stream_.expires_after(std::chrono::seconds(kIoTimeoutSeconds));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec && self->res_.keep_alive()) self->read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  Witness& witness_;
  int& open_;
};

void accept_next(tcp::acceptor& acceptor, asio::steady_timer& backoff, Witness& witness,
                 int& open) {
  acceptor.async_accept(
      [&acceptor, &backoff, &witness, &open](beast::error_code ec, tcp::socket socket) {
        if (!acceptor.is_open()) return;
        if (!ec) {
          if (open < kMaxConnections) {
            std::make_shared<Session>(std::move(socket), witness, open)->read();
          }
          return accept_next(acceptor, backoff, witness, open);
        }
        // Out of descriptors, say: wait a little rather than spin on the error.
        backoff.expires_after(std::chrono::milliseconds(100));
        backoff.async_wait([&acceptor, &backoff, &witness, &open](beast::error_code) {
          accept_next(acceptor, backoff, witness, open);
        });
      });
}

// "<address>:<port>", the address in brackets or not for IPv6; nullopt when it does not read.
std::optional<tcp::endpoint> listen_endpoint(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  const std::string port_text = listen.substr(colon + 1);
  if (ec || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int port = std::stoi(port_text);
  if (port > 65535) return std::nullopt;
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

int serve(const WitnessOptions& o) {
  auto witness = open_witness(o, false);
  if (!witness.ok()) return fail("witness serve", witness.status(), kExitUsage);
  const std::optional<tcp::endpoint> endpoint = listen_endpoint(o.listen);
  if (!endpoint) {
    return fail(
        "witness serve",
        ledger::Status::error("bad_listen",
                              "--listen is <address>:<port>, e.g. 127.0.0.1:7380 or [::1]:7380"),
        kExitUsage);
  }
  int open = 0;  // before the io_context, whose end destroys the sessions that count it
  asio::io_context io;
  tcp::acceptor acceptor(io);
  beast::error_code ec;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(
        "witness serve",
        ledger::Status::error("io_error", "cannot listen on " + o.listen + ": " + ec.message()),
        kExitUsage);
  }
  const tcp::endpoint local = acceptor.local_endpoint();
  std::cout << "witness " << (*witness)->name() << " of chain "
            << ledger::to_hex((*witness)->chain_id()) << " at tree size " << (*witness)->tree_size()
            << ", listening on " << local.address().to_string() << ":" << local.port() << std::endl;
  asio::steady_timer backoff(io);
  accept_next(acceptor, backoff, **witness, open);
  // SIGINT and SIGTERM stop it: every cosignature it gave was kept before it left.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  asio::steady_timer stop_timer(io);
  if (o.stop_after_s > 0) {
    stop_timer.expires_after(std::chrono::seconds(o.stop_after_s));
    stop_timer.async_wait([&io](beast::error_code ec) {
      if (!ec) io.stop();
    });
  }
  io.run();
  return 0;
}

}  // namespace

void add_witness(CLI::App& app, int& exit_code) {
  auto* witness = app.add_subcommand(
      "witness",
      "Witness a chain from outside the consortium: cosign each checkpoint that a "
      "quorum signed and that extends the last one cosigned (c2sp.org/tlog-witness)");
  witness->require_subcommand(1);
  auto o = std::make_shared<WitnessOptions>();
  const auto common = [o](CLI::App* cmd) {
    cmd->add_option("--genesis", o->genesis, "The genesis of the chain to witness")->required();
    cmd->add_option("--key", o->key_file, "The witness's Ed25519 key file (medtrail keygen)")
        ->required();
    cmd->add_option("--name", o->name,
                    "The witness's name, a URL without scheme (e.g. court.example.cn/witness)")
        ->required();
    cmd->add_option("--state", o->state,
                    "The file keeping the last checkpoint cosigned; never lose it, never copy it "
                    "to a second witness")
        ->required();
  };
  auto* init = witness->add_subcommand(
      "init",
      "Create the witness's state and print its verifier key (for those who will require "
      "its cosignatures)");
  common(init);
  init->callback([&exit_code, o] {
    auto w = open_witness(*o, true);
    if (!w.ok()) {
      exit_code = fail("witness init", w.status(), kExitUsage);
      return;
    }
    std::cout << ledger::cosigner_vkey((*w)->name(), (*w)->key().public_key) << "\n";
    exit_code = 0;
  });
  auto* serve_cmd = witness->add_subcommand("serve", "Answer POST /add-checkpoint");
  common(serve_cmd);
  serve_cmd->add_option("--listen", o->listen, "Address and port to listen on")
      ->capture_default_str();
  serve_cmd
      ->add_option("--stop-after", o->stop_after_s,
                   "Stop after this many seconds (0: never; for tests and one-off runs)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400} * 365))
      ->capture_default_str();
  serve_cmd->callback([&exit_code, o] { exit_code = serve(*o); });
}

}  // namespace medtrail::cli
