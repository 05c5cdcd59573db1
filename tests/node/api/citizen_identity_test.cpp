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
  EXPECT_EQ((*check)->verify("card-1").value().handle, "card-1");
  EXPECT_EQ((*check)->verify("card-2").value().handle, "card-2");
  EXPECT_FALSE((*check)->verify("card-1").value().resident_id);
  auto refused = (*check)->verify("card-3");
  EXPECT_EQ(refused.status().code(), "identity_check_failed");
  EXPECT_EQ(refused.status().message().find("card-3"), std::string::npos);
  EXPECT_EQ((*check)->verify("# demo cards").status().code(), "identity_check_failed");
}

TEST(ListedCredentials, AHealthCardNamesItsHoldersResidentId) {
  medtrail::testing::TempDir dir;
  std::ofstream(dir.file("cards.txt")) << "card-1 11010519491231002x\ncard-2\n";
  auto check = ListedCredentials::load(dir.file("cards.txt"));
  ASSERT_TRUE(check.ok()) << check.status().to_string();
  CitizenIdentity holder = (*check)->verify("card-1").value();
  EXPECT_EQ(holder.handle, "card-1");
  EXPECT_EQ(holder.resident_id, "11010519491231002X");  // normalised
  EXPECT_FALSE((*check)->verify("card-2").value().resident_id);
  EXPECT_EQ((*check)->verify("card-1 11010519491231002x").status().code(), "identity_check_failed");
}

TEST(ListedCredentials, RefusesAMissingFileAndBadLines) {
  medtrail::testing::TempDir dir;
  EXPECT_EQ(ListedCredentials::load(dir.file("absent.txt")).status().code(), "io_error");
  // After a space only a resident id may follow; the message names the line, never its content.
  std::ofstream(dir.file("spaces.txt")) << "card-1\ncard 2\n";
  auto spaced = ListedCredentials::load(dir.file("spaces.txt"));
  EXPECT_EQ(spaced.status().code(), "bad_config");
  EXPECT_NE(spaced.status().message().find("spaces.txt:2"), std::string::npos) << spaced.status().message();
  std::ofstream(dir.file("typo.txt")) << "card-1 110101199003077572\n";
  auto typo = ListedCredentials::load(dir.file("typo.txt"));
  EXPECT_EQ(typo.status().code(), "bad_config");
  EXPECT_EQ(typo.status().message().find("110101199003077572"), std::string::npos) << typo.status().message();
  std::ofstream(dir.file("empty.txt")) << " 110101199003077571\n";
  EXPECT_EQ(ListedCredentials::load(dir.file("empty.txt")).status().code(), "bad_config");
  std::ofstream(dir.file("long.txt")) << std::string(513, 'x') << "\n";
  EXPECT_EQ(ListedCredentials::load(dir.file("long.txt")).status().code(), "bad_config");
}

}  // namespace
}  // namespace medtrail::node::api
