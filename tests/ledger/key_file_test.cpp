#include "medtrail/ledger/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace medtrail::ledger {
namespace {

namespace fs = std::filesystem;

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "medtrail-keyfile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Writes `text` as a key file with mode 0600, bypassing save_key_file.
  std::string write_raw(const std::string& name, const std::string& text) const {
    std::string p = path(name);
    std::ofstream(p) << text;
    ::chmod(p.c_str(), 0600);
    return p;
  }

  static std::string json_for(std::string_view suite, const std::string& key_id,
                              const std::string& public_hex, const std::string& secret_hex) {
    return "{\"suite\": \"" + std::string(suite) + "\", \"key_id\": \"" + key_id +
           "\", \"public_key\": \"" + public_hex + "\", \"secret_key\": \"" + secret_hex + "\"}";
  }

  static std::string json_for(const CryptoSuite& suite, const KeyPair& key) {
    return json_for(suite.name(), suite.key_id(key.public_key), to_hex(key.public_key),
                    to_hex(key.secret.view()));
  }

  fs::path dir_;
};

TEST_F(KeyFile, SaveThenLoadRoundTripsForBothSuites) {
  for (const CryptoSuite* suite : {&ed25519_sha256(), &sm2_sm3()}) {
    SCOPED_TRACE(std::string(suite->name()));
    KeyPair key = *suite->generate_keypair();
    std::string p = path(std::string(suite->name()) + ".key");
    ASSERT_TRUE(save_key_file(p, key).ok());
    Result<KeyPair> loaded = load_key_file(p);
    ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
    EXPECT_EQ(loaded->suite, suite->name());
    EXPECT_EQ(loaded->public_key, key.public_key);
    ASSERT_EQ(loaded->secret.size(), key.secret.size());
    EXPECT_TRUE(std::equal(loaded->secret.view().begin(), loaded->secret.view().end(),
                           key.secret.view().begin()));
    Bytes signature = *suite->sign(*loaded, as_bytes("after reload"));
    EXPECT_TRUE(suite->verify(key.public_key, as_bytes("after reload"), signature));
  }
}

TEST_F(KeyFile, SavedFileIsLowercaseHexJsonWithKeyId) {
  KeyPair key = *sm2_sm3().generate_keypair();
  std::string p = path("k.key");
  ASSERT_TRUE(save_key_file(p, key).ok());
  std::ifstream in(p);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"suite\": \"sm2-sm3\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"key_id\": \"" + sm2_sm3().key_id(key.public_key) + "\""),
            std::string::npos);
  EXPECT_NE(text.find("\"public_key\": \"" + to_hex(key.public_key) + "\""), std::string::npos);
  EXPECT_NE(text.find("\"secret_key\": \"" + to_hex(key.secret.view()) + "\""), std::string::npos);
}

TEST_F(KeyFile, SavedFileHasMode0600) {
  std::string p = path("k.key");
  ASSERT_TRUE(save_key_file(p, *default_suite().generate_keypair()).ok());
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(KeyFile, SavingOverAnExistingFileIsRefused) {
  std::string p = path("k.key");
  KeyPair first = *default_suite().generate_keypair();
  ASSERT_TRUE(save_key_file(p, first).ok());
  Status second = save_key_file(p, *default_suite().generate_keypair());
  EXPECT_EQ(second.code(), "file_exists");
  EXPECT_EQ(load_key_file(p)->public_key, first.public_key);
}

TEST_F(KeyFile, SavingIntoAMissingDirectoryIsAnIoError) {
  EXPECT_EQ(save_key_file(path("no/such/dir/k.key"), *default_suite().generate_keypair()).code(),
            "io_error");
}

TEST_F(KeyFile, GroupOrWorldAccessIsRejectedWithChmodAdvice) {
  std::string p = path("k.key");
  ASSERT_TRUE(save_key_file(p, *default_suite().generate_keypair()).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    ASSERT_EQ(::chmod(p.c_str(), mode), 0);
    Result<KeyPair> loaded = load_key_file(p);
    EXPECT_EQ(loaded.status().code(), "insecure_permissions") << std::oct << mode;
    EXPECT_NE(loaded.status().message().find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod(p.c_str(), 0644), 0);
  EXPECT_NE(load_key_file(p).status().message().find("0644"), std::string::npos);
  ASSERT_EQ(::chmod(p.c_str(), 0400), 0);
  EXPECT_TRUE(load_key_file(p).ok());
}

TEST_F(KeyFile, MissingFileIsAnIoError) {
  EXPECT_EQ(load_key_file(path("absent.key")).status().code(), "io_error");
}

TEST_F(KeyFile, GarbageIsABadKeyFile) {
  for (const char* text : {"", "not json", "{\"suite\": ", "[1, 2, 3]", "\"a string\"", "{}",
                           "{\"suite\": 7, \"key_id\": \"\", \"public_key\": \"\", "
                           "\"secret_key\": \"\"}"}) {
    EXPECT_EQ(load_key_file(write_raw("k.key", text)).status().code(), "bad_key_file") << text;
  }
}

TEST_F(KeyFile, NonRegularFileIsRejectedWithoutBlocking) {
  std::string fifo = path("fifo.key");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(load_key_file(fifo).status().code(), "bad_key_file");
  EXPECT_EQ(load_key_file(dir_.string()).status().code(), "bad_key_file");
}

TEST_F(KeyFile, OversizedFileIsABadKeyFile) {
  std::string p = write_raw("big.key", std::string(65 * 1024, ' '));
  EXPECT_EQ(load_key_file(p).status().code(), "bad_key_file");
}

TEST_F(KeyFile, BadHexOrWrongSizesAreABadKeyFile) {
  const CryptoSuite& suite = ed25519_sha256();
  KeyPair key = *suite.generate_keypair();
  std::string id = suite.key_id(key.public_key);
  std::string public_hex = to_hex(key.public_key);
  std::string secret_hex = to_hex(key.secret.view());
  const std::string cases[] = {
      json_for(suite.name(), id, public_hex, "zz" + secret_hex.substr(2)),
      json_for(suite.name(), id, public_hex, secret_hex.substr(1)),
      json_for(suite.name(), id, "xy" + public_hex.substr(2), secret_hex),
      json_for(suite.name(), id, public_hex, secret_hex + "00"),
      json_for(suite.name(), id, public_hex + "00", secret_hex),
  };
  for (const std::string& text : cases) {
    EXPECT_EQ(load_key_file(write_raw("k.key", text)).status().code(), "bad_key_file") << text;
  }
}

TEST_F(KeyFile, UnknownSuiteIsReported) {
  KeyPair key = *ed25519_sha256().generate_keypair();
  std::string text = json_for("rsa-sha1", ed25519_sha256().key_id(key.public_key),
                              to_hex(key.public_key), to_hex(key.secret.view()));
  EXPECT_EQ(load_key_file(write_raw("k.key", text)).status().code(), "unknown_suite");
}

TEST_F(KeyFile, PublicKeyNotMatchingTheSecretIsAKeyMismatch) {
  for (const CryptoSuite* suite : {&ed25519_sha256(), &sm2_sm3()}) {
    SCOPED_TRACE(std::string(suite->name()));
    KeyPair key = *suite->generate_keypair();
    KeyPair other = *suite->generate_keypair();
    std::string text = json_for(suite->name(), suite->key_id(other.public_key),
                                to_hex(other.public_key), to_hex(key.secret.view()));
    EXPECT_EQ(load_key_file(write_raw("k.key", text)).status().code(), "key_mismatch");
  }
}

TEST_F(KeyFile, KeyIdNotMatchingThePublicKeyIsAKeyMismatch) {
  KeyPair key = *ed25519_sha256().generate_keypair();
  std::string text = json_for("ed25519-sha256", "0000000000000000", to_hex(key.public_key),
                              to_hex(key.secret.view()));
  EXPECT_EQ(load_key_file(write_raw("k.key", text)).status().code(), "key_mismatch");
}

TEST_F(KeyFile, HandWrittenValidFileLoads) {
  KeyPair key = *sm2_sm3().generate_keypair();
  Result<KeyPair> loaded = load_key_file(write_raw("k.key", json_for(sm2_sm3(), key)));
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->public_key, key.public_key);
}

TEST_F(KeyFile, SavingAnInconsistentPairIsRefusedAndWritesNothing) {
  KeyPair key = *ed25519_sha256().generate_keypair();
  key.public_key = ed25519_sha256().generate_keypair()->public_key;
  std::string p = path("k.key");
  EXPECT_EQ(save_key_file(p, key).code(), "key_mismatch");
  EXPECT_FALSE(fs::exists(p));
  key.suite = "rsa-sha1";
  EXPECT_EQ(save_key_file(p, key).code(), "unknown_suite");
}

}  // namespace
}  // namespace medtrail::ledger
