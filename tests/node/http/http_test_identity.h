#pragma once
// A throwaway self-signed TLS identity (EC P-256) generated with OpenSSL for the TLS tests.

#include <string>

namespace medtrail::node::http::testing {

struct TestIdentity {
  std::string cert_pem;
  std::string key_pem;
};

TestIdentity make_self_signed_identity();

}  // namespace medtrail::node::http::testing
