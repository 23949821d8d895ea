// Link-only target: it carries the linker flags that must reach libchexpert.so
// and nothing else (-static-stdlib, the export list, the soname). Test bundles
// do not depend on it, so the flags never reach them.
@_exported import ChexpertABI
