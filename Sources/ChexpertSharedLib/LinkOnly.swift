// Link-only target: it carries the linker flags that must reach libchexpert.so
// and nothing else (-static-stdlib, the export list exports.map with its
// version node CHEXPERT_2). Test bundles do not depend on it, so the flags
// never reach them.
@_exported import ChexpertABI
