#pragma once
// Private: the configuration a restarting node starts from — the snapshot's ConfState with
// the conf-change entries after it and up to the commit index applied in log order. Shared by
// both LogStorage implementations' initial_state().

#include "medtrail/consensus/log_storage.h"

namespace medtrail::consensus {

// `conf` (as of index `after`) advanced through the conf changes in (after, through]. Adding a
// voter promotes a learner, adding a learner demotes a voter, removing drops the node;
// as in RaftCore, changes that do not decode or name node 0 are skipped.
Result<ConfState> replay_conf_changes(const LogStorage& storage, ConfState conf, Index after,
                                      Index through);

}  // namespace medtrail::consensus
