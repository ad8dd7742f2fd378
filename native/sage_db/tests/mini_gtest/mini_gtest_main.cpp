#include <cstring>
#include <exception>

#include "gtest/gtest.h"

namespace testing {

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

int& failures() {
  static int count = 0;
  return count;
}

void InitGoogleTest(int*, char**) {}

}  // namespace testing

int main(int argc, char** argv) {
  std::string filter = "*";
  for (int i = 1; i < argc; i++) {
    if (std::strncmp(argv[i], "--gtest_filter=", 15) == 0) filter = argv[i] + 15;
  }
  int ran = 0;
  int failed = 0;
  for (const auto& test : testing::registry()) {
    if (filter != "*" && filter != test.name) continue;
    ++ran;
    const int before = testing::failures();
    std::cout << "[ RUN      ] " << test.name << std::endl;
    try {
      test.body();
    } catch (const std::exception& e) {
      ++testing::failures();
      std::cerr << "uncaught exception: " << e.what() << "\n";
    }
    const bool ok = testing::failures() == before;
    failed += ok ? 0 : 1;
    std::cout << (ok ? "[       OK ] " : "[  FAILED  ] ") << test.name << std::endl;
  }
  if (ran == 0) {
    std::cerr << "no test matches " << filter << "\n";
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
