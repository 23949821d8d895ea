# Metadata, studies, aggregation, patient splits and evaluation, against values
# computed here from the CSV (read.csv) and by direct rank computations.

read_train_csv <- function(root) {
    path <- list.files(root, pattern = "^train\\.csv$", recursive = TRUE, full.names = TRUE)
    stopifnot(length(path) == 1L)
    utils::read.csv(path, colClasses = "character", check.names = FALSE, na.strings = character(0))
}

# Independent parse of the CSV: Path numbers, sex, age, projection, view, study ordinal.
expected_metadata <- function(csv) {
    number <- function(pattern) {
        hit <- regmatches(csv$Path, regexec(pattern, csv$Path))
        vapply(hit, function(m) if (length(m) == 2L) as.numeric(m[2]) else NA_real_, numeric(1))
    }
    patient <- number("patient([0-9]+)/")
    study <- number("patient[0-9]+/study([0-9]+)/")
    view <- tolower(csv[["Frontal/Lateral"]])
    projection <- ifelse(view == "lateral", "lateral",
                         ifelse(csv[["AP/PA"]] %in% c("AP", "PA"), tolower(csv[["AP/PA"]]), "other_frontal"))
    key <- paste(patient, study)
    list(patient = patient, study = study, view_number = number("/view([0-9]+)_[^/]*$"),
         sex = ifelse(csv$Sex == "", NA, tolower(csv$Sex)),
         age = ifelse(csv$Age == "", NA_integer_, as.integer(sub("\\.0*$", "", csv$Age))),
         projection = projection, image_view = view, study_index = match(key, unique(key)))
}

test_that("metadata equals an independent reading of train.csv", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    csv <- read_train_csv(manifest()[["root"]])
    expected <- expected_metadata(csv)
    meta <- chexpert_metadata(ds, "train")
    expect_s3_class(meta, "data.frame")
    expect_identical(nrow(meta), nrow(csv))
    expect_identical(meta$index, as.numeric(seq_len(nrow(csv))))
    expect_identical(meta$name, csv$Path)
    for (field in c("patient", "study", "view_number", "age", "study_index"))
        expect_equal(meta[[field]], expected[[field]], info = field)
    expect_identical(as.character(meta$sex), expected$sex)
    expect_identical(levels(meta$sex), c("female", "male", "unknown"))
    expect_identical(as.character(meta$projection), expected$projection)
    expect_identical(as.character(meta$image_view), expected$image_view)
    expect_true(any(is.na(meta$sex)) || all(csv$Sex != ""))
    # Label columns: TFDS's class names of the cells.
    classes <- c("uncertain", "positive", "negative", "unmentioned")
    for (label in chexpert_label_names(ds, "train"))
        expect_identical(as.character(meta[[label]]),
                         classes[match(csv[[label]], c("-1.0", "1.0", "0.0", ""))], info = label)
    # A subset with repeats, in the order asked.
    rows <- c(3, 1, 3)
    sub <- chexpert_metadata(ds, "train", rows)
    expect_identical(sub$index, rows)
    expect_identical(sub$patient, meta$patient[rows])
    expect_identical(sub$study_index, meta$study_index[rows])
})

test_that("studies group examples by (patient, study) in order of first appearance", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    expected <- expected_metadata(read_train_csv(manifest()[["root"]]))
    studies <- chexpert_studies(ds, "train")
    expect_identical(chexpert_study_count(ds, "train"), as.numeric(max(expected$study_index)))
    expect_identical(length(studies), max(expected$study_index))
    expect_identical(studies, unname(split(seq_along(expected$study_index), expected$study_index)))
})

test_that("aggregate gives each study's max or mean of its examples' scores", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    n <- chexpert_split_size(ds, "train")
    set.seed(11)
    scores <- matrix(runif(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
    studies <- chexpert_studies(ds, "train")
    by_max <- t(vapply(studies, function(rows) apply(scores[rows, , drop = FALSE], 2, max), numeric(3)))
    by_mean <- t(vapply(studies, function(rows) colMeans(scores[rows, , drop = FALSE]), numeric(3)))
    expect_identical(chexpert_aggregate(ds, "train", scores), by_max)
    expect_equal(chexpert_aggregate(ds, "train", scores, how = "mean"), by_mean, tolerance = 1e-15)
    expect_identical(chexpert_aggregate(ds, "train", scores[, 2]), unname(by_max[, 2]))
    expect_error(chexpert_aggregate(ds, "train", scores[-1, ]), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_aggregate(ds, "train", scores, how = "median"), class = "chexpert_E_INVALID_ARGUMENT")
})

test_that("a patient split partitions the split with no patient in two parts", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    meta <- chexpert_metadata(ds, "train")
    n <- nrow(meta)
    parts <- chexpert_patient_split(ds, "train", c(fit = 0.7, held_out = 0.3), seed = 5)
    expect_identical(names(parts), c("fit", "held_out"))
    expect_identical(sort(unlist(parts, use.names = FALSE)), seq_len(n))
    expect_length(intersect(meta$patient[parts$fit], meta$patient[parts$held_out]), 0L)
    largest <- max(table(meta$patient))
    expect_lt(abs(length(parts$fit) - 0.7 * n), largest)
    expect_identical(chexpert_patient_split(ds, "train", c(fit = 0.7, held_out = 0.3), seed = 5), parts)
    by_name <- chexpert_patient_split(ds, "train", c(0.5, 0.5), seed = 1, stratify = "Edema")
    column <- match("Edema", chexpert_label_names(ds, "train"))
    expect_identical(chexpert_patient_split(ds, "train", c(0.5, 0.5), seed = 1, stratify = column), by_name)
    expect_error(chexpert_patient_split(ds, "train", c(0.5, 0.5), stratify = "Nothing"),
                 class = "chexpert_E_NOT_FOUND")
    expect_error(chexpert_patient_split(ds, "train", c(0.5, 0.5), stratify = 99),
                 class = "chexpert_E_OUT_OF_RANGE")
    expect_error(chexpert_patient_split(ds, "train", c(-1, 2)), class = "chexpert_E_INVALID_ARGUMENT")
})

# AUROC by ranks (Mann-Whitney, ties counted half) and AUPRC by its definition.
auroc <- function(score, truth) {
    p <- sum(truth); q <- sum(!truth)
    if (p == 0 || q == 0) return(NaN)
    (sum(rank(score)[truth]) - p * (p + 1) / 2) / (p * q)
}
auprc <- function(score, truth) {
    p <- sum(truth)
    if (p == 0 || p == length(truth)) return(NaN)
    thresholds <- sort(unique(score), decreasing = TRUE)
    tp <- vapply(thresholds, function(t) sum(truth & score >= t), numeric(1))
    fp <- vapply(thresholds, function(t) sum(!truth & score >= t), numeric(1))
    sum(diff(c(0, tp / p)) * tp / (tp + fp))
}

test_that("evaluate's AUROC and AUPRC equal direct computations, per image and per study", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    n <- chexpert_split_size(ds, "train")
    names <- chexpert_label_names(ds, "train")
    labels <- chexpert_labels(ds, "train")
    set.seed(3)
    scores <- matrix(round(runif(n * length(names)), 1), n, length(names))   # ties included
    observations <- c("Edema", "Atelectasis", "Cardiomegaly", "No Finding")
    result <- chexpert_evaluate(ds, "train", scores, observations = observations, bootstrap = 0)
    expect_s3_class(result, "data.frame")
    expect_identical(result$observation, c(observations, "mean"))
    expect_identical(colnames(result), c("observation", "auroc", "auprc", "auroc_low", "auroc_high",
                                         "auprc_low", "auprc_high", "samples", "positives"))
    for (uncertain in c("exclude", "positive")) {
        result <- chexpert_evaluate(ds, "train", scores, observations = observations, bootstrap = 0,
                                    uncertain = uncertain)
        for (name in observations) {
            j <- match(name, names)
            kept <- if (uncertain == "exclude") labels[, j] != 0L else rep(TRUE, n)
            truth <- labels[kept, j] %in% c(0L, 1L)                  # uncertain (0) or positive (1)
            score <- scores[kept, j]
            expect_equal(result[name, "auroc"], auroc(score, truth), tolerance = 1e-12, info = name)
            expect_equal(result[name, "auprc"], auprc(score, truth), tolerance = 1e-12, info = name)
            expect_identical(result[name, "samples"], as.numeric(sum(kept)))
            expect_identical(result[name, "positives"], as.numeric(sum(truth)))
            expect_true(is.nan(result[name, "auroc_low"]))
        }
        defined <- result$auroc[seq_along(observations)]
        expect_equal(result["mean", "auroc"], mean(defined[!is.nan(defined)]), tolerance = 1e-12)
    }
    # Study level: max of the study's scores; positive if any image is, else negative if any
    # is negative or blank, else left out.
    studies <- chexpert_studies(ds, "train")
    study <- chexpert_evaluate(ds, "train", scores, observations = "Edema", level = "study", bootstrap = 0)
    j <- match("Edema", names)
    score <- vapply(studies, function(rows) max(scores[rows, j]), numeric(1))
    truth <- vapply(studies, function(rows) {
        cells <- labels[rows, j]
        if (any(cells == 1L)) 1L else if (any(cells %in% c(2L, 3L))) 0L else NA_integer_
    }, integer(1))
    kept <- !is.na(truth)
    expect_equal(study["Edema", "auroc"], auroc(score[kept], truth[kept] == 1L), tolerance = 1e-12)
    expect_identical(study["Edema", "samples"], as.numeric(sum(kept)))
    # Scores given one column per label column pick the observations' columns.
    full <- chexpert_evaluate(ds, "train", scores, observations = "Edema", bootstrap = 0)
    one <- chexpert_evaluate(ds, "train", scores[, j], observations = "Edema", bootstrap = 0)
    expect_identical(full$auroc, one$auroc)
})

test_that("evaluate's bootstrap is seeded and brackets nothing outside [0, 1]", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    n <- chexpert_split_size(ds, "validation")
    set.seed(4)
    scores <- matrix(runif(n * 14), n, 14)
    a <- chexpert_evaluate(ds, "validation", scores, observations = "all", bootstrap = 200, seed = 9)
    b <- chexpert_evaluate(ds, "validation", scores, observations = "all", bootstrap = 200, seed = 9)
    expect_identical(a, b)
    expect_identical(attr(a, "settings")$bootstrap, 200)
    bounds <- unlist(a[, c("auroc_low", "auroc_high")])
    expect_true(all(is.nan(bounds) | (bounds >= 0 & bounds <= 1)))
    ok <- !is.nan(a$auroc_low) & !is.nan(a$auroc_high)
    expect_true(all(a$auroc_low[ok] <= a$auroc_high[ok]))
    expect_error(chexpert_evaluate(ds, "validation", scores[-1, ]), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_evaluate(ds, "validation", scores[, 1:3]), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_evaluate(ds, "validation", scores, level = "patient"),
                 class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_evaluate(ds, "validation", scores, observations = "Nothing"),
                 class = "chexpert_E_NOT_FOUND")
    bad <- scores
    bad[1, 1] <- Inf
    expect_error(chexpert_evaluate(ds, "validation", bad, observations = "all"),
                 class = "chexpert_E_INVALID_ARGUMENT")
})
