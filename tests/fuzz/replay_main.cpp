// The driver of a fuzz target when libFuzzer is not available (GCC builds, as
// in ops/test): replays every input named (files, or directories of files),
// then mutates them at random for -max_total_time seconds or -runs
// executions. Not coverage-guided, so it finds less than ops/fuzz, but it keeps
// every committed corpus entry and regression input passing. Accepts the
// libFuzzer flags it needs (-max_total_time=, -runs=, -seed=) and ignores the
// others. On a crash the input is written to crash-<target>-<pid>.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

const std::string* g_current = nullptr;
char g_crash_path[256] = "crash-input";

void OnCrash(int signal) {
  const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0 && g_current != nullptr) {
    (void)!::write(fd, g_current->data(), g_current->size());
    ::close(fd);
  }
  const char message[] = "fuzz replay: crash; input written to ";
  (void)!::write(2, message, sizeof message - 1);
  (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
  (void)!::write(2, "\n", 1);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void Run(const std::string& input) {
  g_current = &input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
  g_current = nullptr;
}

// Tokens that matter to our parsers, spliced in by the mutator.
const char* const kTokens[] = {"{",
                               "}",
                               "[",
                               "]",
                               "\"",
                               ":",
                               ",",
                               "null",
                               "true",
                               "-",
                               "+",
                               "Z",
                               "T",
                               "\\u0000",
                               "\\ud800",
                               "1e309",
                               "99999999999999999999",
                               " ",
                               "\xff",
                               "\xc3\x28",
                               "00:00",
                               "+01:00",
                               "2015-",
                               "-02-29",
                               "943",
                               "events",
                               "eventId",
                               "occurredAt",
                               "personRegistered",
                               "spellId",
                               "\r\n",
                               "Content-Length: ",
                               "Transfer-Encoding: chunked\r\n",
                               "\r\n\r\n"};

std::string Mutate(std::string input, std::mt19937_64& rng) {
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    const size_t at = input.empty() ? 0 : rng() % (input.size() + 1);
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!input.empty())
          input[at % input.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // a random byte
        input.insert(at, 1, static_cast<char>(rng() & 0xff));
        break;
      case 2: {  // delete a range
        if (input.empty()) break;
        const size_t from = at % input.size();
        input.erase(from, 1 + rng() % 16);
        break;
      }
      case 3: {  // duplicate a range
        if (input.empty()) break;
        const size_t from = at % input.size();
        const std::string piece = input.substr(from, 1 + rng() % 32);
        input.insert(rng() % (input.size() + 1), piece);
        break;
      }
      case 4:  // a token
        input.insert(at, kTokens[rng() % std::size(kTokens)]);
        break;
      default:  // truncate
        input.resize(at);
        break;
    }
  }
  if (input.size() > 65536) input.resize(65536);
  return input;
}

void Collect(const std::filesystem::path& path, std::vector<std::string>& out) {
  if (std::filesystem::is_directory(path)) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(path))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) Collect(f, out);
    return;
  }
  std::ifstream in(path, std::ios::binary);
  out.emplace_back(std::istreambuf_iterator<char>(in),
                   std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  long runs = -1;
  uint64_t seed = 1;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("-max_total_time=", 0) == 0) {
      seconds = std::atof(arg.c_str() + 16);
    } else if (arg.rfind("-runs=", 0) == 0) {
      runs = std::atol(arg.c_str() + 6);
    } else if (arg.rfind("-seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 6, nullptr, 10);
    } else if (arg.rfind("-", 0) == 0) {
      continue;  // other libFuzzer flags
    } else {
      Collect(arg, corpus);
    }
  }
  const std::string name = std::filesystem::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof g_crash_path, "crash-%s-%d", name.c_str(),
                static_cast<int>(::getpid()));
  for (int s : {SIGABRT, SIGSEGV, SIGFPE, SIGBUS, SIGILL})
    std::signal(s, OnCrash);

  const size_t replayed = corpus.size();
  for (const auto& input : corpus) Run(input);
  if (corpus.empty()) corpus.emplace_back();
  std::mt19937_64 rng(seed);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  long executed = 0;
  while ((runs < 0 || executed < runs) &&
         (runs >= 0 || std::chrono::steady_clock::now() < deadline)) {
    if (runs < 0 && seconds <= 0) break;
    std::string input = Mutate(corpus[rng() % corpus.size()], rng);
    Run(input);
    ++executed;
    if (executed % 64 == 0 && input.size() < 4096) corpus.push_back(input);
  }
  std::cout << name << ": replayed " << replayed << " inputs, " << executed
            << " mutated executions, seed " << seed << ", no crash"
            << std::endl;
  return 0;
}
