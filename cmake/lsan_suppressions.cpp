// Why this file exists: LeakSanitizer defaults for every binary that runs cpprestsdk (the
// operator, vaultsyncctl, the two emulators and the test programs) in sanitizer builds.
// Leaks whose allocation stack never passes through these libraries are still reported.
//
// At process exit these binaries still have cpprestsdk's thread pool running: tasks of a
// response stream that a peer abandoned (a cut watch, a client that went away) and OpenSSL's
// per-thread state (error queues, DRBGs) on pool threads that never exit are then reachable
// from nothing and would be reported at every exit. Every suppression names a third-party
// library: an allocation whose stack passes through one of them is not ours to free.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcpprest.so\n"
         "leak:libcrypto.so\n"
         "leak:libssl.so\n";
}
