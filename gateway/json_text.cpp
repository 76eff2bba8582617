#include "gateway/json_text.h"

#include <cstdint>
#include <vector>

#include "storage/keys.h"

namespace carelog::gateway {

namespace {

// One open object or array while scanning, with the keys an object has had.
struct Frame {
  bool object = false;
  size_t index = 0;  // arrays: the element being read
  std::string key;   // objects: the key of the value being read
  std::vector<std::string> keys;
};

std::string PathOf(const std::vector<Frame>& stack, const std::string& key) {
  std::string path;
  for (const Frame& frame : stack) {
    if (&frame == &stack.back()) break;
    if (frame.object) {
      if (!path.empty()) path += '.';
      path += frame.key;
    } else {
      path += '[' + std::to_string(frame.index) + ']';
    }
  }
  if (!path.empty()) path += '.';
  return path + key;
}

// The string starting at the quote text[i]; sets `end` past the closing quote.
// Escapes are decoded so that "a" and "\u0061" are the same key. False if the
// string does not close (a syntax error, left to the parser).
bool ReadString(std::string_view text, size_t i, size_t& end,
                std::string& out) {
  out.clear();
  size_t j = i + 1;
  while (j < text.size()) {
    const char c = text[j];
    if (c == '"') {
      end = j + 1;
      return true;
    }
    if (c != '\\') {
      out += c;
      ++j;
      continue;
    }
    if (j + 1 >= text.size()) return false;
    const char e = text[j + 1];
    j += 2;
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!ReadHex4(text, j, cp)) return false;
        AppendUtf8(cp, out);  // surrogates stay apart: enough to compare keys
        break;
      }
      default:
        out += e;
    }
  }
  return false;
}

}  // namespace

Status CheckJsonText(std::string_view text) {
  if (const auto bad = storage::keys::FirstInvalidUtf8(text)) {
    return Status(Code::kInvalidArgument,
                  "the body is not valid UTF-8 (byte " + std::to_string(*bad) +
                      " starts no valid sequence)",
                  {{"body", "invalid UTF-8 at byte " + std::to_string(*bad)}});
  }
  std::vector<Frame> stack;
  std::string text_value;
  // True when the next string in an object is a key (after '{' or ',').
  bool expect_key = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      size_t end = 0;
      if (!ReadString(text, i, end, text_value)) return Status::Ok();
      if (expect_key && !stack.empty() && stack.back().object) {
        Frame& frame = stack.back();
        for (const std::string& seen : frame.keys) {
          if (seen == text_value) {
            const std::string path = PathOf(stack, ValidUtf8(text_value));
            return Status(Code::kInvalidArgument,
                          "the key \"" + path + "\" appears twice",
                          {{path, "duplicated key"}});
          }
        }
        frame.keys.push_back(text_value);
        frame.key = text_value;
        expect_key = false;
      }
      i = end;
      continue;
    }
    switch (c) {
      case '{':
        stack.push_back({true, 0, {}, {}});
        expect_key = true;
        break;
      case '[':
        stack.push_back({false, 0, {}, {}});
        expect_key = false;
        break;
      case '}':
      case ']':
        if (stack.empty()) return Status::Ok();
        stack.pop_back();
        expect_key = false;
        break;
      case ',':
        if (stack.empty()) return Status::Ok();
        if (stack.back().object) {
          expect_key = true;
        } else {
          ++stack.back().index;
        }
        break;
      default:
        break;
    }
    ++i;
  }
  return Status::Ok();
}

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = storage::keys::Utf8SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ReadHex4(std::string_view text, size_t& at, uint32_t& cp) {
  if (text.size() - at < 4) return false;
  cp = 0;
  for (int k = 0; k < 4; ++k) {
    const int h = HexValue(text[at++]);
    if (h < 0) return false;
    cp = cp * 16 + static_cast<uint32_t>(h);
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string JsonQuote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace carelog::gateway
