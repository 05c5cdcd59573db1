#pragma once
// A trail page's proofs (GET /v1/audit/trails/...?proofs=1, docs/audit.md), checked against the
// genesis the reader holds: the checkpoint is this chain's and signed by a quorum of its
// organisations; each row is what its leaf says, and the leaf is in the tree the checkpoint
// signed. A row newer than the checkpoint is counted unproven, never shown as proven.
#include <cstddef>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/trail_head.h"

namespace medtrail::cli {

struct TrailPageCheck {
  size_t proven = 0;
  size_t unproven = 0;
  uint64_t checkpoint_height = 0;
  std::string problem;  // empty: everything checked holds; else what failed, naming the leaf
};

TrailPageCheck check_trail_page(const nlohmann::json& page, const ledger::LoadedGenesis& genesis);

// Whether the pages of one subject's whole trail, read in order from the first, list every
// record the chain holds about it (docs/proofs.md, "Complete trails"). Each page carries "trail"
// (null when its node cannot serve it now):
// its checkpoint's header, the subject's head at that height, and the entries of its first and
// last rows below the checkpoint (ledger/trail_head.h). The walk chains every row's leaf index
// from the first page on, so, for a page's rows below its checkpoint:
//   - the first one's entry is the chain through the rows before it and itself: nothing was
//     left out before it, on this page or an earlier one;
//   - the last one's entry is the chain through it: nothing was left out within the page;
//   - once every row below the checkpoint has been shown (the page is the last, or a row so far
//     lies above the checkpoint), the head there equals the chain through the last of them:
//     nothing was left out after it.
// It proves which records are on the trail; check_trail_page proves what each covered row says.
// A page whose checkpoint is older than an earlier page's (its node restarted) proves nothing
// and refutes nothing, as a page without "trail"; its rows join the chain. A page that fails ends
// the walk:
// what the object holds after it means nothing.
class TrailCompleteness {
 public:
  TrailCompleteness(std::string subject, const ledger::LoadedGenesis& genesis)
      : subject_(std::move(subject)), genesis_(genesis) {}

  // The next page; "" when it holds, else how the trail it shows is not the chain's.
  std::string add_page(const nlohmann::json& page);

  // The height of the newest checkpoint at which the rows so far were shown to be the whole
  // trail (`records` of them), or nullopt while none has.
  std::optional<uint64_t> complete_at() const { return complete_at_; }
  uint64_t records() const { return records_; }
  // Of those records, how many an earlier page listed above its own checkpoint: on the trail,
  // but what their rows say is the node's word (no page proved their leaves).
  uint64_t unproven_listed() const { return unproven_listed_; }
  // What a page without the trail's proofs said of them ("" when every page had them).
  const std::string& unavailable() const { return unavailable_; }

 private:
  std::string add_page_unguarded(const nlohmann::json& page);

  std::string subject_;
  const ledger::LoadedGenesis& genesis_;
  ledger::TrailHead chain_;  // over every row so far
  std::optional<uint64_t> last_leaf_;
  uint64_t tree_size_ = 0;  // of the newest page's checkpoint
  // The chain through the last row below tree_size_; the rows after it so far (all above it),
  // each with the chain through it; how many rows left that list as a checkpoint came to cover
  // them.
  ledger::TrailHead covered_;
  std::deque<std::pair<uint64_t, ledger::TrailHead>> pending_;
  uint64_t unproven_covered_ = 0;
  std::optional<uint64_t> complete_at_;
  uint64_t records_ = 0;
  uint64_t unproven_listed_ = 0;
  std::string unavailable_;
};

// For a citizen's vaccination record (docs/privacy.md, "A citizen's vaccination record"): why a
// row is not a dose given to `patient_ref`, naming the leaf; "" when every row is one. Every row
// must claim an accepted vaccine.administer; a row with a proof must also be one by its leaf —
// the leaf's body names the ref, the row's code and its dose number. (check_trail_page checks
// the rest of a proven row against its leaf and the leaf against the checkpoint.)
std::string first_row_not_a_dose_of(const nlohmann::json& page, std::string_view patient_ref);

}  // namespace medtrail::cli
