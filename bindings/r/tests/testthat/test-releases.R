# Releases, the official test split and the CheXbert label sources, on a
# generated AIMI tree (Tests/r/run.sh records its root in the manifest).

aimi_root <- function() manifest()[["aimi_root"]]

read_csv_named <- function(root, name) {
    path <- list.files(root, pattern = paste0("^", name, "$"), recursive = TRUE, full.names = TRUE)
    stopifnot(length(path) == 1L)
    utils::read.csv(path, colClasses = "character", check.names = FALSE, na.strings = character(0))
}

test_that("the release, the splits present and the vocabulary", {
    small <- open_reference()
    on.exit(chexpert_close(small))
    expect_identical(chexpert_release(small), "small")
    expect_false(chexpert_has_split(small, "test"))
    expect_true(chexpert_has_split(small, "validation"))
    expect_identical(names(chexpert_splits(small)), c("train", "validation"))
    expect_error(chexpert_labels(small, "test"), class = "chexpert_E_NOT_FOUND")
    aimi <- chexpert_open(aimi_root())
    on.exit(chexpert_close(aimi), add = TRUE)
    expect_identical(chexpert_release(aimi), "aimi")
    expect_true(chexpert_has_split(aimi, "test"))
    expect_identical(names(chexpert_splits(aimi)), c("train", "validation", "test"))
    v <- chexpert_vocabulary()
    expect_identical(v$split, c(train = 0L, validation = 1L, test = 2L))
    expect_identical(v$sex, c(female = 0L, male = 1L, unknown = 2L, blank = 3L))
    expect_identical(names(v$release), c("small", "small_nested", "full", "aimi"))
    expect_identical(names(v$field), c("patient", "study", "view_number", "sex", "age", "projection",
                                       "image_view", "study_index"))
})

test_that("the test split's labels are groundtruth.csv's study labels", {
    ds <- chexpert_open(aimi_root())
    on.exit(chexpert_close(ds))
    truth <- read_csv_named(aimi_root(), "groundtruth\\.csv")
    names <- chexpert_label_names(ds, "test")
    labels <- chexpert_labels(ds, "test")
    studies <- dirname(chexpert_names(ds, "test"))
    expect_true(all(studies %in% truth$Study))
    expected <- as.matrix(truth[match(studies, truth$Study), names])
    expect_identical(unname(labels), unname(ifelse(expected == "1", 1L, 2L)))
    meta <- chexpert_metadata(ds, "test")
    expect_true(all(is.na(meta$sex)) && all(is.na(meta$age)))
    expect_identical(chexpert_study_count(ds, "test"), as.numeric(length(unique(studies))))
})

test_that("labels = \"chexbert\" reads train_cheXbert.csv, joined by Path", {
    reports <- chexpert_open(aimi_root())
    on.exit(chexpert_close(reports))
    chexbert <- chexpert_open(aimi_root(), labels = "chexbert")
    on.exit(chexpert_close(chexbert), add = TRUE)
    csv <- read_csv_named(aimi_root(), "train_cheXbert\\.csv")
    names <- chexpert_names(chexbert, "train")
    expect_identical(names, chexpert_names(reports, "train"))
    label_names <- chexpert_label_names(chexbert, "train")
    cells <- as.matrix(csv[match(names, csv$Path), label_names])
    expected <- matrix(match(cells, c("-1.0", "1.0", "0.0", "")) - 1L, nrow(cells),
                       dimnames = list(NULL, label_names))
    expect_identical(chexpert_labels(chexbert, "train"), expected)
    expect_false(identical(chexpert_labels(chexbert, "train"), chexpert_labels(reports, "train")))
    expect_error(chexpert_open(aimi_root(), labels = "radiologists"), class = "chexpert_E_INVALID_ARGUMENT")
})
