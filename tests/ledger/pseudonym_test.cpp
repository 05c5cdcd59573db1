// The pseudonym protocol's member and service sides (ledger/pseudonym.h), resident id
// normalisation, and the service's key file.
#include "medtrail/ledger/pseudonym.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/pseudonym_key_file.h"
#include "medtrail/ledger/resident_id.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

// Valid GB 11643 numbers (check characters computed, birth dates real).
const std::string kIdA = "110101199003077571";
const std::string kIdB = "11010519491231002X";

// What the service does for a request (the node's route, without the chain in front of it).
std::string serve(const OprfServerKey& key, const PseudonymRequest& request) {
  auto count = pseudonym_target_count(request.target);
  EXPECT_TRUE(count.has_value());
  auto blinded = read_pseudonym_request(request.body, count.value_or(0));
  EXPECT_TRUE(blinded.ok()) << blinded.status().to_string();
  auto evaluation = oprf_blind_evaluate(kPseudonymMode, key, *blinded);
  EXPECT_TRUE(evaluation.ok());
  return pseudonym_response_json(*evaluation, key.public_key);
}

std::string ref_by_service(const OprfServerKey& key, const std::string& id) {
  auto ref = service_patient_ref(key, id);
  EXPECT_TRUE(ref.ok()) << ref.status().to_string();
  return ref.ok() ? *ref : std::string();
}

TEST(ResidentId, NormalisesTheOneSpellingAndRefusesTypos) {
  EXPECT_EQ(normalise_resident_id(" 11010519491231002x\r"), kIdB);
  EXPECT_EQ(normalise_resident_id(kIdA), kIdA);
  EXPECT_FALSE(normalise_resident_id("110101199003077578"));  // check character
  EXPECT_FALSE(normalise_resident_id("110101199002307574"));  // 30 February, right check character
  EXPECT_FALSE(normalise_resident_id("11010119900307757"));   // 17 characters
  EXPECT_FALSE(normalise_resident_id("1101011990030775711"));
  EXPECT_FALSE(normalise_resident_id("11010119900307757 1"));
  EXPECT_FALSE(normalise_resident_id(""));
}

TEST(PseudonymTarget, NamesOneToSixtyFourInOneSpelling) {
  EXPECT_EQ(pseudonym_target(7), "/v1/pseudonym/evaluate?n=7");
  EXPECT_EQ(pseudonym_target_count("/v1/pseudonym/evaluate?n=1"), 1u);
  EXPECT_EQ(pseudonym_target_count("/v1/pseudonym/evaluate?n=64"), 64u);
  for (const char* bad : {"/v1/pseudonym/evaluate?n=0", "/v1/pseudonym/evaluate?n=65", "/v1/pseudonym/evaluate?n=01",
                          "/v1/pseudonym/evaluate?n=", "/v1/pseudonym/evaluate", "/v1/pseudonym/evaluate?n=1&x=2",
                          "/v1/pseudonym/evaluate?n=+1", "/v1/pseudonym/evaluat?n=1", "/v1/pseudonym/evaluate?n=100"}) {
    EXPECT_FALSE(pseudonym_target_count(bad)) << bad;
  }
}

TEST(Pseudonym, AMemberGetsTheRefTheServiceKeyDefinesWithoutTheServiceSeeingTheId) {
  const OprfServerKey key = oprf_generate_key_pair();
  std::vector<std::string> ids = {kIdA, "11010519491231002x", kIdB};
  auto request = blind_resident_ids(ids);
  ASSERT_TRUE(request.ok()) << request.status().to_string();
  EXPECT_EQ(request->target, "/v1/pseudonym/evaluate?n=3");
  // The id is in no byte the service receives, in any spelling.
  EXPECT_EQ(request->body.find(kIdA), std::string::npos);
  EXPECT_EQ(request->body.find(to_hex(to_bytes(kIdA))), std::string::npos);

  auto refs = finish_patient_refs(*request, serve(key, *request), key.public_key);
  ASSERT_TRUE(refs.ok()) << refs.status().to_string();
  ASSERT_EQ(refs->size(), 3u);
  EXPECT_EQ((*refs)[0], ref_by_service(key, kIdA));
  EXPECT_EQ((*refs)[1], (*refs)[2]);  // x and X are one person
  EXPECT_NE((*refs)[0], (*refs)[1]);
  EXPECT_TRUE(is_hash_hex((*refs)[0]));

  // Blinding is fresh each time, the ref is not: two requests look unrelated to the service.
  auto again = blind_resident_ids(std::vector<std::string>{kIdA});
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->blinded[0], request->blinded[0]);
  EXPECT_EQ(finish_patient_refs(*again, serve(key, *again), key.public_key).value()[0], (*refs)[0]);
}

TEST(Pseudonym, AnotherKeyGivesOtherRefs) {
  const OprfServerKey one = oprf_generate_key_pair();
  const OprfServerKey two = oprf_generate_key_pair();
  EXPECT_NE(ref_by_service(one, kIdA), ref_by_service(two, kIdA));
}

TEST(Pseudonym, AServiceThatUsedAnotherKeyIsCaught) {
  const OprfServerKey genesis_key = oprf_generate_key_pair();
  const OprfServerKey other = oprf_generate_key_pair();
  auto request = blind_resident_ids(std::vector<std::string>{kIdA, kIdB});
  ASSERT_TRUE(request.ok());
  // Honest about its key, but not genesis' key.
  EXPECT_EQ(finish_patient_refs(*request, serve(other, *request), genesis_key.public_key).status().code(),
            "wrong_service_key");
  // Claims genesis' key, evaluated under another: the proof fails.
  auto evaluation = oprf_blind_evaluate(kPseudonymMode, other, request->blinded);
  ASSERT_TRUE(evaluation.ok());
  const std::string lying = pseudonym_response_json(*evaluation, genesis_key.public_key);
  EXPECT_EQ(finish_patient_refs(*request, lying, genesis_key.public_key).status().code(), "oprf_proof_failed");
  // Evaluations swapped between the two ids: the proof fails too.
  auto honest = oprf_blind_evaluate(kPseudonymMode, genesis_key, request->blinded);
  ASSERT_TRUE(honest.ok());
  std::swap(honest->evaluated[0], honest->evaluated[1]);
  EXPECT_EQ(finish_patient_refs(*request, pseudonym_response_json(*honest, genesis_key.public_key),
                                genesis_key.public_key)
                .status()
                .code(),
            "oprf_proof_failed");
}

TEST(Pseudonym, MalformedRequestsAndAnswersAreRefusedNotTrusted) {
  const OprfServerKey key = oprf_generate_key_pair();
  auto request = blind_resident_ids(std::vector<std::string>{kIdA});
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(read_pseudonym_request(request->body, 2).status().code(), "bad_request");
  EXPECT_EQ(read_pseudonym_request("[]", 1).status().code(), "bad_request");
  EXPECT_EQ(read_pseudonym_request(R"({"blinded":["zz"]})", 1).status().code(), "bad_request");
  EXPECT_EQ(read_pseudonym_request(R"({"blinded":[7]})", 1).status().code(), "bad_request");
  EXPECT_EQ(read_pseudonym_request(R"({"blinded":["00"]})", 1).status().code(), "oprf_bad_element");  // 1 byte
  EXPECT_EQ(read_pseudonym_request(R"({"blinded":[")" + std::string(64, '0') + R"("]})", 1).status().code(),
            "oprf_bad_element");  // the identity
  EXPECT_EQ(read_pseudonym_request(R"({"blinded":[")" + std::string(64, 'f') + R"("]})", 1).status().code(),
            "oprf_bad_element");  // not canonical
  EXPECT_EQ(read_pseudonym_request(std::string(kMaxPseudonymBodyBytes + 1, ' '), 1).status().code(), "bad_request");
  nlohmann::json extra = nlohmann::json::parse(request->body);
  extra["more"] = 1;
  EXPECT_EQ(read_pseudonym_request(extra.dump(), 1).status().code(), "bad_request");

  const std::string answer = serve(key, *request);
  EXPECT_EQ(finish_patient_refs(*request, "not json", key.public_key).status().code(), "bad_response");
  nlohmann::json cut = nlohmann::json::parse(answer);
  cut.erase("proof");
  EXPECT_EQ(finish_patient_refs(*request, cut.dump(), key.public_key).status().code(), "bad_response");
  nlohmann::json doubled = nlohmann::json::parse(answer);
  doubled["evaluated"].push_back(doubled["evaluated"][0]);
  EXPECT_EQ(finish_patient_refs(*request, doubled.dump(), key.public_key).status().code(), "bad_response");
}

TEST(Pseudonym, TheMemberSideRefusesWhatIsNotAResidentIdWithoutEchoingIt) {
  auto bad = blind_resident_ids(std::vector<std::string>{kIdA, "110101199003077578"});
  EXPECT_EQ(bad.status().code(), "bad_resident_id");
  EXPECT_EQ(bad.status().message().find("110101199003077578"), std::string::npos);
  EXPECT_NE(bad.status().message().find("id 2"), std::string::npos);
  EXPECT_EQ(blind_resident_ids(std::vector<std::string>{}).status().code(), "bad_request");
  EXPECT_EQ(blind_resident_ids(std::vector<std::string>(kMaxPseudonymBatch + 1, kIdA)).status().code(),
            "bad_request");
  EXPECT_TRUE(blind_resident_ids(std::vector<std::string>(kMaxPseudonymBatch, kIdA)).ok());
}

TEST(Pseudonym, ACitizensRequestCarriesOneElementAndABoundedPrintableCredential) {
  auto request = blind_resident_ids(std::vector<std::string>{kIdA});
  ASSERT_TRUE(request.ok());
  const std::string body = citizen_pseudonym_request_json("card-0001", request->blinded[0]);
  auto read = read_citizen_pseudonym_request(body);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(read->credential, "card-0001");
  EXPECT_EQ(read->blinded, request->blinded[0]);
  nlohmann::json two = nlohmann::json::parse(body);
  two["blinded"].push_back(two["blinded"][0]);
  EXPECT_EQ(read_citizen_pseudonym_request(two.dump()).status().code(), "bad_request");
  for (const std::string& credential : {std::string(), std::string("card 1"), std::string("card\n1"),
                                        std::string(kMaxCitizenCredentialBytes + 1, 'c')}) {
    EXPECT_EQ(read_citizen_pseudonym_request(citizen_pseudonym_request_json(credential, request->blinded[0]))
                  .status()
                  .code(),
              "bad_request")
        << credential.size();
  }
  EXPECT_TRUE(read_citizen_pseudonym_request(
                  citizen_pseudonym_request_json(std::string(kMaxCitizenCredentialBytes, 'c'), request->blinded[0]))
                  .ok());
  EXPECT_EQ(read_citizen_pseudonym_request(R"({"credential":7,"blinded":[]})").status().code(), "bad_request");
  EXPECT_EQ(read_citizen_pseudonym_request(R"({"blinded":[]})").status().code(), "bad_request");
}

// A citizen's record lookup: the service computes the ref itself, and it is the very ref a member
// gets for that id through the blinded protocol.
TEST(Pseudonym, TheServicesOwnEvaluationIsTheRefAMemberGets) {
  const OprfServerKey key = oprf_generate_key_pair();
  auto request = blind_resident_ids(std::vector<std::string>{kIdB});
  ASSERT_TRUE(request.ok());
  const std::string member_ref = finish_patient_refs(*request, serve(key, *request), key.public_key).value()[0];
  EXPECT_EQ(service_patient_ref(key, kIdB).value(), member_ref);
  EXPECT_EQ(service_patient_ref(key, "11010519491231002x").value(), member_ref);
  EXPECT_NE(service_patient_ref(oprf_generate_key_pair(), kIdB).value(), member_ref);
  auto bad = service_patient_ref(key, "110101199003077572");  // a wrong check character
  EXPECT_EQ(bad.status().code(), "bad_resident_id");
  EXPECT_EQ(bad.status().message().find("110101199003077572"), std::string::npos);
}

TEST(Pseudonym, ACitizensRecordRequestIsTheCredentialAlone) {
  EXPECT_EQ(read_citizen_credential_request(citizen_credential_request_json("card-0001")).value(), "card-0001");
  for (const char* body : {R"({"credential":"card-0001","blinded":[]})", R"({"credential":"card 1"})",
                           R"({"credential":7})", R"({})", "not json", R"(["card-0001"])"}) {
    EXPECT_EQ(read_citizen_credential_request(body).status().code(), "bad_request") << body;
  }
  EXPECT_TRUE(read_citizen_credential_request(
                  citizen_credential_request_json(std::string(kMaxCitizenCredentialBytes, 'c'))).ok());
  EXPECT_FALSE(read_citizen_credential_request(
                   citizen_credential_request_json(std::string(kMaxCitizenCredentialBytes + 1, 'c'))).ok());
}

TEST(PseudonymKeyFile, RoundTripsWithModeSixHundredAndNeverOverwrites) {
  medtrail::testing::TempDir dir;
  const OprfServerKey key = oprf_generate_key_pair();
  const std::string path = dir.file("pseudonym.key");
  ASSERT_TRUE(save_pseudonym_key_file(path, key).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_pseudonym_key_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->public_key, key.public_key);
  EXPECT_EQ(ref_by_service(*loaded, kIdA), ref_by_service(key, kIdA));
  EXPECT_EQ(save_pseudonym_key_file(path, oprf_generate_key_pair()).code(), "file_exists");
  ::chmod(path.c_str(), 0640);
  EXPECT_EQ(load_pseudonym_key_file(path).status().code(), "insecure_permissions");
}

TEST(PseudonymKeyFile, RefusesAnotherSuiteAMismatchedKeyAndABadSecret) {
  medtrail::testing::TempDir dir;
  const OprfServerKey key = oprf_generate_key_pair();
  const OprfServerKey other = oprf_generate_key_pair();
  auto write = [&](const std::string& name, const nlohmann::json& doc) {
    const std::string path = dir.file(name);
    std::ofstream(path) << doc.dump();
    ::chmod(path.c_str(), 0600);
    return path;
  };
  nlohmann::json good = {{"suite", kPseudonymKeySuite},
                         {"public_key", to_hex(key.public_key)},
                         {"secret_key", to_hex(key.secret.view())}};
  EXPECT_TRUE(load_pseudonym_key_file(write("good", good)).ok());
  nlohmann::json suite = good;
  suite["suite"] = "ed25519-sha256";
  EXPECT_EQ(load_pseudonym_key_file(write("suite", suite)).status().code(), "bad_key_file");
  nlohmann::json mismatch = good;
  mismatch["public_key"] = to_hex(other.public_key);
  EXPECT_EQ(load_pseudonym_key_file(write("mismatch", mismatch)).status().code(), "key_mismatch");
  nlohmann::json zero = good;
  zero["secret_key"] = std::string(64, '0');
  EXPECT_EQ(load_pseudonym_key_file(write("zero", zero)).status().code(), "bad_key_file");
  nlohmann::json extra = good;
  extra["note"] = "x";
  EXPECT_EQ(load_pseudonym_key_file(write("extra", extra)).status().code(), "bad_key_file");
  EXPECT_EQ(load_pseudonym_key_file(dir.file("absent")).status().code(), "io_error");
}

}  // namespace
}  // namespace medtrail::ledger
