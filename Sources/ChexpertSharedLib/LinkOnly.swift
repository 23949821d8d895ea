// Link-only target: it carries the linker flags that must reach libchexpert.so
// and nothing else: -static-stdlib (no Swift runtime in NEEDED), the export
// list exports.map with its version node CHEXPERT_2, and the SONAME
// libchexpert.so.2. The SONAME carries CHEXPERT_ABI_VERSION (2), not the
// release version: programs linked with -lchexpert record NEEDED
// libchexpert.so.2 and keep loading every release of ABI 2. scripts/install.sh
// installs the file as libchexpert.so.<CHEXPERT_VERSION_STRING> (e.g.
// libchexpert.so.1.0.0) with the links libchexpert.so.2 -> that file and
// libchexpert.so -> libchexpert.so.2 (for -lchexpert); the build folder and
// the Python wheel hold it as plain libchexpert.so. Test bundles do not depend
// on this target, so the flags never reach them.
@_exported import ChexpertABI
