#include "medtrail/ledger/thread_name.h"

#include <pthread.h>

namespace medtrail::ledger {

void name_this_thread(const std::string& name) {
  // A failure only costs the name in a profile; the thread's work does not depend on it.
  (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace medtrail::ledger
