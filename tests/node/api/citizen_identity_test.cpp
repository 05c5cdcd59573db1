// The stand-in identity check for citizens (api/citizen_identity.h): the credentials of a file,
// and refusals that never repeat what was presented.
#include "api/citizen_identity.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/chain_fixture.h"

namespace medtrail::node::api {
namespace {

TEST(ListedCredentials, AcceptsTheListedCredentialsOnly) {
  medtrail::testing::TempDir dir;
  std::ofstream(dir.file("cards.txt")) << "# demo cards\ncard-1\r\n\ncard-2\n";
  auto check = ListedCredentials::load(dir.file("cards.txt"));
  ASSERT_TRUE(check.ok()) << check.status().to_string();
  EXPECT_EQ((*check)->verify("card-1").value(), "card-1");
  EXPECT_EQ((*check)->verify("card-2").value(), "card-2");
  auto refused = (*check)->verify("card-3");
  EXPECT_EQ(refused.status().code(), "identity_check_failed");
  EXPECT_EQ(refused.status().message().find("card-3"), std::string::npos);
  EXPECT_EQ((*check)->verify("# demo cards").status().code(), "identity_check_failed");
}

TEST(ListedCredentials, RefusesAMissingFileAndBadLines) {
  medtrail::testing::TempDir dir;
  EXPECT_EQ(ListedCredentials::load(dir.file("absent.txt")).status().code(), "io_error");
  std::ofstream(dir.file("spaces.txt")) << "card-1\ncard 2\n";
  auto spaced = ListedCredentials::load(dir.file("spaces.txt"));
  EXPECT_EQ(spaced.status().code(), "bad_config");
  EXPECT_NE(spaced.status().message().find("spaces.txt:2"), std::string::npos) << spaced.status().message();
  std::ofstream(dir.file("long.txt")) << std::string(513, 'x') << "\n";
  EXPECT_EQ(ListedCredentials::load(dir.file("long.txt")).status().code(), "bad_config");
}

}  // namespace
}  // namespace medtrail::node::api
