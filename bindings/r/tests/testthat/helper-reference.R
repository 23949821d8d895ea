# Reference values written by the Python binding (Tests/r/reference.py) on a
# generated sample tree; Tests/r/run.sh sets CHEXPERT_R_REFERENCE to their
# folder. Without it, the tests that need them are skipped.

reference_dir <- function() {
    dir <- Sys.getenv("CHEXPERT_R_REFERENCE")
    skip_if(dir == "", "CHEXPERT_R_REFERENCE is not set (Tests/r/run.sh sets it)")
    dir
}

manifest <- function() {
    lines <- readLines(file.path(reference_dir(), "manifest.tsv"), encoding = "UTF-8")
    parts <- strsplit(lines, "\t", fixed = TRUE)
    stats::setNames(vapply(parts, function(p) if (length(p) > 1L) p[[2]] else "", ""),
                    vapply(parts, `[[`, "", 1L))
}

ref_file <- function(name) file.path(reference_dir(), name)

# Little-endian binary files in C (row-major) order.
read_i32 <- function(name) {
    path <- ref_file(name)
    readBin(path, "integer", n = file.size(path) / 4, size = 4, endian = "little")
}
read_f32 <- function(name) {
    path <- ref_file(name)
    readBin(path, "double", n = file.size(path) / 4, size = 4, endian = "little")
}
read_f64 <- function(name) {
    path <- ref_file(name)
    readBin(path, "double", n = file.size(path) / 8, size = 8, endian = "little")
}
read_u8 <- function(name) {
    path <- ref_file(name)
    as.integer(readBin(path, "raw", n = file.size(path)))
}

# A C-order (row-major) flat vector of shape `shape` as the R array with the
# same index order: x[i1, i2, ...] = flat[((i1 - 1) * shape[2] + (i2 - 1)) * ... + 1].
c_order_array <- function(flat, shape) {
    stopifnot(length(flat) == prod(shape))
    if (length(shape) == 1L) return(flat)
    aperm(array(flat, dim = rev(shape)), rev(seq_along(shape)))
}

indices_of <- function(text) {
    if (!nzchar(text)) integer(0) else as.integer(strsplit(text, ",", fixed = TRUE)[[1]])
}

open_reference <- function() {
    chexpert_open(manifest()[["root"]])
}
