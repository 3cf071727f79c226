// The espnet command's heap policy: large buffers (decoded photos, resized copies, input tensors,
// label maps, encoded PNGs) come from one huge-page-advised heap that keeps what is freed, so a
// command pays the machine's first-touch price per 2 MB rather than per 4 KB page, and a folder
// run reuses the memory of the previous photo instead of mapping it afresh.
#pragma once

namespace espnet::cli {

// Call first in main(), before any other thread exists. Does nothing when ESPNET_PLAIN_HEAP=1 or
// on a C library other than glibc.
void tune_process_heap();

}  // namespace espnet::cli
