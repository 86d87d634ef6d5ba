"""The ``scr`` command line: a review from submit to close, errors, fuzzing, start-up
cost, the terminal, and the command templates (``scr run --template``)."""
