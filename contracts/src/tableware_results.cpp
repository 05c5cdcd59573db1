#include "tableware_results.h"

namespace medtrail::contracts {
namespace {

constexpr int64_t kMaxChlorineMilli = 1'000'000;  // 1000.000 mg/100 cm²: beyond any real test

// 30 -> "0.030": the scaled integer back to the decimal it was sent as, without floating point.
std::string milli_to_decimal(int64_t milli) {
  std::string fraction = std::to_string(milli % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  return std::to_string(milli / 1000) + "." + fraction;
}

}  // namespace

std::optional<TablewareResults> read_results(BodyReader& body, std::string_view name,
                                             Presence presence) {
  std::optional<BodyReader> r = body.object(name, presence);
  if (!r) return std::nullopt;
  auto sensory = r->one_of("sensory", {"pass", "fail"});
  auto chlorine = r->decimal("free_residual_chlorine", 3, 0, kMaxChlorineMilli);
  auto detergent = r->one_of("anionic_detergent", {"not_detected", "detected"});
  auto coliforms = r->one_of("coliforms", {"not_detected", "detected"});
  auto salmonella = r->one_of("salmonella", {"not_detected", "detected"});
  if (!r->finish()) return std::nullopt;
  return TablewareResults{*sensory, *chlorine, *detergent, *coliforms, *salmonella};
}

std::vector<std::string> failing_items(const TablewareResults& results) {
  std::vector<std::string> failing;
  // §3.1 sensory: clean, no grease, no water stains, no odour.
  if (results.sensory == "fail") failing.emplace_back("sensory");
  // §3.2 physical-chemical.
  if (results.free_residual_chlorine_milli > kChlorineLimitMilli) {
    failing.emplace_back("free_residual_chlorine");
  }
  if (results.anionic_detergent == "detected") failing.emplace_back("anionic_detergent");
  // §3.3 microbiological: neither may be detected in 50 cm².
  if (results.coliforms == "detected") failing.emplace_back("coliforms");
  if (results.salmonella == "detected") failing.emplace_back("salmonella");
  return failing;
}

tableware::Batch::Results stored_results(const TablewareResults& results) {
  return {results.sensory, milli_to_decimal(results.free_residual_chlorine_milli),
          results.anionic_detergent, results.coliforms, results.salmonella};
}

}  // namespace medtrail::contracts
