#include "medtrail/ledger/tls_identity.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "medtrail/ledger/secure_bytes.h"

namespace medtrail::ledger {
namespace {

namespace fs = std::filesystem;

X509* parse_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

Bytes der_of(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  Bytes out(der, der + (len > 0 ? len : 0));
  OPENSSL_free(der);
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TlsIdentityFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "medtrail-tls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST(TlsIdentity, GeneratesParsableEd25519CertificateAndKey) {
  Result<TlsIdentity> id = generate_tls_identity("node-a", 30);
  ASSERT_TRUE(id.ok()) << id.status().to_string();

  X509* cert = parse_pem(id->certificate_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_get_version(cert), X509_VERSION_3);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "node-a");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)), 0);
  EVP_PKEY* cert_key = X509_get0_pubkey(cert);
  ASSERT_NE(cert_key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_id(cert_key), EVP_PKEY_ED25519);
  // Self-signed: verifies under its own key.
  EXPECT_EQ(X509_verify(cert, cert_key), 1);
  EXPECT_EQ(X509_check_ca(cert), 0);

  EXPECT_NE(id->private_key_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  BIO* bio =
      BIO_new_mem_buf(id->private_key_pem.data(), static_cast<int>(id->private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(key, cert_key), 1);
  EVP_PKEY_free(key);
  X509_free(cert);
}

TEST(TlsIdentity, SpkiHashOfPemAndDerMatchTheGeneratedPin) {
  TlsIdentity id = *generate_tls_identity("node-a");
  Result<Hash> from_pem = certificate_spki_sha256(id.certificate_pem);
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().to_string();
  EXPECT_EQ(*from_pem, id.spki_sha256);

  X509* cert = parse_pem(id.certificate_pem);
  ASSERT_NE(cert, nullptr);
  Bytes der = der_of(cert);
  X509_free(cert);
  Result<Hash> from_der = certificate_der_spki_sha256(der);
  ASSERT_TRUE(from_der.ok()) << from_der.status().to_string();
  EXPECT_EQ(*from_der, id.spki_sha256);
}

TEST(TlsIdentity, TwoIdentitiesDiffer) {
  TlsIdentity a = *generate_tls_identity("node");
  TlsIdentity b = *generate_tls_identity("node");
  EXPECT_NE(a.spki_sha256, b.spki_sha256);
  EXPECT_NE(a.certificate_pem, b.certificate_pem);
  EXPECT_NE(a.private_key_pem, b.private_key_pem);
}

TEST(TlsIdentity, BadCertificateIsRejected) {
  EXPECT_EQ(certificate_spki_sha256("").status().code(), "bad_certificate");
  EXPECT_EQ(certificate_spki_sha256("not a certificate").status().code(), "bad_certificate");
  EXPECT_EQ(
      certificate_spki_sha256("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
          .status()
          .code(),
      "bad_certificate");
  Bytes garbage = {0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_EQ(certificate_der_spki_sha256(garbage).status().code(), "bad_certificate");
  EXPECT_EQ(certificate_der_spki_sha256(Bytes{}).status().code(), "bad_certificate");
}

TEST(TlsIdentity, DerWithTrailingBytesIsRejected) {
  TlsIdentity id = *generate_tls_identity("node-a");
  X509* cert = parse_pem(id.certificate_pem);
  ASSERT_NE(cert, nullptr);
  Bytes der = der_of(cert);
  X509_free(cert);
  der.push_back(0);
  EXPECT_EQ(certificate_der_spki_sha256(der).status().code(), "bad_certificate");
}

TEST(TlsIdentity, InvalidArgumentsAreRejected) {
  EXPECT_EQ(generate_tls_identity("node", 0).status().code(), "invalid_argument");
  EXPECT_EQ(generate_tls_identity("node", -5).status().code(), "invalid_argument");
  EXPECT_EQ(generate_tls_identity("node", 36501).status().code(), "invalid_argument");
  EXPECT_EQ(generate_tls_identity("", 10).status().code(), "invalid_argument");
  EXPECT_EQ(generate_tls_identity(std::string(65, 'x'), 10).status().code(), "invalid_argument");
  EXPECT_TRUE(generate_tls_identity("node", 36500).ok());
}

TEST_F(TlsIdentityFiles, SaveWritesKeyWithMode0600AndCertificateWith0644) {
  TlsIdentity id = *generate_tls_identity("node-a");
  ASSERT_TRUE(save_tls_identity(dir_.string(), "peer", id).ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "peer.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat((dir_ / "peer.crt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(read_file(dir_ / "peer.key"), id.private_key_pem);
  EXPECT_EQ(read_file(dir_ / "peer.crt"), id.certificate_pem);
  EXPECT_EQ(*certificate_spki_sha256(read_file(dir_ / "peer.crt")), id.spki_sha256);
}

TEST_F(TlsIdentityFiles, TheKeyIsReadBackOnlyWhileOthersCannotReadIt) {
  TlsIdentity id = *generate_tls_identity("node-a");
  ASSERT_TRUE(save_tls_identity(dir_.string(), "peer", id).ok());
  const std::string key = (dir_ / "peer.key").string();
  std::string pem;
  ASSERT_TRUE(read_tls_private_key(key, pem).ok());
  EXPECT_EQ(pem, id.private_key_pem);
  wipe_string(pem);
  EXPECT_TRUE(pem.empty());

  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  Status refused = read_tls_private_key(key, pem);
  EXPECT_EQ(refused.code(), "insecure_permissions");
  EXPECT_NE(refused.message().find("chmod 600 " + key), std::string::npos) << refused.message();
  EXPECT_TRUE(pem.empty());
  EXPECT_EQ(read_tls_private_key((dir_ / "absent.key").string(), pem).code(), "io_error");
}

TEST_F(TlsIdentityFiles, SaveRefusesToOverwrite) {
  TlsIdentity first = *generate_tls_identity("node-a");
  TlsIdentity second = *generate_tls_identity("node-a");
  ASSERT_TRUE(save_tls_identity(dir_.string(), "peer", first).ok());
  Status again = save_tls_identity(dir_.string(), "peer", second);
  EXPECT_EQ(again.code(), "file_exists");
  EXPECT_EQ(read_file(dir_ / "peer.key"), first.private_key_pem);
  EXPECT_EQ(read_file(dir_ / "peer.crt"), first.certificate_pem);
}

TEST_F(TlsIdentityFiles, ExistingCertificateLeavesNoOrphanKey) {
  TlsIdentity id = *generate_tls_identity("node-a");
  std::ofstream(dir_ / "peer.crt") << "someone else's";
  EXPECT_EQ(save_tls_identity(dir_.string(), "peer", id).code(), "file_exists");
  EXPECT_FALSE(fs::exists(dir_ / "peer.key"));
  EXPECT_EQ(read_file(dir_ / "peer.crt"), "someone else's");
}

TEST_F(TlsIdentityFiles, MissingDirectoryIsAnIoError) {
  TlsIdentity id = *generate_tls_identity("node-a");
  EXPECT_EQ(save_tls_identity((dir_ / "missing").string(), "peer", id).code(), "io_error");
}

}  // namespace
}  // namespace medtrail::ledger
