// vaultsyncctl's help texts: the global usage and one page per verb (`VERB --help`).
#pragma once

#include <string>

#include "cli/flags.h"

namespace vaultsync::cli {

std::string GlobalUsage();
std::string VerbUsage(Verb verb);

}  // namespace vaultsync::cli
