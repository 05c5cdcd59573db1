// Admission: what is refused before a record is queued, and how duplicates and a full queue
// are answered.

#include "core/admission.h"

#include <gtest/gtest.h>

#include <future>

#include "node_stack.h"
#include "support/poll.h"

namespace medtrail::node {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::wait_until;
using testing::LocalNet;
using testing::NodeStack;
using testing::StackOptions;

class AdmissionTest : public ::testing::Test {
 protected:
  AdmissionTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
  }
  void open(StackOptions options = {}) {
    node_ = std::make_unique<NodeStack>(dir_.path().string(), "n1", std::vector<std::string>{"n1"},
                                        genesis_, net_, options);
    ASSERT_TRUE(wait_until([&] { return node_->driver->is_leader(); }, 10s));
  }
  ledger::Envelope record(uint64_t nonce) {
    return medtrail::testing::make_admin_record(admin_, "hosp-a", nonce);
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  LocalNet net_;
  medtrail::testing::TempDir dir_;
  std::unique_ptr<NodeStack> node_;
};

TEST_F(AdmissionTest, BadSignatureAndUnknownSignerAreRefusedOthersProceed) {
  open();
  ledger::Envelope forged = record(1);
  forged.signature[0] ^= 1;
  auto stranger = *suite_.generate_keypair();
  ledger::Envelope unknown = medtrail::testing::make_envelope(stranger, "hosp-a", "dr-x", 2);
  auto out = node_->submit({forged, record(3), unknown}, true);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].state, RecordState::kInvalid);
  EXPECT_EQ(out[0].code, "signature_mismatch");
  EXPECT_EQ(out[1].state, RecordState::kCommitted);
  EXPECT_EQ(out[2].state, RecordState::kInvalid);
  EXPECT_EQ(out[2].code, "unknown_signer");
  EXPECT_EQ(node_->store->tree_size(), 1u);
}

// The API's door screens a signed query before it submits it: admission takes that screening
// as it is (a verdict it did not compute shows through) instead of verifying the signature again.
TEST_F(AdmissionTest, ScreenedEnvelopesAreTakenAsScreened) {
  open();
  auto submit_screened = [&](std::vector<ledger::Envelope> envelopes, std::vector<ScreenedEnvelope> screened) {
    auto promise = std::make_shared<std::promise<std::vector<RecordStatus>>>();
    auto future = promise->get_future();
    node_->admission->submit_screened(std::move(envelopes), std::move(screened), true,
                                      std::chrono::steady_clock::now() + 10s,
                                      [promise](std::vector<RecordStatus> s) { promise->set_value(std::move(s)); });
    EXPECT_EQ(future.wait_for(15s), std::future_status::ready);
    return future.get();
  };
  ledger::Envelope good = record(1);
  ScreenedEnvelope screened = screen_envelope(*node_->store, node_->signers, good);
  ASSERT_TRUE(screened.ok) << screened.code;
  auto out = submit_screened({good}, {screened});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].state, RecordState::kCommitted) << out[0].code;
  EXPECT_EQ(out[0].id, screened.id);

  // A valid envelope whose screening said no stays refused with the screening's own reason.
  ledger::Envelope other = record(2);
  ScreenedEnvelope refused = screen_envelope(*node_->store, node_->signers, other);
  refused.ok = false;
  refused.code = "signer_revoked";
  refused.message = "as the door found";
  out = submit_screened({other}, {refused});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].state, RecordState::kInvalid);
  EXPECT_EQ(out[0].code, "signer_revoked");

  // Screenings that do not match the envelopes one for one admit nothing.
  out = submit_screened({record(3), record(4)}, {screened});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].code, "internal");
  EXPECT_EQ(out[1].code, "internal");
  EXPECT_EQ(node_->store->tree_size(), 1u);
}

TEST_F(AdmissionTest, UnreadableItemIsInvalidWithItsParseError) {
  open();
  std::vector<Result<ledger::Envelope>> items;
  items.emplace_back(Status::error("malformed_json", "not JSON"));
  std::vector<RecordStatus> out;
  node_->admission->submit(std::move(items), false, std::chrono::steady_clock::now(),
                           [&](std::vector<RecordStatus> s) { out = std::move(s); });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].state, RecordState::kInvalid);
  EXPECT_EQ(out[0].code, "malformed_json");
}

TEST_F(AdmissionTest, WithoutWaitAcceptedRecordsArePendingThenCommit) {
  open();
  auto out = node_->submit({record(1), record(2)}, false);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].state, RecordState::kPending);
  EXPECT_EQ(out[0].id, ledger::record_id(record(1)).value());
  ASSERT_TRUE(wait_until([&] { return node_->store->tree_size() == 2; }, 10s));
}

TEST_F(AdmissionTest, SameRecordTwiceInOneRequestIsQueuedOnce) {
  open();
  auto out = node_->submit({record(5), record(5), record(5)}, true);
  for (const RecordStatus& s : out) {
    EXPECT_EQ(s.state, RecordState::kCommitted);
    EXPECT_EQ(s.leaf_index, 0u);
  }
  EXPECT_EQ(node_->store->tree_size(), 1u);
}

TEST_F(AdmissionTest, FullQueueRefusesTheWholeRequest) {
  StackOptions options;
  options.queue_capacity = 4;
  open(options);
  // One request larger than the whole queue.
  std::vector<ledger::Envelope> many;
  for (uint64_t i = 0; i < 5; ++i) many.push_back(record(100 + i));
  auto out = node_->submit(many, false);
  for (const RecordStatus& s : out) EXPECT_EQ(s.state, RecordState::kOverloaded);
  EXPECT_EQ(node_->tracker.pending(), 0u);  // nothing left pending: a retry is a new record
  auto retry = node_->submit({record(100)}, true);
  EXPECT_EQ(retry[0].state, RecordState::kCommitted);
}

}  // namespace
}  // namespace medtrail::node
