// A minimal test harness for the core C++ tests (no external framework).
//
// Include from exactly one .cc file per test executable: it defines main(). Tests register with
// TEST(Name) { ... } and check with EXPECT_* (record the failure and go on) or ASSERT_* (record it
// and leave the test). main() runs every test whose name contains argv[1] (all when absent),
// prints each failure with file and line, ends with the line "N passed, N failed" and exits
// non-zero when a test failed. Single-threaded.

#ifndef NATIVE_SSH_TEST_CORE_TEST_MAIN_H_
#define NATIVE_SSH_TEST_CORE_TEST_MAIN_H_

#include <cstdio>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace native_ssh::test {

struct TestCase {
  const char* name;
  void (*body)();
};

inline std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}

// Failures recorded by the test that is running.
inline int& CurrentFailures() {
  static int failures = 0;
  return failures;
}

struct Registrar {
  Registrar(const char* name, void (*body)()) { Registry().push_back({name, body}); }
};

// Strings are shown quoted, with every byte outside printable ASCII as \xNN, so that binary
// protocol messages are readable in failure output.
inline std::string Describe(std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F && c != '"' && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out + "\"";
}
inline std::string Describe(const std::string& text) { return Describe(std::string_view(text)); }
inline std::string Describe(const char* text) {
  return text == nullptr ? "nullptr" : Describe(std::string_view(text));
}
template <typename T>
std::string Describe(const T& value) {
  std::ostringstream out;
  if constexpr (std::is_enum_v<T>) {
    out << "enum(" << static_cast<long long>(value) << ")";
  } else if constexpr (std::is_same_v<T, bool>) {
    out << (value ? "true" : "false");
  } else if constexpr (std::is_integral_v<T>) {
    out << static_cast<long long>(value);
  } else {
    out << value;
  }
  return out.str();
}

inline void RecordFailure(const char* file, int line, const std::string& what) {
  ++CurrentFailures();
  std::fprintf(stderr, "  %s:%d: %s\n", file, line, what.c_str());
}

template <typename A, typename B>
bool ExpectEq(const A& actual, const B& expected, const char* actual_text,
              const char* expected_text, const char* file, int line) {
  if (actual == expected) return true;
  RecordFailure(file, line,
                std::string("expected ") + actual_text + " == " + expected_text +
                    "\n    actual:   " + Describe(actual) +
                    "\n    expected: " + Describe(expected));
  return false;
}

inline int RunAll(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : "";
  int passed = 0, failed = 0;
  for (const TestCase& test : Registry()) {
    if (std::strstr(test.name, filter) == nullptr) continue;
    CurrentFailures() = 0;
    try {
      test.body();
    } catch (const std::exception& e) {
      RecordFailure(__FILE__, __LINE__, std::string("uncaught exception: ") + e.what());
    } catch (...) {
      RecordFailure(__FILE__, __LINE__, "uncaught exception");
    }
    if (CurrentFailures() == 0) {
      ++passed;
    } else {
      ++failed;
      std::fprintf(stderr, "FAILED %s\n", test.name);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace native_ssh::test

#define TEST(name)                                                           \
  static void name();                                                        \
  static const ::native_ssh::test::Registrar name##_registrar(#name, &name); \
  static void name()

#define EXPECT_EQ(actual, expected) \
  ::native_ssh::test::ExpectEq((actual), (expected), #actual, #expected, __FILE__, __LINE__)
#define EXPECT_TRUE(cond) \
  ((cond) ? true          \
          : (::native_ssh::test::RecordFailure(__FILE__, __LINE__, "expected " #cond), false))
#define EXPECT_FALSE(cond) EXPECT_TRUE(!(cond))
#define ASSERT_EQ(actual, expected)           \
  do {                                        \
    if (!EXPECT_EQ(actual, expected)) return; \
  } while (0)
#define ASSERT_TRUE(cond)           \
  do {                              \
    if (!EXPECT_TRUE(cond)) return; \
  } while (0)

int main(int argc, char** argv) { return ::native_ssh::test::RunAll(argc, argv); }

#endif  // NATIVE_SSH_TEST_CORE_TEST_MAIN_H_
