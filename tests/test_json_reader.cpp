// The JSON reader that eval's --resume and --merge read records with: well-formed documents read
// back, and every malformed one (torn, deeply nested, bad escapes) is an espnet::Error.
#include <gtest/gtest.h>

#include <string>

#include "espnet/error.h"
#include "json_reader.h"

namespace espnet {
namespace {

TEST(JsonReader, ReadsWhatWeWrite) {
  const JsonValue v = JsonValue::parse(
      "{\"id\": \"a\\\"b\\u00e9\", \"n\": [1, -2.5e3, 0.125], \"ok\": true, \"none\": null}");
  EXPECT_EQ(v["id"].str(), "a\"b\xc3\xa9");
  ASSERT_EQ(v["n"].size(), 3u);
  EXPECT_EQ(v["n"][1].number(), -2500.0);
  EXPECT_TRUE(v["ok"].boolean());
  EXPECT_TRUE(v["none"].is_null());
  EXPECT_FALSE(v.has("missing"));
  EXPECT_THROW(v["missing"], Error);
  EXPECT_THROW(v["n"][3], Error);
  EXPECT_THROW(v["id"].number(), Error);
  EXPECT_THROW(v["n"].str(), Error);
}

TEST(JsonReader, MalformedDocumentsAreErrors) {
  for (const std::string bad :
       {"", "{", "{\"a\": 1", "{\"a\": 1,}", "[1, 2", "\"abc", "\"abc\\", "\"\\u12\"",
        "\"\\uzzzz\"", "{\"a\" 1}", "[1] x", "tru", "-", "+1", "{1: 2}", "[,]"}) {
    EXPECT_THROW(JsonValue::parse(bad), Error) << bad;
  }
  // Nesting is bounded: a hostile file cannot exhaust the stack.
  EXPECT_THROW(JsonValue::parse(std::string(100000, '[')), Error);
  EXPECT_NO_THROW(JsonValue::parse(std::string(30, '[') + std::string(30, ']')));
}

}  // namespace
}  // namespace espnet
