// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it
// turns a scrape into families and samples so tests can assert on names, label sets, types
// and values instead of grepping text. Written independently of prometheus-cpp so that it
// checks what a real Prometheus server would read.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vaultsync::metrics::testing {

struct Sample {
  std::string name;                           // as written, e.g. "foo_bucket"
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> type;  // family name -> counter|gauge|histogram|...
  std::map<std::string, std::string> help;  // family name -> help text (unescaped)
  std::vector<Sample> samples;

  // The family a sample belongs to: its own name, or for *_bucket/_sum/_count the histogram
  // (or summary) it was declared under. Empty when no TYPE line covers it.
  std::string FamilyOf(const Sample& s) const;
  // Samples of one family (histogram series included).
  std::vector<Sample> Of(std::string_view family) const;
  // The label names of a family's series (without histogram's `le`), union over samples.
  std::set<std::string> LabelNames(std::string_view family) const;
  // The value of the sample named `name` whose labels are exactly `labels`.
  std::optional<double> Value(std::string_view name,
                              const std::map<std::string, std::string>& labels) const;
};

// InvalidArgument naming the line number for anything malformed: bad names, unterminated or
// badly escaped label values, unparsable numbers, duplicate TYPE lines, a sample whose family
// has no TYPE line.
Result<Exposition> ParseExposition(std::string_view text);

}  // namespace vaultsync::metrics::testing
