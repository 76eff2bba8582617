// Mutations of JSON request bodies for the differential test of the JSON
// reader (json_reader_test.cpp): deterministic for a given generator state.
#pragma once

#include <random>
#include <string>

namespace carelog::gateway {

// A structural change of `text` (parsed as a google.protobuf.Value): a member
// deleted, retyped, renamed, copied into another object, wrapped in a list or
// unwrapped. `text` unchanged if it is not JSON.
std::string MutateTree(const std::string& text, std::mt19937& rng);

// A change of the characters: escapes, raw and broken UTF-8, whitespace, big
// and odd numbers, a key repeated, a cut, a deletion, a repetition.
std::string MutateText(std::string text, std::mt19937& rng);

}  // namespace carelog::gateway
