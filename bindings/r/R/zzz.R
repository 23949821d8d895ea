# Load time: read the header's constants and the library's vocabulary once,
# and refuse a library whose ABI differs from the header the glue was built with.

.onLoad <- function(libname, pkgname) {
    .state$constants <- .Call(C_constants)
    .state$vocabulary <- .Call(C_vocabulary)
    version <- .Call(C_version)
    if (version$abi_version != .state$constants[["CHEXPERT_ABI_VERSION"]])
        stop("chexpert: the loaded libchexpert has ABI version ", version$abi_version,
             ", this package was built for ", .state$constants[["CHEXPERT_ABI_VERSION"]],
             "; reinstall the package against a matching library")
}
