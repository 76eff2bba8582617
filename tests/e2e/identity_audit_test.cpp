// Acceptance audit of SPEC.md "Identity: the NHS number" against the real
// server: the Modulus 11 check worked by hand (c = 11 gives check digit 0,
// c = 10 is never valid), input with spaces, digits only in data, the test
// range, the verification status and local ids of the person view, and the
// person's current area deciding access after personMoved (SPEC.md "Access").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/rules_audit.h"
#include "tests/e2e/rules_audit_payloads.h"

namespace carelog::e2e::rules {
namespace {

using google::protobuf::Struct;

class IdentityAuditTest : public SharedServerTest<IdentityAuditTest> {};

// SPEC.md's rule, written here from its words (not the server's code): the
// remainder r of the weighted sum of the first nine digits.
int Remainder(const std::string& nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * (10 - i);
  return sum % 11;
}

// The first nine digits from `from` upwards (in the test range) whose
// remainder is r.
std::string NineWithRemainder(long from, int r) {
  for (long n = from;; ++n) {
    const std::string nine = std::to_string(n);
    if (Remainder(nine) == r) return nine;
  }
}

TEST_F(IdentityAuditTest, TheCheckDigitByHand) {
  HttpClient client(server_->port(), server_->practitioner_a);
  // 943 476 5919: 9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2 = 299;
  // 299 mod 11 = 2; c = 9 = the tenth digit.
  ASSERT_EQ(Remainder("943476591"), 2);
  auto valid = Post(client, "9434765919", {Reg(At(1, 9))});
  EXPECT_EQ(valid.status, 201) << valid.body;
  EXPECT_EQ(Post(client, "9434765918", {Reg(At(1, 9))}).status, 400);
  // r = 0: c = 11 means check digit 0.
  const std::string zero = NineWithRemainder(999100000, 0) + "0";
  auto answer = Post(client, zero, {Reg(At(1, 9))});
  EXPECT_EQ(answer.status, 201) << zero << " " << answer.body;
  for (char d = '1'; d <= '9'; ++d) {
    std::string wrong = zero;
    wrong[9] = d;
    EXPECT_EQ(Post(client, wrong, {Reg(At(1, 9))}).status, 400) << wrong;
  }
  // r = 1: c = 10, invalid whatever the tenth digit.
  const std::string ten = NineWithRemainder(999200000, 1);
  for (char d = '0'; d <= '9'; ++d) {
    auto refused = Post(client, ten + d, {Reg(At(1, 9))});
    EXPECT_EQ(refused.status, 400) << ten + d;
    EXPECT_EQ(FirstErrorField(refused), "nhsNumber") << refused.body;
  }
  // Both ends of the test range: 999 000 0000 has r = 1 (never valid), 999
  // 999 9999 has r = 2, c = 9 (valid).
  EXPECT_EQ(Post(client, "9990000000", {Reg(At(1, 9))}).status, 400);
  EXPECT_EQ(Post(client, "9999999999", {Reg(At(1, 9))}).status, 201);
}

// Input may carry spaces (`943 476 5919`); data shows digits only: the
// answer of the write, the person view, the history's person and the feed.
TEST_F(IdentityAuditTest, SpacesInAndDigitsOut) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string digits = TestNhsNumber(1401);
  const std::string spaced = digits.substr(0, 3) + "%20" + digits.substr(3, 3) +
                             "%20" + digits.substr(6);
  auto created = client.Send("POST", "/v1/people/" + spaced + "/events",
                             EventsBody({Reg(At(1, 9))}));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Text(created.Json(), "nhsNumber"), digits);
  for (const std::string& path : {spaced, digits}) {
    auto view = client.Get("/v1/people/" + path);
    ASSERT_EQ(view.status, 200) << path << " " << view.body;
    EXPECT_EQ(Text(view.Json(), "nhsNumber"), digits);
  }
  auto more = client.Send("POST", "/v1/people/" + spaced + "/events",
                          EventsBody({Ev(At(2, 9), Ae("AE1"))}));
  EXPECT_EQ(more.status, 201) << more.body;
  EXPECT_EQ(Version(client, digits), 2) << "one person, however written";
  HttpClient admin(server_->port(), server_->admin);
  const auto after =
      static_cast<uint64_t>(Number(created.Json(), "lastPosition")) - 1;
  auto feed = admin.Get("/v1/events?after=" + std::to_string(after));
  ASSERT_EQ(feed.status, 200) << feed.body;
  for (const Struct& e : List(feed.Json(), "events"))
    EXPECT_EQ(Text(e, "nhsNumber"), digits);
  // Other separators are not spaces.
  const std::string dashed =
      digits.substr(0, 3) + "-" + digits.substr(3, 3) + "-" + digits.substr(6);
  EXPECT_EQ(client.Get("/v1/people/" + dashed).status, 400);
}

// The person view holds the verification status of the number and the local
// identifiers linked to it; a retracted verification is as if never made.
TEST_F(IdentityAuditTest, VerificationStatusAndLocalIds) {
  HttpClient client(server_->port(), server_->practitioner_a);
  const std::string nhs = TestNhsNumber(1402);
  auto registered = Post(
      client, nhs,
      {Ev(At(1, 9), R"("personRegistered":{"birthDate":"1940-05-05",)"
                    R"("areaCode":"E09000002","localIds":[{"system":"PAS",)"
                    R"("value":"H1"}]})")});
  ASSERT_EQ(registered.status, 201) << registered.body;
  Struct view = PersonView(client, nhs);
  EXPECT_EQ(Text(view, "nhsNumberStatus"), "UNVERIFIED");
  auto ids = List(view, "localIds");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(Text(ids[0], "system"), "PAS");
  EXPECT_EQ(Text(ids[0], "value"), "H1");
  const std::string verified = NewEventId();
  ASSERT_EQ(
      Post(client, nhs,
           {Ev(At(2, 9), Verified(), verified),
            Ev(At(2, 10), R"("localIdLinked":{"system":"SSCS","value":"C7"})")})
          .status,
      201);
  view = PersonView(client, nhs);
  EXPECT_EQ(Text(view, "nhsNumberStatus"), "VERIFIED");
  ids = List(view, "localIds");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(Text(ids[1], "system"), "SSCS");
  EXPECT_EQ(Text(ids[1], "value"), "C7");
  ASSERT_EQ(Post(client, nhs, {Ev(At(3, 9), Retract(verified))}).status, 201);
  EXPECT_EQ(Text(PersonView(client, nhs), "nhsNumberStatus"), "UNVERIFIED");
}

// SPEC.md "Access": a person belongs to their current area. After a move from
// A to B, A's practitioner may neither read nor write them and B's may; a
// move recorded late that occurred before the latest one does not change the
// current area.
TEST_F(IdentityAuditTest, AMoveChangesWhoMayReadAndWrite) {
  HttpClient a(server_->port(), server_->practitioner_a);
  HttpClient b(server_->port(), server_->practitioner_b);
  const std::string nhs = TestNhsNumber(1403);
  ASSERT_EQ(Post(a, nhs,
                 {Reg(At(1, 9)), Ev(At(1, 10), Admit("S1")),
                  Ev(At(1, 11), Ready("S1"))})
                .status,
            201);
  // Whose discharge worklist lists them: their current area's.
  auto listed_for = [&](HttpClient& client, const std::string& area) {
    auto answer = client.Get("/v1/worklists/discharge?area=" + area);
    EXPECT_EQ(answer.status, 200) << answer.body;
    for (const Struct& item : List(answer.Json(), "items"))
      if (Text(item, "nhsNumber") == nhs) return true;
    return false;
  };
  EXPECT_TRUE(listed_for(a, LiveServer::kAreaA));
  EXPECT_EQ(b.Get("/v1/people/" + nhs).status, 403);
  ASSERT_EQ(Post(a, nhs, {Ev(At(3, 9), Moved(LiveServer::kAreaB))}).status,
            201);
  EXPECT_FALSE(listed_for(a, LiveServer::kAreaA));
  EXPECT_TRUE(listed_for(b, LiveServer::kAreaB));
  EXPECT_EQ(a.Get("/v1/people/" + nhs).status, 403);
  EXPECT_EQ(Post(a, nhs, {Ev(At(4, 9), Ae("AE1"))}).status, 403);
  Struct view = PersonView(b, nhs);
  EXPECT_EQ(Text(view, "areaCode"), LiveServer::kAreaB);
  EXPECT_EQ(Post(b, nhs, {Ev(At(4, 9), Ae("AE1"))}).status, 201);
  // Late: a move back to A on the 2nd, before the move to B on the 3rd.
  ASSERT_EQ(Post(b, nhs, {Ev(At(2, 9), Moved(LiveServer::kAreaA))}).status,
            201);
  EXPECT_EQ(Text(PersonView(b, nhs), "areaCode"), LiveServer::kAreaB);
  EXPECT_EQ(a.Get("/v1/people/" + nhs).status, 403);
  // Moved back to A now: A's again.
  ASSERT_EQ(Post(b, nhs, {Ev(At(5, 9), Moved(LiveServer::kAreaA))}).status,
            201);
  EXPECT_EQ(Text(PersonView(a, nhs), "areaCode"), LiveServer::kAreaA);
  EXPECT_EQ(b.Get("/v1/people/" + nhs).status, 403);
}

}  // namespace
}  // namespace carelog::e2e::rules
