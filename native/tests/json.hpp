// Just enough JSON to read ../shared/reference/manifest.json in the C++ tests.
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace bptest {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject } type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::map<std::string, Json> object;

  bool has(const std::string& k) const { return type == Type::kObject && object.count(k) > 0; }
  const Json& operator[](const std::string& k) const {
    auto it = object.find(k);
    if (it == object.end()) throw std::runtime_error("missing key " + k);
    return it->second;
  }
  const Json& operator[](std::size_t i) const { return array.at(i); }
  bool is_null() const { return type == Type::kNull; }

  static Json parse(const std::string& text) {
    std::size_t pos = 0;
    Json j = parse_value(text, pos);
    return j;
  }

 private:
  static void skip(const std::string& s, std::size_t& p) {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
  }
  static Json parse_value(const std::string& s, std::size_t& p) {
    skip(s, p);
    if (p >= s.size()) throw std::runtime_error("unexpected end of JSON");
    Json j;
    char c = s[p];
    if (c == '{') {
      j.type = Type::kObject;
      ++p;
      skip(s, p);
      if (s[p] == '}') {
        ++p;
        return j;
      }
      for (;;) {
        Json key = parse_value(s, p);
        skip(s, p);
        ++p;  // ':'
        j.object[key.string] = parse_value(s, p);
        skip(s, p);
        if (s[p++] == '}') break;
      }
    } else if (c == '[') {
      j.type = Type::kArray;
      ++p;
      skip(s, p);
      if (s[p] == ']') {
        ++p;
        return j;
      }
      for (;;) {
        j.array.push_back(parse_value(s, p));
        skip(s, p);
        if (s[p++] == ']') break;
      }
    } else if (c == '"') {
      j.type = Type::kString;
      ++p;
      while (s[p] != '"') {
        if (s[p] == '\\') {
          ++p;
          char e = s[p++];
          if (e == 'u') {
            j.string += '?';
            p += 4;
          } else
            j.string += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          j.string += s[p++];
        }
      }
      ++p;
    } else if (s.compare(p, 4, "true") == 0) {
      j.type = Type::kBool;
      j.boolean = true;
      p += 4;
    } else if (s.compare(p, 5, "false") == 0) {
      j.type = Type::kBool;
      p += 5;
    } else if (s.compare(p, 4, "null") == 0) {
      p += 4;
    } else {
      j.type = Type::kNumber;
      char* end = nullptr;
      j.number = std::strtod(s.c_str() + p, &end);
      p = static_cast<std::size_t>(end - s.c_str());
    }
    return j;
  }
};

}  // namespace bptest
