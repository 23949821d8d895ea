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
.fit_values <- function() c(cover = .const("CHEXPERT_FIT_COVER"), contain = .const("CHEXPERT_FIT_CONTAIN"),
                            stretch = .const("CHEXPERT_FIT_STRETCH"))
.filter_values <- function() c(area = .const("CHEXPERT_FILTER_AREA"),
                               bilinear = .const("CHEXPERT_FILTER_BILINEAR"))
.aggregate_values <- function() c(max = .const("CHEXPERT_AGGREGATE_MAX"),
                                  mean = .const("CHEXPERT_AGGREGATE_MEAN"))

# The dct and on_error keys of a call, where given (NULL: the dataset's).
.decode_values <- function(values, dct, on_error) {
    if (!is.null(dct)) values$CHEXPERT_KEY_DCT <- .choice(dct, .dct_values(), "dct")
    if (!is.null(on_error)) values$CHEXPERT_KEY_ON_ERROR <- .choice(on_error, .on_error_values(), "on_error")
    values
}

.path <- function(path, what = "path") {
    if (!is.character(path) || length(path) != 1L || is.na(path))
        .arg_error(what, " must be a single path")
    path.expand(path)
}

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
                          max_pixels = NULL, max_file_bytes = NULL, labels = "reports",
                          confine_paths = TRUE, cache = NULL) {
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
    values$CHEXPERT_KEY_LABELS <- .choice(labels, c(
        reports = .const("CHEXPERT_LABELS_REPORTS"), chexbert = .const("CHEXPERT_LABELS_CHEXBERT"),
        visualchexbert = .const("CHEXPERT_LABELS_VISUALCHEXBERT")), "labels")
    values$CHEXPERT_KEY_CONFINE_PATHS <- .flag(confine_paths, "confine_paths")
    ds <- .Call(C_open, root, .spec(values))
    if (!is.null(cache)) chexpert_attach_cache(ds, cache)
    ds
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
    ids <- seq_along(.vocabulary()$split) - 1L
    ids <- ids[vapply(ids, function(id) .Call(C_has_split, ds, id), logical(1))]
    stats::setNames(vapply(ids, function(id) .Call(C_split_size, ds, id), numeric(1)),
                    .vocabulary()$split[ids + 1L])
}

chexpert_has_split <- function(ds, split) {
    .check_dataset(ds)
    .Call(C_has_split, ds, .split_id(split))
}

chexpert_release <- function(ds) {
    .check_dataset(ds)
    .vocabulary()$release[.Call(C_release, ds) + 1L]
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
                             dtype = "float32", dct = NULL, on_error = NULL, threads = 0L,
                             resample = "fast", decode_scale = "full", augment = NULL, epoch = 0) {
    .check_dataset(ds)
    id <- .split_id(split)
    if (missing(height)) .arg_error("height is required (the output size in pixels)")
    values <- list(
        CHEXPERT_KEY_HEIGHT = height, CHEXPERT_KEY_WIDTH = width, CHEXPERT_KEY_CHANNELS = channels,
        CHEXPERT_KEY_DTYPE = .choice(dtype, c(float32 = .const("CHEXPERT_DTYPE_FLOAT32"),
                                              uint8 = .const("CHEXPERT_DTYPE_UINT8")), "dtype"),
        CHEXPERT_KEY_FIT = .choice(fit, .fit_values(), "fit"),
        CHEXPERT_KEY_FILTER = .choice(filter, .filter_values(), "filter"),
        CHEXPERT_KEY_THREADS = threads,
        CHEXPERT_KEY_RESAMPLE = .choice(resample, c(fast = .const("CHEXPERT_RESAMPLE_FAST"),
                                                    exact = .const("CHEXPERT_RESAMPLE_EXACT")), "resample"),
        CHEXPERT_KEY_DECODE_SCALE = .choice(decode_scale, c(full = .const("CHEXPERT_DECODE_SCALE_FULL"),
                                                            auto = .const("CHEXPERT_DECODE_SCALE_AUTO")),
                                            "decode_scale"))
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
    values <- .decode_values(values, dct, on_error)
    augment <- .as_augment(augment)
    if (!is.null(augment)) {
        values <- c(values, .augment_values(augment, epoch))
        floats <- c(floats, augment$floats)
    }
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

# ---------------------------------------------------------------------------
# Metadata, studies, patient splits, evaluation (docs/evaluation.md)
# ---------------------------------------------------------------------------

# The five observations of the CheXpert competition (the paper's Table 2).
.competition <- c("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion")

chexpert_metadata <- function(ds, split = "train", indices = NULL) {
    .check_dataset(ds)
    id <- .split_id(split)
    indices <- .indices(indices)
    fields <- .Call(C_metadata, ds, id, indices)
    vocabulary <- .vocabulary()
    missing <- function(x, value) replace(x, x == .const(value), NA)
    named <- function(codes, names, levels = names) factor(names[codes + 1], levels = levels)
    out <- data.frame(
        index = if (is.null(indices)) as.numeric(seq_along(fields$patient)) else as.numeric(indices),
        name = .Call(C_names, ds, id, indices),
        patient = missing(fields$patient, "CHEXPERT_ID_MISSING"),
        study = missing(fields$study, "CHEXPERT_ID_MISSING"),
        view_number = missing(fields$view_number, "CHEXPERT_ID_MISSING"),
        sex = named(fields$sex, vocabulary$sex, vocabulary$sex[-(.const("CHEXPERT_SEX_BLANK") + 1L)]),
        age = as.integer(missing(fields$age, "CHEXPERT_AGE_MISSING")),
        projection = named(fields$projection, vocabulary$projection),
        image_view = named(fields$image_view, vocabulary$view),
        study_index = fields$study_index + 1,
        stringsAsFactors = FALSE)
    labels <- .Call(C_labels, ds, id, indices)
    label_names <- .Call(C_label_names, ds, id)
    for (j in seq_along(label_names))
        out[[label_names[j]]] <- named(labels[, j], vocabulary$label_class)
    out
}

chexpert_study_count <- function(ds, split = "train") {
    .check_dataset(ds)
    .Call(C_study_count, ds, .split_id(split))
}

chexpert_studies <- function(ds, split = "train") {
    .check_dataset(ds)
    ordinal <- .Call(C_metadata, ds, .split_id(split), NULL)$study_index
    unname(split(seq_along(ordinal), ordinal))
}

# Scores as a double matrix (a vector is one column).
.scores <- function(scores) {
    if (is.data.frame(scores)) scores <- as.matrix(scores)
    if (!is.numeric(scores)) .arg_error("scores must be a numeric matrix (one row per example)")
    if (is.null(dim(scores))) scores <- matrix(scores, ncol = 1L)
    storage.mode(scores) <- "double"
    scores
}

# A label column given by header name or 1-based number, 0-based for the library.
.label_column <- function(ds, id, label, what) {
    if (is.character(label) && length(label) == 1L && !is.na(label)) {
        column <- match(label, .Call(C_label_names, ds, id))
        if (is.na(column))
            .chexpert_signal(-6L, "CHEXPERT_E_NOT_FOUND",
                             paste0(what, ": \"", label, "\" is not a label column of split \"",
                                    .vocabulary()$split[id + 1L], "\""), call = sys.call(-1))
        return(column - 1L)
    }
    if (!is.numeric(label) || length(label) != 1L || is.na(label) || label != round(label))
        .arg_error(what, " must be a label name or a 1-based column number")
    as.integer(label) - 1L
}

chexpert_aggregate <- function(ds, split = "train", scores, how = "max") {
    .check_dataset(ds)
    matrix <- .scores(scores)
    spec <- .spec(list(CHEXPERT_KEY_AGGREGATE = .choice(how, .aggregate_values(), "how")))
    out <- .Call(C_aggregate, ds, .split_id(split), matrix, spec)
    colnames(out) <- colnames(matrix)
    if (is.null(dim(scores))) out[, 1] else out
}

chexpert_patient_split <- function(ds, split = "train", fractions = c(0.9, 0.1), seed = 0,
                                   stratify = NULL) {
    .check_dataset(ds)
    id <- .split_id(split)
    if (!is.numeric(fractions)) .arg_error("fractions must be numeric")
    values <- list(CHEXPERT_KEY_SEED = seed)
    if (!is.null(stratify)) values$CHEXPERT_KEY_STRATIFY <- .label_column(ds, id, stratify, "stratify")
    parts <- .Call(C_patient_split, ds, id, as.double(fractions), .spec(values))
    stats::setNames(lapply(seq_along(fractions) - 1L, function(k) which(parts == k)), names(fractions))
}

chexpert_evaluate <- function(ds, split, scores, observations = "competition", level = "image",
                              bootstrap = 1000, seed = 0, uncertain = "exclude", aggregate = "max") {
    .check_dataset(ds)
    id <- .split_id(split)
    label_names <- .Call(C_label_names, ds, id)
    if (identical(observations, "competition")) observations <- .competition
    else if (identical(observations, "all")) observations <- label_names
    if (!is.character(observations) || length(observations) == 0L || anyNA(observations))
        .arg_error("observations must be \"competition\", \"all\" or label names")
    columns <- vapply(observations, function(name) .label_column(ds, id, name, "observations"),
                      integer(1), USE.NAMES = FALSE)
    matrix <- .scores(scores)
    if (ncol(matrix) != length(observations)) {
        if (ncol(matrix) != length(label_names))
            .arg_error("scores has ", ncol(matrix), " columns; expected ", length(observations),
                       " (one per observation) or ", length(label_names), " (one per label column)")
        matrix <- matrix[, columns + 1L, drop = FALSE]
    }
    settings <- list(level = level, aggregate = aggregate, bootstrap = bootstrap, seed = seed,
                     uncertain = uncertain)
    values <- list(
        CHEXPERT_KEY_EVAL_LEVEL = .choice(level, c(image = .const("CHEXPERT_EVAL_LEVEL_IMAGE"),
                                                   study = .const("CHEXPERT_EVAL_LEVEL_STUDY")), "level"),
        CHEXPERT_KEY_AGGREGATE = .choice(aggregate, .aggregate_values(), "aggregate"),
        CHEXPERT_KEY_BOOTSTRAP = bootstrap, CHEXPERT_KEY_SEED = seed,
        CHEXPERT_KEY_EVAL_UNCERTAIN = .choice(uncertain, c(
            exclude = .const("CHEXPERT_EVAL_UNCERTAIN_EXCLUDE"),
            positive = .const("CHEXPERT_EVAL_UNCERTAIN_POSITIVE"),
            negative = .const("CHEXPERT_EVAL_UNCERTAIN_NEGATIVE")), "uncertain"))
    table <- .Call(C_evaluate, ds, id, matrix, columns, .spec(values))
    rows <- c(observations, "mean")
    out <- data.frame(observation = rows, table, row.names = rows, stringsAsFactors = FALSE)
    attr(out, "settings") <- settings
    out
}

# ---------------------------------------------------------------------------
# Packed cache (docs/cache.md)
# ---------------------------------------------------------------------------

chexpert_build_cache <- function(ds, path, size = NULL, height = NULL, width = NULL, fit = "cover",
                                 filter = "area", threads = 0L, on_error = NULL, dct = NULL) {
    .check_dataset(ds)
    values <- list(CHEXPERT_KEY_THREADS = threads, CHEXPERT_KEY_FIT = .choice(fit, .fit_values(), "fit"),
                   CHEXPERT_KEY_FILTER = .choice(filter, .filter_values(), "filter"))
    values$CHEXPERT_KEY_CACHE_SIDE <- size
    values$CHEXPERT_KEY_HEIGHT <- height
    values$CHEXPERT_KEY_WIDTH <- width
    .Call(C_cache_build, ds, .path(path), .spec(.decode_values(values, dct, on_error)))
    invisible(path)
}

chexpert_attach_cache <- function(ds, path) {
    .check_dataset(ds)
    .Call(C_attach_cache, ds, if (is.null(path)) NULL else .path(path))
    invisible(ds)
}

chexpert_cache_info <- function(path) {
    .Call(C_cache_info, .path(path))
}

# ---------------------------------------------------------------------------
# Augmentation (docs/augmentation.md)
# ---------------------------------------------------------------------------

.augment_presets <- function() c(none = .const("CHEXPERT_AUGMENT_NONE"), custom = .const("CHEXPERT_AUGMENT_CUSTOM"),
                                 jfhealthcare = .const("CHEXPERT_AUGMENT_JFHEALTHCARE"),
                                 libauc = .const("CHEXPERT_AUGMENT_LIBAUC"))
.augment_keys <- c(crop_scale = "CHEXPERT_KEY_AUG_CROP_SCALE", crop_ratio = "CHEXPERT_KEY_AUG_CROP_RATIO",
                   rotate = "CHEXPERT_KEY_AUG_ROTATE", translate = "CHEXPERT_KEY_AUG_TRANSLATE",
                   scale = "CHEXPERT_KEY_AUG_SCALE", shear = "CHEXPERT_KEY_AUG_SHEAR",
                   fill = "CHEXPERT_KEY_AUG_FILL", brightness = "CHEXPERT_KEY_AUG_BRIGHTNESS",
                   contrast = "CHEXPERT_KEY_AUG_CONTRAST", gamma = "CHEXPERT_KEY_AUG_GAMMA",
                   hflip = "CHEXPERT_KEY_AUG_HFLIP")

# The integer keys of an augmentation: AUGMENT, SEED, EPOCH.
.augment_values <- function(augment, epoch) {
    list(CHEXPERT_KEY_AUGMENT = .augment_presets()[[augment$preset]], CHEXPERT_KEY_SEED = augment$seed,
         CHEXPERT_KEY_EPOCH = epoch)
}

.as_augment <- function(augment) {
    if (is.null(augment) || inherits(augment, "chexpert_augment")) return(augment)
    if (is.character(augment)) return(chexpert_augment(augment))
    .arg_error("augment must be NULL, a preset name or a chexpert_augment()")
}

chexpert_augment <- function(preset = "custom", seed = 0, crop_scale = NULL, crop_ratio = NULL,
                             rotate = NULL, translate = NULL, scale = NULL, shear = NULL, fill = NULL,
                             brightness = NULL, contrast = NULL, gamma = NULL, hflip = NULL) {
    .choice(preset, .augment_presets(), "preset")
    given <- Filter(Negate(is.null), list(
        crop_scale = crop_scale, crop_ratio = crop_ratio, rotate = rotate, translate = translate,
        scale = scale, shear = shear, fill = fill, brightness = brightness, contrast = contrast,
        gamma = gamma, hflip = hflip))
    for (name in names(given))
        if (!is.numeric(given[[name]])) .arg_error("augment ", name, " must be numeric")
    augment <- structure(list(preset = preset, seed = seed,
                              floats = stats::setNames(lapply(given, as.double), .augment_keys[names(given)])),
                         class = "chexpert_augment")
    # Every value's domain is the library's: checked now, by setting the keys.
    .Call(C_check_params, .spec(.augment_values(augment, 0), augment$floats))
    augment
}

chexpert_augment_draw <- function(augment, index, width, height, epoch = 0) {
    augment <- .as_augment(augment)
    if (is.null(augment)) .arg_error("augment must be a preset name or a chexpert_augment()")
    .Call(C_augment_draw, .spec(.augment_values(augment, epoch), augment$floats), index, width, height)
}
