"""The protocol, section by section: one ``test_<section>.py`` beside each rule file of
``scr_engine.rules`` (``test_<section>_<aspect>.py`` where a section needs several), the
command table, and the state machine over the whole protocol."""
