library(testthat)
library(chexpert)

test_check("chexpert")
