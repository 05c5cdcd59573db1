// The word a client computes from public facts alone (client/cli/trace_proof.h) against the
// status the contracts give from the whole values (dose_status, batch_citizen_status,
// rx_citizen_status): the public facts must carry all a word rests on, for every state a dose,
// its lot, a batch or a prescription can be in, and a few no contract writes.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cli/trace_proof.h"
#include "medtrail/contracts/calendar.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/contracts/tableware.h"
#include "medtrail/contracts/vaccine.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::contracts {
namespace {

constexpr int32_t kOffset = 480;  // +08:00
const int64_t kNow = ledger::rfc3339_to_unix_ms("2026-11-24T02:00:00+08:00").value();
constexpr int64_t kHour = 3'600'000;

// The node's word for each status (node/src/api/trace_lookup.cpp).
const std::map<std::string, std::string> kDoseWords = {
    {"recalled", "RECALLED"},       {"expired", "EXPIRED"},
    {"quarantined", "QUARANTINED"}, {"administered", "ALREADY_ADMINISTERED"},
    {"not_released", "HELD"},       {"in_stock", "GENUINE"},
    {"in_transit", "GENUINE"},      {"in_use", "IN_USE"},
    {"disposed", "DISPOSED"}};
const std::map<std::string, std::string> kBatchWords = {{"recalled", "RECALLED"},
                                                        {"expired", "EXPIRED"},
                                                        {"safe", "GENUINE"},
                                                        {"held", "HELD"},
                                                        {"unknown", "HELD"}};

TEST(PublicWordTest, ADosesWordFromItsPublicFactsIsTheContractsWord) {
  size_t cases = 0;
  std::map<std::string, size_t> seen;
  const int64_t today = day_of(kNow, kOffset);
  for (const std::string lot_status : {"registered", "released", "denied", "recalled"}) {
    for (const std::string status :
         {"in_stock", "in_transit", "in_use", "administered", "quarantined", "disposed", "lost"}) {
      // Yesterday, today (valid through the day), tomorrow in the chain's zone, and no date.
      for (const std::string& expiry : {format_date(today - 1), format_date(today),
                                       format_date(today + 1), std::string("2028-02-30x")}) {
        for (const std::optional<int64_t> hours :
             {std::optional<int64_t>(), std::optional<int64_t>(6)}) {
          for (const int64_t opened_ago : {int64_t{-1}, kHour, 6 * kHour, 6 * kHour + 1}) {
            vaccine::Lot lot;
            lot.product_code = "06901234567892";
            lot.lot = "L1";
            lot.status = lot_status;
            lot.expiry = expiry;
            lot.open_vial_hours = hours;
            lot.doses_per_code = hours ? 3 : 1;
            vaccine::Dose dose;
            dose.lot = "vlot/06901234567892/L1";
            dose.holder = "clinic-a";
            dose.status = status;
            if (opened_ago >= 0) {
              vaccine::Administration given;
              given.at_ms = kNow - opened_ago;
              given.by = "clinic-a/nurse";
              given.patient_ref = std::string(64, 'a');
              dose.administrations.push_back(given);
            }
            const std::string expected =
                kDoseWords.at(dose_status(value_json(dose), value_json(lot), today, kNow));
            const std::string word =
                cli::proven_word(cli::TraceKind::kVaccine, vaccine::public_view(dose),
                                 vaccine::public_view(lot), kNow, kOffset);
            EXPECT_EQ(word, expected)
                << "lot " << lot_status << ", dose " << status << ", expiry " << expiry
                << ", hours " << hours.value_or(0) << ", opened " << opened_ago;
            ++seen[expected];
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 4u * 7 * 4 * 2 * 4);
  EXPECT_EQ(seen.size(), 8u) << "every word but UNKNOWN_CODE is reached";
}

TEST(PublicWordTest, ABatchsWordFromItsPublicFactsIsTheContractsWord) {
  for (const std::string status : {"passed", "held", "recalled", "lost"}) {
    for (const int64_t use_by : {kNow - 1, kNow, kNow + 1}) {
      tableware::Batch batch;
      batch.org = "disinf-a";
      batch.status = status;
      batch.use_by_ms = use_by;
      const std::string expected = kBatchWords.at(batch_citizen_status(value_json(batch), kNow));
      EXPECT_EQ(cli::proven_word(cli::TraceKind::kTableware, tableware::public_view(batch), {},
                                 kNow, kOffset),
                expected)
          << status << " " << use_by - kNow;
    }
  }
}

// The node's word for each of a prescription's citizen statuses (trace_lookup.cpp's rx_word).
const std::map<std::string, std::string> kRxWords = {
    {"valid", "VALID"},         {"dispensing", "PARTLY_DISPENSED"}, {"dispensed", "DISPENSED"},
    {"delivered", "DELIVERED"}, {"expired", "EXPIRED"},             {"cancelled", "CANCELLED"},
    {"rejected", "REJECTED"}};

TEST(PublicWordTest, APrescriptionsWordFromItsPublicFactsIsTheContractsWord) {
  const int64_t today = day_of(kNow, kOffset);
  std::map<std::string, size_t> seen;
  for (const std::string status :
       {"issued", "approved", "rejected", "dispensing", "dispensed", "delivered", "cancelled"}) {
    // Valid until yesterday, today (valid through the day) and tomorrow in the chain's zone.
    for (const int64_t valid_until : {today - 1, today, today + 1}) {
      rx::Prescription p;
      p.org = "hosp-a";
      p.status = status;
      p.issue_day = today - 3;
      p.valid_until_day = valid_until;
      p.items.resize(1);
      const std::string expected = kRxWords.at(rx_citizen_status(p, today));
      EXPECT_EQ(cli::proven_word(cli::TraceKind::kRx, rx::public_view(p), {}, kNow, kOffset),
                expected)
          << status << ", valid until today " << valid_until - today;
      ++seen[expected];
    }
  }
  EXPECT_EQ(seen.size(), kRxWords.size()) << "every word is reached";
  // A status no contract writes, or a day that is no date, is never one a dispense may follow.
  EXPECT_EQ(cli::proven_word(cli::TraceKind::kRx,
                             ledger::PublicFacts{{"status", std::string("lost")},
                                                 {"valid_until", std::string("2099-12-31")}},
                             {}, kNow, kOffset),
            "REJECTED");
  EXPECT_EQ(cli::proven_word(cli::TraceKind::kRx,
                             ledger::PublicFacts{{"status", std::string("approved")},
                                                 {"valid_until", std::string("2099-12-3x")}},
                             {}, kNow, kOffset),
            "EXPIRED");
}

TEST(PublicWordTest, ACodeProvenAbsentIsUnknown) {
  EXPECT_EQ(cli::proven_word(cli::TraceKind::kVaccine, std::nullopt, {}, kNow, kOffset),
            "UNKNOWN_CODE");
  EXPECT_EQ(cli::proven_word(cli::TraceKind::kTableware, std::nullopt, {}, kNow, kOffset),
            "UNKNOWN_CODE");
  EXPECT_EQ(cli::proven_word(cli::TraceKind::kRx, std::nullopt, {}, kNow, kOffset),
            "UNKNOWN_CODE");
}

}  // namespace
}  // namespace medtrail::contracts
