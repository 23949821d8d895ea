# The R interface of libchexpert. Every function here checks its R arguments,
# turns names into the header's constants (read from the compiled glue, never
# copied here) and makes one .Call into src/chexpert_r.c.

.state <- new.env(parent = emptyenv())

.const <- function(name) {
    value <- .state$constants[[name]]
    if (is.null(value)) stop("internal: no constant ", name)
    value
}

.vocabulary <- function() .state$vocabulary

.choice <- function(value, choices, what) {
    if (!is.character(value) || length(value) != 1L || is.na(value) || !(value %in% names(choices)))
        .arg_error(what, " must be one of ", paste0('"', names(choices), '"', collapse = ", "),
                   ", not ", paste(deparse(value), collapse = ""))
    choices[[value]]
}

.flag <- function(value, what) {
    if (!is.logical(value) || length(value) != 1L || is.na(value))
        .arg_error(what, " must be TRUE or FALSE")
    as.integer(value)
}

.check_dataset <- function(ds) {
    if (!inherits(ds, "chexpert_dataset"))
        .arg_error("ds must be a chexpert_dataset (from chexpert_open())")
    invisible(ds)
}

.split_id <- function(split) {
    names <- .vocabulary()$split
    if (!is.character(split) || length(split) != 1L || is.na(split) || !(split %in% names))
        .arg_error("split must be one of ", paste0('"', names, '"', collapse = ", "), ", not ",
                   paste(deparse(split), collapse = ""))
    match(split, names) - 1L
}

.indices <- function(indices) {
    if (is.null(indices)) return(NULL)
    if (!is.numeric(indices)) .arg_error("indices must be numeric (1-based example indices)")
    indices
}

# A parameter spec for the glue: keys and single values, float keys and vectors.
.spec <- function(values = list(), floats = list()) {
    keys <- vapply(names(values), .const, integer(1), USE.NAMES = FALSE)
    float_keys <- vapply(names(floats), .const, integer(1), USE.NAMES = FALSE)
    list(as.integer(keys), unname(values), as.integer(float_keys),
         lapply(unname(floats), as.double))
}

.dct_values <- function() c(fast = .const("CHEXPERT_DCT_FAST"), accurate = .const("CHEXPERT_DCT_ACCURATE"))
.on_error_values <- function() c(raise = .const("CHEXPERT_ON_ERROR_RAISE"),
                                 substitute = .const("CHEXPERT_ON_ERROR_SUBSTITUTE"))

# ---------------------------------------------------------------------------
# Versions and vocabulary
# ---------------------------------------------------------------------------

chexpert_version <- function() {
    .Call(C_version)
}

chexpert_vocabulary <- function() {
    lapply(.vocabulary(), function(names) stats::setNames(seq_along(names) - 1L, names))
}

# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------

chexpert_open <- function(root = NULL, projections = "all", dct = "fast", on_error = "raise",
                          max_pixels = NULL, max_file_bytes = NULL) {
    if (!is.null(root)) {
        if (!is.character(root) || length(root) != 1L || is.na(root))
            .arg_error("root must be NULL or a single path")
        root <- path.expand(root)
    }
    if (!is.character(projections) || length(projections) == 0L || anyNA(projections))
        .arg_error("projections must name some of \"all\", \"frontal\", ",
                   paste0('"', .vocabulary()$projection, '"', collapse = ", "))
    selections <- c(stats::setNames(bitwShiftL(1L, seq_along(.vocabulary()$projection) - 1L),
                                    .vocabulary()$projection),
                    frontal = .const("CHEXPERT_SELECT_FRONTAL"), all = .const("CHEXPERT_SELECT_ALL"))
    mask <- 0L
    for (name in tolower(projections)) mask <- bitwOr(mask, .choice(name, selections, "projections"))
    values <- list(CHEXPERT_KEY_DCT = .choice(dct, .dct_values(), "dct"),
                   CHEXPERT_KEY_SELECT = mask,
                   CHEXPERT_KEY_ON_ERROR = .choice(on_error, .on_error_values(), "on_error"))
    if (!is.null(max_pixels)) values$CHEXPERT_KEY_MAX_PIXELS <- max_pixels
    if (!is.null(max_file_bytes)) values$CHEXPERT_KEY_MAX_FILE_BYTES <- max_file_bytes
    .Call(C_open, root, .spec(values))
}

chexpert_close <- function(ds) {
    .check_dataset(ds)
    .Call(C_close, ds)
    invisible(NULL)
}

chexpert_is_closed <- function(ds) {
    .check_dataset(ds)
    .Call(C_is_closed, ds)
}

chexpert_root <- function(ds) {
    .check_dataset(ds)
    .Call(C_root, ds)
}

print.chexpert_dataset <- function(x, ...) {
    if (.Call(C_is_closed, x)) {
        cat("<chexpert_dataset (closed)>\n")
    } else {
        sizes <- chexpert_splits(x)
        cat("<chexpert_dataset ", chexpert_root(x), ": ",
            paste(names(sizes), format(sizes, scientific = FALSE, trim = TRUE), collapse = ", "),
            " examples>\n", sep = "")
    }
    invisible(x)
}

# ---------------------------------------------------------------------------
# Splits
# ---------------------------------------------------------------------------

chexpert_splits <- function(ds) {
    .check_dataset(ds)
    names <- .vocabulary()$split
    stats::setNames(vapply(seq_along(names) - 1L, function(id) .Call(C_split_size, ds, id), numeric(1)),
                    names)
}

chexpert_split_size <- function(ds, split = "train") {
    .check_dataset(ds)
    .Call(C_split_size, ds, .split_id(split))
}

chexpert_label_names <- function(ds, split = "train") {
    .check_dataset(ds)
    .Call(C_label_names, ds, .split_id(split))
}

chexpert_projection_counts <- function(ds, split = "train") {
    .check_dataset(ds)
    stats::setNames(.Call(C_projection_counts, ds, .split_id(split)), .vocabulary()$projection)
}

# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------

chexpert_example <- function(ds, split = "train", index, type = "integer") {
    .check_dataset(ds)
    id <- .split_id(split)
    if (missing(index) || !is.numeric(index) || length(index) != 1L)
        .arg_error("index must be a single 1-based example index")
    raw <- .choice(type, c(integer = FALSE, raw = TRUE), "type")
    example <- .Call(C_example, ds, id, index, raw)
    names(example$label) <- .Call(C_label_names, ds, id)
    example
}

chexpert_labels <- function(ds, split = "train", indices = NULL) {
    .check_dataset(ds)
    id <- .split_id(split)
    labels <- .Call(C_labels, ds, id, .indices(indices))
    colnames(labels) <- .Call(C_label_names, ds, id)
    labels
}

chexpert_image_views <- function(ds, split = "train", indices = NULL) {
    .check_dataset(ds)
    .Call(C_views, ds, .split_id(split), .indices(indices))
}

chexpert_projections <- function(ds, split = "train", indices = NULL) {
    .check_dataset(ds)
    .Call(C_projections, ds, .split_id(split), .indices(indices))
}

chexpert_names <- function(ds, split = "train", indices = NULL) {
    .check_dataset(ds)
    .Call(C_names, ds, .split_id(split), .indices(indices))
}

# ---------------------------------------------------------------------------
# Resized batches
# ---------------------------------------------------------------------------

chexpert_resized <- function(ds, split = "train", indices = NULL, height, width = height,
                             channels = 3L, fit = "cover", filter = "area", normalize = "none",
                             dtype = "float32", dct = NULL, on_error = NULL, threads = 0L) {
    .check_dataset(ds)
    id <- .split_id(split)
    if (missing(height)) .arg_error("height is required (the output size in pixels)")
    values <- list(
        CHEXPERT_KEY_HEIGHT = height, CHEXPERT_KEY_WIDTH = width, CHEXPERT_KEY_CHANNELS = channels,
        CHEXPERT_KEY_DTYPE = .choice(dtype, c(float32 = .const("CHEXPERT_DTYPE_FLOAT32"),
                                              uint8 = .const("CHEXPERT_DTYPE_UINT8")), "dtype"),
        CHEXPERT_KEY_FIT = .choice(fit, c(cover = .const("CHEXPERT_FIT_COVER"),
                                          contain = .const("CHEXPERT_FIT_CONTAIN"),
                                          stretch = .const("CHEXPERT_FIT_STRETCH")), "fit"),
        CHEXPERT_KEY_FILTER = .choice(filter, c(area = .const("CHEXPERT_FILTER_AREA"),
                                                bilinear = .const("CHEXPERT_FILTER_BILINEAR")), "filter"),
        CHEXPERT_KEY_THREADS = threads)
    floats <- list()
    if (is.list(normalize)) {
        if (length(normalize) != 2L || !is.numeric(normalize[[1]]) || !is.numeric(normalize[[2]]))
            .arg_error("normalize must be a name or list(mean, std) of numeric vectors")
        values$CHEXPERT_KEY_NORMALIZE <- .const("CHEXPERT_NORMALIZE_CUSTOM")
        floats <- list(CHEXPERT_KEY_MEAN = normalize[[1]], CHEXPERT_KEY_STD = normalize[[2]])
    } else {
        values$CHEXPERT_KEY_NORMALIZE <- .choice(normalize, c(
            none = .const("CHEXPERT_NORMALIZE_NONE"), unit = .const("CHEXPERT_NORMALIZE_UNIT"),
            imagenet = .const("CHEXPERT_NORMALIZE_IMAGENET"), xrv = .const("CHEXPERT_NORMALIZE_XRV")),
            "normalize")
    }
    if (!is.null(dct)) values$CHEXPERT_KEY_DCT <- .choice(dct, .dct_values(), "dct")
    if (!is.null(on_error)) values$CHEXPERT_KEY_ON_ERROR <- .choice(on_error, .on_error_values(), "on_error")
    .Call(C_resized, ds, id, .indices(indices), .spec(values, floats))
}

# ---------------------------------------------------------------------------
# Training targets
# ---------------------------------------------------------------------------

chexpert_targets <- function(ds, split = "train", preset = "paper", indices = NULL,
                             no_finding = NULL, masked_nan = NULL) {
    .check_dataset(ds)
    id <- .split_id(split)
    values <- list(CHEXPERT_KEY_TARGET_PRESET = .choice(preset, c(
        paper = .const("CHEXPERT_PRESET_PAPER"), libauc = .const("CHEXPERT_PRESET_LIBAUC"),
        xrv = .const("CHEXPERT_PRESET_XRV")), "preset"))
    if (!is.null(no_finding)) values$CHEXPERT_KEY_TARGET_NO_FINDING <- .flag(no_finding, "no_finding")
    if (!is.null(masked_nan)) values$CHEXPERT_KEY_TARGET_MASKED_NAN <- .flag(masked_nan, "masked_nan")
    result <- .Call(C_targets, ds, id, .indices(indices), .spec(values))
    names(result) <- c("targets", "masks", "rules", "flags")
    label_names <- .Call(C_label_names, ds, id)
    observations <- label_names[result$rules[, 1] + 1L]
    colnames(result$targets) <- observations
    colnames(result$masks) <- observations
    uncertain <- c(ignore = "CHEXPERT_UNCERTAIN_IGNORE", zeros = "CHEXPERT_UNCERTAIN_ZEROS",
                   ones = "CHEXPERT_UNCERTAIN_ONES", multiclass = "CHEXPERT_UNCERTAIN_MULTICLASS",
                   raw = "CHEXPERT_UNCERTAIN_RAW")
    blank <- c(negative = "CHEXPERT_BLANK_NEGATIVE", ignore = "CHEXPERT_BLANK_IGNORE")
    policy_name <- function(values, table) {
        codes <- vapply(table, .const, integer(1))
        names(codes)[match(values, codes)]
    }
    flags <- result$flags
    list(targets = result$targets, masks = result$masks,
         rules = data.frame(observation = observations,
                            label = result$rules[, 1] + 1L,
                            uncertain = policy_name(result$rules[, 2], uncertain),
                            blank = policy_name(result$rules[, 3], blank),
                            stringsAsFactors = FALSE),
         no_finding = bitwAnd(flags, .const("CHEXPERT_TARGET_NO_FINDING")) != 0L,
         masked_nan = bitwAnd(flags, .const("CHEXPERT_TARGET_MASKED_NAN")) != 0L)
}

# ---------------------------------------------------------------------------
# Epoch order and sharding
# ---------------------------------------------------------------------------

chexpert_shard_indices <- function(count, shuffle = FALSE, seed = 0, epoch = 0, start = 0,
                                   rank = 0, world = 1, remainder = "pad") {
    values <- list(
        CHEXPERT_KEY_SHUFFLE = .flag(shuffle, "shuffle"), CHEXPERT_KEY_SEED = seed,
        CHEXPERT_KEY_EPOCH = epoch, CHEXPERT_KEY_START = start, CHEXPERT_KEY_RANK = rank,
        CHEXPERT_KEY_WORLD = world,
        CHEXPERT_KEY_REMAINDER = .choice(remainder, c(
            pad = .const("CHEXPERT_REMAINDER_PAD"), drop = .const("CHEXPERT_REMAINDER_DROP"),
            uneven = .const("CHEXPERT_REMAINDER_UNEVEN")), "remainder"))
    .Call(C_shard_indices, count, .spec(values))
}
