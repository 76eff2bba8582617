// carelog: the single executable. It only wires objects together (see gateway/cli.h).
#include <iostream>

int main(int argc, char** argv) {
  std::cerr << "carelog: not built yet\n";
  return 2;
}
