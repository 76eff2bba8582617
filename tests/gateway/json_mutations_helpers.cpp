#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "tests/gateway/json_mutations.h"

namespace carelog::gateway {

namespace {

namespace pb = google::protobuf;

// Every Value in a tree, with the Struct or ListValue that holds it.
struct Slot {
  pb::Struct* parent = nullptr;
  std::string key;
  pb::ListValue* list = nullptr;
  int index = 0;
};

void Slots(pb::Value& v, std::vector<Slot>& out) {
  if (v.has_struct_value()) {
    for (auto& [key, child] : *v.mutable_struct_value()->mutable_fields()) {
      out.push_back({v.mutable_struct_value(), key, nullptr, 0});
      Slots(child, out);
    }
  } else if (v.has_list_value()) {
    for (int i = 0; i < v.list_value().values_size(); ++i) {
      out.push_back({nullptr, "", v.mutable_list_value(), i});
      Slots(*v.mutable_list_value()->mutable_values(i), out);
    }
  }
}

pb::Value* At(const Slot& s) {
  return s.parent ? &(*s.parent->mutable_fields())[s.key]
                  : s.list->mutable_values(s.index);
}

pb::Value Odd(std::mt19937& rng) {
  static const char* kOdd[] = {
      "null",      "true",           "false",         "0",      "1",
      "-1",        "2015",           "1.5",           "1e3",    "\"1\"",
      "\"true\"",  "\"\"",           "\"x\"",         "[]",     "[null]",
      "{}",        "[{}]",           "\"EMERGENCY\"", "[1,2]",  "\"VERIFIED\"",
      "{\"a\":1}", "\"2147483648\"", "-2147483649",   "\"-0\"", "[\"A\"]"};
  pb::Value v;
  const char* text = kOdd[rng() % std::size(kOdd)];
  EXPECT_TRUE(pb::util::JsonStringToMessage(text, &v).ok()) << text;
  return v;
}

std::string SnakeCase(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

// A structural change: a member deleted, retyped, renamed, duplicated into
// another object (a second oneof member), wrapped in a list.
std::string MutateTree(const std::string& text, std::mt19937& rng) {
  pb::Value root;
  if (!pb::util::JsonStringToMessage(text, &root).ok()) return text;
  std::vector<Slot> slots;
  Slots(root, slots);
  if (slots.empty()) return text;
  const Slot& s = slots[rng() % slots.size()];
  switch (rng() % 7) {
    case 0:
      if (s.parent) s.parent->mutable_fields()->erase(s.key);
      break;
    case 1:
      *At(s) = Odd(rng);
      break;
    case 2:
      if (s.parent) {
        pb::Value v = *At(s);
        s.parent->mutable_fields()->erase(s.key);
        const std::string names[] = {SnakeCase(s.key), s.key + "X", "x",
                                     s.key.empty() ? "" : s.key.substr(1)};
        (*s.parent->mutable_fields())[names[rng() % 4]] = v;
      }
      break;
    case 3: {  // copy a member into another object
      const Slot& from = slots[rng() % slots.size()];
      const Slot& to = slots[rng() % slots.size()];
      if (from.parent && At(to)->has_struct_value()) {
        pb::Value v = *At(from);
        (*At(to)->mutable_struct_value()->mutable_fields())[from.key] = v;
      }
      break;
    }
    case 4: {
      pb::Value v = *At(s);
      *At(s)->mutable_list_value()->add_values() = v;
      break;
    }
    case 5:
      if (At(s)->has_list_value() && At(s)->list_value().values_size() > 0) {
        pb::Value v = At(s)->list_value().values(0);
        *At(s) = v;
      }
      break;
    default:
      if (At(s)->has_string_value()) At(s)->set_number_value(7);
      break;
  }
  std::string out;
  EXPECT_TRUE(pb::util::MessageToJsonString(root, &out).ok());
  return out;
}

// A change of the text: escapes, unicode, whitespace, big numbers, a key
// repeated, a cut.
std::string MutateText(std::string text, std::mt19937& rng) {
  static const char* kInserts[] = {" ",
                                   "\n\t",
                                   "\xC3\xA9",
                                   "\\u00e9",
                                   "\\ud83d\\ude00",
                                   "\\ud83d",
                                   "\\ude00",
                                   "\\u0000",
                                   "\\/",
                                   "\x01",
                                   "\xFF",
                                   "\xC3",
                                   "\xF0\x9F\x98\x80",
                                   ",",
                                   "null",
                                   "}",
                                   "]",
                                   "\"",
                                   "\\",
                                   "\\\"",
                                   "\\n",
                                   "\\x41",
                                   "\\u12",
                                   "'",
                                   "\r\n"};
  static const char* kNumbers[] = {"9223372036854775807",
                                   "9223372036854775808",
                                   "18446744073709551616",
                                   "2147483648",
                                   "-2147483649",
                                   "1e2",
                                   "1.0",
                                   "-0",
                                   "00",
                                   "0x1",
                                   "2147483647",
                                   "-2147483648",
                                   "\"2015\"",
                                   "\" 2015\"",
                                   "4294967295",
                                   "1E400"};
  if (text.empty()) return text;
  const size_t at = rng() % text.size();
  switch (rng() % 7) {
    case 0:
      text.insert(at, kInserts[rng() % std::size(kInserts)]);
      break;
    case 1: {  // a letter as \u00XX (in a key, a value or a literal)
      const size_t letter =
          text.find_first_of("abcdefghijklmnopqrstuvwxyz", at);
      if (letter != std::string::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\u%04x",
                      static_cast<unsigned>(text[letter]));
        text.replace(letter, 1, hex);
      }
      break;
    }
    case 2: {  // a number replaced
      const size_t digit = text.find_first_of("0123456789", at);
      if (digit != std::string::npos) {
        const size_t end = text.find_first_not_of("0123456789", digit);
        text.replace(digit, end - digit, kNumbers[rng() % std::size(kNumbers)]);
      }
      break;
    }
    case 3: {  // a "key": value member repeated just before itself
      const size_t quote = text.find("\":", at);
      const size_t open =
          quote == std::string::npos ? quote : text.rfind('"', quote - 1);
      if (open != std::string::npos) {
        const std::string key = text.substr(open, quote + 2 - open);
        text.insert(open, key + "\"dup\",");
      }
      break;
    }
    case 4:
      text.resize(at);
      break;
    case 5:
      text.erase(at, 1);
      break;
    default:
      text.insert(at, text.substr(at, rng() % 16));
      break;
  }
  return text;
}

}  // namespace carelog::gateway
