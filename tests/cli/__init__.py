"""The command-line tests that have a folder of their own: ``scr`` run through click's
runner (``clitools``)."""
