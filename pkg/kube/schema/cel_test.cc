#include "pkg/kube/schema/cel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pkg/kube/schema/node.h"

namespace osbx::kube::schema::cel {
namespace {

const char* kSelfSchema = R"({"type":"object","properties":{
  "i":{"type":"integer"}, "d":{"type":"number"}, "s":{"type":"string"}, "b":{"type":"boolean"},
  "l":{"type":"array","items":{"type":"integer"}},
  "m":{"type":"object","additionalProperties":{"type":"string"}},
  "o":{"type":"object","properties":{"x":{"type":"integer"}}},
  "any":{"x-kubernetes-int-or-string":true}}})";

const char* kSelf = R"({"i":3,"d":2.5,"s":"hello","b":true,"l":[1,2,3],
  "m":{"k":"v"},"o":{"x":1},"any":"50%"})";

struct Case {
  const char* rule;
  bool ok;                 // evaluation succeeds
  bool want = false;       // the result when ok
  const char* error = "";  // the evaluation error otherwise
};

class EvalTest : public ::testing::TestWithParam<Case> {
 protected:
  static std::unique_ptr<Node> node_;
  static void SetUpTestSuite() { node_ = CompileNode(Json::parse(kSelfSchema), "s").value(); }
};
std::unique_ptr<Node> EvalTest::node_;

TEST_P(EvalTest, EvaluatesLikeCel) {
  const Case& c = GetParam();
  auto program = Program::Compile(c.rule, node_.get());
  ASSERT_TRUE(program.ok()) << c.rule << ": " << program.status().message();
  EvalResult r = (*program)->Evaluate(Json::parse(kSelf), nullptr);
  ASSERT_EQ(r.ok, c.ok) << c.rule << ": " << r.error;
  if (c.ok) {
    EXPECT_EQ(r.value.As<bool>(), c.want) << c.rule;
  } else {
    EXPECT_EQ(r.error, c.error) << c.rule;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Subset, EvalTest,
    ::testing::Values(
        // Field selection, has(), size(), indexing.
        Case{"self.i == 3", true, true}, Case{"self.o.x == 1", true, true},
        Case{"has(self.o.x) && !has(self.m.zz)", true, true},
        Case{"size(self.l) == 3 && self.l.size() == 3 && size(self.s) == 5", true, true},
        Case{"size(self.m) == 1 && size('héllo') == 5", true, true},
        Case{"self.l[2] == 3 && self.m['k'] == 'v'", true, true},
        Case{"self.l[3] == 3", false, false, "index out of bounds: 3"},
        Case{"self.m['nope'] == 'v'", false, false, "no such key: nope"},
        Case{"self.m.nope == 'v'", false, false, "no such key: nope"},
        // Literals and arithmetic.
        Case{"1 + 2 * 3 - 4 / 2 % 3 == 5", true, true},
        Case{"0x10 == 16 && 3u + 4u == 7u && 1.5 + 1.0 == 2.5 && -self.i == -3", true, true},
        Case{"'a' + \"b\" + '''c''' == 'abc' && r'\\n' != '\\n'", true, true},
        Case{"'\\x41\\u00e9\\101' == 'Aé' + 'A'", true, true},
        Case{"[1, 2] + [3] == self.l && {'k': 'v'} == self.m && null == null", true, true},
        Case{"9223372036854775807 + 1 > 0", false, false, "integer overflow"},
        Case{"-9223372036854775808 - 1 < 0", false, false, "integer overflow"},
        Case{"-9223372036854775808 / -1 < 0", false, false, "integer overflow"},
        Case{"-9223372036854775808 % -1 == 0", true, true},
        Case{"7u / 2u == 3u && 7u % 2u == 1u && 2u * 3u - 1u == 5u", true, true},
        Case{"1u / 0u == 1u", false, false, "division by zero"},
        Case{"4611686018427387904 * 2 > 0", false, false, "integer overflow"},
        Case{"self.i / 0 == 1", false, false, "division by zero"},
        Case{"self.i % 0 == 1", false, false, "modulus by zero"},
        Case{"0u - 1u == 0u", false, false, "unsigned integer overflow"},
        // Comparisons, across numeric types too.
        Case{"self.d > self.i == false && self.i > 2.5 && 2u < self.i", true, true},
        Case{"'abc' < 'abd' && false < true && self.s >= 'hello'", true, true},
        // Logic with error absorption.
        Case{"true || self.m.nope == 'x'", true, true},
        Case{"self.m.nope == 'x' || true", true, true},
        Case{"false && self.m.nope == 'x'", true, false},
        Case{"self.m.nope == 'x' && false", true, false},
        Case{"self.m.nope == 'x' || false", false, false, "no such key: nope"},
        Case{"true && self.m.nope == 'x'", false, false, "no such key: nope"},
        Case{"self.b ? self.i == 3 : self.m.nope == 'x'", true, true},
        Case{"!(self.i == 2) && !false", true, true},
        // in, string functions.
        Case{"2 in self.l && 'k' in self.m && !(9 in self.l)", true, true},
        Case{"self.s.startsWith('he') && self.s.endsWith('lo') && self.s.contains('ll')", true,
             true},
        Case{"self.s.matches('^h.*o$') && !self.s.matches('^x')", true, true},
        // Dynamic values (int-or-string).
        Case{"self.any == '50%'", true, true},
        // Macros.
        Case{"self.l.all(x, x > 0) && self.l.exists(x, x == 2) && self.l.exists_one(x, x > 2)",
             true, true},
        Case{"self.l.map(x, x * 2) == [2, 4, 6] && self.l.filter(x, x % 2 == 1) == [1, 3]", true,
             true},
        Case{"self.m.all(k, self.m[k] == 'v')", true, true},
        Case{"[0, 1].all(x, 10 / x > 1)", false, false, "division by zero"},
        Case{"[0, 1].exists(x, 10 / x > 1)", true, true},
        Case{"[1, 0].all(x, x > 0 && 10 / x > 100)", true, false}),
    [](const ::testing::TestParamInfo<Case>& p) { return "rule" + std::to_string(p.index); });

struct RefusalCase {
  const char* rule;
  const char* message_part;
};

class RefusalTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(RefusalTest, IsRefusedAtCompileTime) {
  auto node = CompileNode(Json::parse(kSelfSchema), "s").value();
  auto program = Program::Compile(GetParam().rule, node.get());
  ASSERT_FALSE(program.ok()) << GetParam().rule;
  EXPECT_THAT(program.status().message(), ::testing::HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Subset, RefusalTest,
    ::testing::Values(
        RefusalCase{"self.s.lowerAscii() == 'x'", "undeclared reference to 'lowerAscii'"},
        RefusalCase{"int(self.s) == 1", "undeclared reference to 'int'"},
        RefusalCase{"self.i == 'x'",
                    "found no matching overload for '_==_' applied to '(int, string)'"},
        RefusalCase{"self.i + self.d > 1.0",
                    "found no matching overload for '_+_' applied to '(int, double)'"},
        RefusalCase{"self.s < 1", "found no matching overload for '_<_'"},
        RefusalCase{"self.nope == 1", "undefined field 'nope'"},
        RefusalCase{"self.i.x == 1", "does not support field selection"},
        RefusalCase{"self.i + 1", "rule must evaluate to a bool"},
        RefusalCase{"self.i ==", "syntax error"}, RefusalCase{"self.i == 1 1", "syntax error"},
        RefusalCase{"has(self)", "invalid argument to has() macro"},
        RefusalCase{"b'abc' == b'abc'", "bytes literals are not supported"},
        RefusalCase{"self.s.matches('(')", "invalid regular expression"},
        RefusalCase{"other == 1", "undeclared reference to 'other'"},
        RefusalCase{"9223372036854775808 > 0", "integer literal out of range"},
        RefusalCase{"self.l.all(x, x)", "needs a bool predicate"}));

TEST(ProgramTest, DetectsTransitionRules) {
  auto node = CompileNode(Json::parse(kSelfSchema), "s").value();
  EXPECT_TRUE((*Program::Compile("self.i == oldSelf.i", node.get()))->uses_old_self());
  EXPECT_FALSE((*Program::Compile("self.i == 3", node.get()))->uses_old_self());
}

TEST(ProgramTest, OldSelfSeesThePreviousValue) {
  auto node = CompileNode(Json::parse(kSelfSchema), "s").value();
  auto program = Program::Compile("self.i >= oldSelf.i", node.get());
  ASSERT_TRUE(program.ok());
  Json old = Json::parse(R"({"i":5})");
  EXPECT_FALSE((*program)->Evaluate(Json::parse(R"({"i":4})"), &old).value.As<bool>());
  EXPECT_TRUE((*program)->Evaluate(Json::parse(R"({"i":6})"), &old).value.As<bool>());
}

TEST(ProgramTest, NumberFieldsAreDoublesEvenWhenWrittenAsIntegers) {
  auto node = CompileNode(Json::parse(kSelfSchema), "s").value();
  auto program = Program::Compile("self.d / 2.0 == 1.5", node.get());
  ASSERT_TRUE(program.ok()) << program.status().message();
  EXPECT_TRUE((*program)->Evaluate(Json::parse(R"({"d":3})"), nullptr).value.As<bool>());
}

}  // namespace
}  // namespace osbx::kube::schema::cel
