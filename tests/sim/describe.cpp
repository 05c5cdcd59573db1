#include "sim/describe.h"

namespace medtrail::sim {

using consensus::MessageType;

const char* name(MessageType type) {
  switch (type) {
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResp";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResponse: return "VoteResp";
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendResponse: return "AppendResp";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResponse: return "HeartbeatResp";
    case MessageType::kSnapshotChunk: return "SnapChunk";
    case MessageType::kSnapshotResponse: return "SnapResp";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResponse: return "ReadIndexResp";
  }
  return "?";
}

const char* name(consensus::Role role) {
  switch (role) {
    case consensus::Role::kFollower: return "follower";
    case consensus::Role::kPreCandidate: return "pre-candidate";
    case consensus::Role::kCandidate: return "candidate";
    case consensus::Role::kLeader: return "leader";
  }
  return "?";
}

const char* name(consensus::ConfChangeType type) {
  switch (type) {
    case consensus::ConfChangeType::kAddVoter: return "add-voter";
    case consensus::ConfChangeType::kAddLearner: return "add-learner";
    case consensus::ConfChangeType::kRemoveNode: return "remove";
  }
  return "?";
}

std::string describe(const consensus::Message& m) {
  std::string out = std::to_string(m.from) + "->" + std::to_string(m.to) + " " + name(m.type) +
                    " t" + std::to_string(m.term);
  switch (m.type) {
    case MessageType::kAppend:
      out += " prev=" + std::to_string(m.index) + "/" + std::to_string(m.log_term) +
             " n=" + std::to_string(m.entries.size()) + " commit=" + std::to_string(m.commit);
      break;
    case MessageType::kAppendResponse:
      out += (m.reject ? " reject idx=" : " match=") + std::to_string(m.index);
      if (m.reject) out += " hint=" + std::to_string(m.reject_hint) + "/" + std::to_string(m.hint_term);
      break;
    case MessageType::kPreVote:
    case MessageType::kVote:
      out += " last=" + std::to_string(m.index) + "/" + std::to_string(m.log_term);
      break;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      out += m.reject ? " rejected" : " granted";
      break;
    case MessageType::kHeartbeat:
      out += " commit=" + std::to_string(m.commit);
      break;
    case MessageType::kSnapshotChunk:
      out += " snap=" + std::to_string(m.snapshot.index) + "/" + std::to_string(m.snapshot.term) +
             " off=" + std::to_string(m.snapshot_offset) + "+" +
             std::to_string(m.snapshot_chunk.size()) + "/" + std::to_string(m.snapshot_size);
      break;
    case MessageType::kSnapshotResponse:
      out += (m.reject ? " reject" : " held=") + std::to_string(m.snapshot_offset);
      break;
    case MessageType::kReadIndexResponse:
      out += " index=" + std::to_string(m.index);
      break;
    default:
      break;
  }
  return out;
}

std::string describe(const consensus::ConfState& conf) {
  std::string out = "voters{";
  for (size_t i = 0; i < conf.voters.size(); ++i) {
    out += (i ? "," : "") + std::to_string(conf.voters[i]);
  }
  out += "} learners{";
  for (size_t i = 0; i < conf.learners.size(); ++i) {
    out += (i ? "," : "") + std::to_string(conf.learners[i]);
  }
  return out + "}";
}

}  // namespace medtrail::sim
