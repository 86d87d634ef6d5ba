"""The ``scr`` command line: a review from submit to close, errors, fuzzing, start-up
cost and the terminal."""
