"""The test suite: one folder per stage of geo, beside tests of the pipeline, the command line and the page."""
