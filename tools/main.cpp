#include <cstdio>
int main() { std::puts("espnet"); return 0; }
