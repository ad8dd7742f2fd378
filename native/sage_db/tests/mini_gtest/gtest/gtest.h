// A minimal GoogleTest-compatible harness, used only when libgtest-dev is not installed. Supports the
// subset the sage_db tests use: TEST, EXPECT_/ASSERT_ TRUE FALSE EQ NE LT LE GT GE NEAR THROW NO_THROW,
// `<<` messages, and --gtest_filter=Suite.Name (exact names or '*').
#pragma once

#include <cmath>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace testing {

struct TestCase {
  std::string name;
  std::function<void()> body;
};

std::vector<TestCase>& registry();
int& failures();

struct Registrar {
  Registrar(const char* suite, const char* name, void (*body)()) {
    registry().push_back({std::string(suite) + "." + name, body});
  }
};

struct Message {
  std::ostringstream text;
  template <class T>
  Message& operator<<(const T& value) {
    text << value;
    return *this;
  }
};

struct Reporter {
  const char* file;
  int line;
  std::string what;
  void operator=(const Message& message) const {
    ++failures();
    std::cerr << file << ":" << line << ": Failure: " << what << " " << message.text.str() << "\n";
  }
};

template <class T, class = void>
struct Streamable : std::false_type {};
template <class T>
struct Streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>> : std::true_type {};

template <class T>
void print(std::ostream& out, const T& value) {
  if constexpr (Streamable<T>::value) {
    out << value;
  } else if constexpr (std::is_enum_v<T>) {
    out << static_cast<long long>(value);
  } else {
    out << "<value>";
  }
}

template <class A, class B>
std::string describePair(const char* op, const A& a, const B& b) {
  std::ostringstream s;
  s << "(";
  print(s, a);
  s << " " << op << " ";
  print(s, b);
  s << ")";
  return s.str();
}

void InitGoogleTest(int* argc, char** argv);

}  // namespace testing

#define SAGE_MINI_CHECK(ok, what, onFail) \
  if (ok)                                \
    ;                                    \
  else                                   \
    onFail ::testing::Reporter{__FILE__, __LINE__, what} = ::testing::Message()

#define SAGE_MINI_CMP(a, b, op, onFail)                                                       \
  SAGE_MINI_CHECK(((a)op(b)), std::string(#a " " #op " " #b " ") +                            \
                                  ::testing::describePair(#op, (a), (b)),                     \
                  onFail)

#define ADD_FAILURE() SAGE_MINI_CHECK(false, std::string("failure"), )
#define EXPECT_TRUE(c) SAGE_MINI_CHECK(static_cast<bool>(c), std::string(#c " is false"), )
#define ASSERT_TRUE(c) SAGE_MINI_CHECK(static_cast<bool>(c), std::string(#c " is false"), return)
#define EXPECT_FALSE(c) SAGE_MINI_CHECK(!static_cast<bool>(c), std::string(#c " is true"), )
#define ASSERT_FALSE(c) SAGE_MINI_CHECK(!static_cast<bool>(c), std::string(#c " is true"), return)
#define EXPECT_EQ(a, b) SAGE_MINI_CMP(a, b, ==, )
#define ASSERT_EQ(a, b) SAGE_MINI_CMP(a, b, ==, return)
#define EXPECT_NE(a, b) SAGE_MINI_CMP(a, b, !=, )
#define ASSERT_NE(a, b) SAGE_MINI_CMP(a, b, !=, return)
#define EXPECT_LT(a, b) SAGE_MINI_CMP(a, b, <, )
#define ASSERT_LT(a, b) SAGE_MINI_CMP(a, b, <, return)
#define EXPECT_LE(a, b) SAGE_MINI_CMP(a, b, <=, )
#define ASSERT_LE(a, b) SAGE_MINI_CMP(a, b, <=, return)
#define EXPECT_GT(a, b) SAGE_MINI_CMP(a, b, >, )
#define ASSERT_GT(a, b) SAGE_MINI_CMP(a, b, >, return)
#define EXPECT_GE(a, b) SAGE_MINI_CMP(a, b, >=, )
#define ASSERT_GE(a, b) SAGE_MINI_CMP(a, b, >=, return)
#define EXPECT_NEAR(a, b, eps) \
  SAGE_MINI_CHECK(std::fabs(double(a) - double(b)) <= double(eps), std::string(#a " near " #b), )
#define ASSERT_NEAR(a, b, eps) \
  SAGE_MINI_CHECK(std::fabs(double(a) - double(b)) <= double(eps), std::string(#a " near " #b), return)

#define SAGE_MINI_THROWS(stmt, type, onFail)                                              \
  SAGE_MINI_CHECK(([&]() {                                                                \
                    try {                                                                 \
                      stmt;                                                               \
                    } catch (const type&) {                                               \
                      return true;                                                        \
                    } catch (...) {                                                       \
                      return false;                                                       \
                    }                                                                     \
                    return false;                                                         \
                  }()),                                                                   \
                  std::string(#stmt " does not throw " #type), onFail)
#define EXPECT_THROW(stmt, type) SAGE_MINI_THROWS(stmt, type, )
#define ASSERT_THROW(stmt, type) SAGE_MINI_THROWS(stmt, type, return)
#define EXPECT_NO_THROW(stmt)                                                             \
  SAGE_MINI_CHECK(([&]() {                                                                \
                    try {                                                                 \
                      stmt;                                                               \
                    } catch (...) {                                                       \
                      return false;                                                       \
                    }                                                                     \
                    return true;                                                          \
                  }()),                                                                   \
                  std::string(#stmt " throws"), )
#define ASSERT_NO_THROW(stmt) EXPECT_NO_THROW(stmt)

#define TEST(suite, name)                                                                  \
  static void suite##_##name##_body();                                                    \
  static ::testing::Registrar suite##_##name##_registrar(#suite, #name, &suite##_##name##_body); \
  static void suite##_##name##_body()
