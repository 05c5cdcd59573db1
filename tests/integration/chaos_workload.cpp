#include "integration/chaos_workload.h"

#include <map>
#include <random>

#include "medtrail/ledger/envelope.h"
#include "support/poll.h"

namespace medtrail::integration::chaos {

namespace {

constexpr const char* kDrug = "J01CA04";
constexpr size_t kHotPrescriptions = 3;  // dispenses aim at the latest few: the pharmacies collide
constexpr size_t kMaxRetries = 3;

struct Person {
  std::string id;
  std::string org;
  ledger::KeyPair key;
};

// A signed record and what the checker needs to know of it.
struct Pending {
  std::string wire;
  Op op;  // kind, record id, rx id, quantity
  size_t attempts = 0;
};

}  // namespace

struct Workload::Shared {
  Person doctor;
  Person pharmacists[2];
  std::mutex mu;
  std::vector<Op> history;
  std::vector<std::pair<std::string, int64_t>> issued;  // accepted, not yet seen reviewed
  std::vector<std::pair<std::string, int64_t>> reviewed;  // accepted reviews, latest last
  uint64_t nonce = 0;
};

Workload::Workload(Cluster& cluster, WorkloadOptions options)
    : cluster_(cluster), options_(options), shared_(std::make_unique<Shared>()) {}

Workload::~Workload() { stop(); }

namespace {

Pending sign(const Person& who, const std::string& kind, const nlohmann::json& body, const std::string& nonce) {
  nlohmann::json payload = {{"v", 1},         {"kind", kind},  {"org", who.org},
                            {"actor", who.id}, {"ts", "2026-11-23T10:00:00Z"},
                            {"nonce", nonce}, {"body", body}};
  auto envelope = ledger::sign_envelope(ledger::to_bytes(payload.dump()), who.key);
  if (!envelope.ok()) throw std::runtime_error("chaos: cannot sign: " + envelope.status().to_string());
  Pending p;
  p.wire = ledger::envelope_to_wire(*envelope);
  p.op.kind = kind;
  p.op.record_id = ledger::record_id(*envelope).value();
  return p;
}

// Sends the record once through `node` and fills in the op's times and outcome.
Op send(const Cluster& cluster, int node, const Pending& p, std::chrono::milliseconds timeout) {
  Op op = p.op;
  testing::HttpClient client = cluster.client(node, timeout);
  op.invoked = Clock::now();
  testing::HttpResponse r = client.post("/v1/records?wait=commit", p.wire);
  op.completed = Clock::now();
  op.outcome = Outcome::kUnknown;
  if (r.status != 200) return op;
  auto answer = nlohmann::json::parse(r.body, nullptr, false);
  // committed, rejected and duplicate carry the leaf's result; anything else claims nothing.
  if (!answer.is_object() || !answer.contains("result") || !answer["result"].is_object()) return op;
  const nlohmann::json& result = answer["result"];
  if (result.value("accepted", false)) {
    op.outcome = Outcome::kAccepted;
  } else {
    op.outcome = Outcome::kRejected;
    op.reason_code = result.value("reason_code", "");
  }
  return op;
}

}  // namespace

bool Workload::prepare(std::string* why) {
  auto admin = [this](const std::string& org) {
    const ledger::KeyPair& k = cluster_.admin_key(org);
    return Person{org + "/admin", org, {k.suite, k.public_key, k.secret}};
  };
  auto registered = [&](const std::string& org, const std::string& user, const std::string& role, Person& out) {
    out = {org + "/" + user, org, ledger::ed25519_sha256().generate_keypair().value()};
    Pending p = sign(admin(org), "identity.register",
                     {{"user_id", user},
                      {"role", role},
                      {"public_key", ledger::to_hex(out.key.public_key)},
                      {"licence_no", "LIC-" + user},
                      {"valid_from", "2026-01-01"},
                      {"valid_until", "2099-12-31"}},
                     "chaos-register-" + user);
    int node = 0;
    return testing::wait_until(
        [&] {
          Op op = send(cluster_, node++ % cluster_.size(), p, options_.request_timeout);
          if (op.outcome == Outcome::kRejected) *why = "registering " + out.id + ": " + op.reason_code;
          return op.outcome == Outcome::kAccepted;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(200));
  };
  return registered("hosp-a", "dr-li", "doctor", shared_->doctor) &&
         registered("pharm-b", "ph-wang", "pharmacist", shared_->pharmacists[0]) &&
         registered("pharm-e", "ph-zhao", "pharmacist", shared_->pharmacists[1]);
}

void Workload::start() {
  for (int i = 0; i < options_.clients; ++i) threads_.emplace_back([this, i] { run_client(i); });
}

void Workload::stop() {
  stopping_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::vector<Op> Workload::history() const {
  std::lock_guard lock(shared_->mu);
  return shared_->history;
}

std::vector<Op> Workload::history_since(size_t from) const {
  std::lock_guard lock(shared_->mu);
  if (from >= shared_->history.size()) return {};
  return {shared_->history.begin() + static_cast<std::ptrdiff_t>(from), shared_->history.end()};
}

void Workload::run_client(int index) {
  Shared& s = *shared_;
  std::mt19937_64 rng(options_.seed * 1000003 + static_cast<uint64_t>(index));
  auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  const Person& pharmacist = s.pharmacists[index % 2];
  std::vector<Pending> unanswered;  // sent, answer lost: sent again later

  while (!stopping_) {
    Pending p;
    const size_t roll = pick(100);
    std::string nonce;
    std::pair<std::string, int64_t> target;
    enum { kIssue, kReview, kDispense, kRetry } action = kIssue;
    {
      std::lock_guard lock(s.mu);
      nonce = "chaos-" + std::to_string(index) + "-" + std::to_string(++s.nonce);
      if (!unanswered.empty() && roll < 15) {
        action = kRetry;
      } else if (roll < 30 || (s.issued.empty() && s.reviewed.empty())) {
        action = kIssue;
      } else if (roll < 55 && !s.issued.empty()) {
        action = kReview;
        target = s.issued[pick(s.issued.size())];
      } else if (!s.reviewed.empty()) {
        action = kDispense;
        const size_t hot = std::min(kHotPrescriptions, s.reviewed.size());
        target = s.reviewed[s.reviewed.size() - 1 - pick(hot)];
      } else {
        action = kIssue;
      }
    }
    if (action == kRetry) {
      const size_t at = pick(unanswered.size());
      p = unanswered[at];
      unanswered.erase(unanswered.begin() + static_cast<std::ptrdiff_t>(at));
    } else if (action == kIssue) {
      const int64_t quantity = 6 + 6 * static_cast<int64_t>(pick(4));
      p = sign(s.doctor, "rx.issue",
               {{"patient_ref", std::string(64, 'a')},
                {"type", "normal"},
                {"channel", "offline"},
                {"diagnosis_code", "J02.9"},
                {"items", {{{"drug_code", kDrug},
                            {"name", "Amoxicillin capsules"},
                            {"strength", "250 mg"},
                            {"quantity", quantity},
                            {"unit", "capsule"},
                            {"dosage", "500 mg three times a day"},
                            {"days_supply", 2}}}}},
               nonce);
      p.op.rx_id = p.op.record_id;
      p.op.quantity = quantity;
    } else if (action == kReview) {
      p = sign(pharmacist, "rx.review", {{"rx_id", target.first}, {"decision", "approved"}}, nonce);
      p.op.rx_id = target.first;
    } else {
      // Half, a third or all of it: partial dispenses make the pharmacies' totals collide.
      const int64_t quantity = pick(3) == 0 ? target.second : target.second / (2 + static_cast<int64_t>(pick(2)));
      p = sign(pharmacist, "rx.dispense",
               {{"rx_id", target.first}, {"items", {{{"drug_code", kDrug}, {"quantity", quantity}}}}}, nonce);
      p.op.rx_id = target.first;
      p.op.quantity = quantity;
    }

    ++p.attempts;
    Op op = send(cluster_, static_cast<int>(pick(static_cast<size_t>(cluster_.size()))), p, options_.request_timeout);
    std::lock_guard lock(s.mu);
    s.history.push_back(op);
    if (op.outcome == Outcome::kUnknown) {
      if (p.attempts < kMaxRetries) unanswered.push_back(std::move(p));
      continue;
    }
    if (op.outcome != Outcome::kAccepted) continue;
    if (op.kind == "rx.issue") {
      s.issued.emplace_back(op.rx_id, op.quantity);
    } else if (op.kind == "rx.review") {
      auto it = std::find_if(s.issued.begin(), s.issued.end(), [&](const auto& e) { return e.first == op.rx_id; });
      if (it != s.issued.end()) {
        s.reviewed.push_back(*it);
        s.issued.erase(it);
      }
    }
  }
}

}  // namespace medtrail::integration::chaos
