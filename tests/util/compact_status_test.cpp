// CompactStatus: holds an error or nothing, reads back as the same Status, copies deeply.
#include "util/compact_status.h"

#include <gtest/gtest.h>

namespace vaultsync {
namespace {

TEST(CompactStatus, OkByDefaultAndFromOk) {
  CompactStatus s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  s = Status::Ok();
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(sizeof(CompactStatus), sizeof(void*));
}

TEST(CompactStatus, KeepsTheErrorAndCopiesIt) {
  CompactStatus s = InvalidArgument("field \"spec.mount\" is empty");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "field \"spec.mount\" is empty");
  const Status& read = s;
  EXPECT_EQ(read, InvalidArgument("field \"spec.mount\" is empty"));
  CompactStatus copy = s;
  s = Status::Ok();
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(copy.message(), "field \"spec.mount\" is empty");
  CompactStatus assigned;
  assigned = copy;
  EXPECT_EQ(assigned.status(), copy.status());
}

}  // namespace
}  // namespace vaultsync
