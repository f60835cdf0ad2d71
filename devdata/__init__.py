"""Demo and generated data for Réseau, kept out of the ``reseau`` package.

- ``vocabulary``: the seeds' words and figures (départements, centres, names, themes, cycles,
  comments, the 2012 diagnostic), shared by the demo and the generator.
- ``days``: working days (weekends, public holidays and the Christmas break skipped) and
  séances in Paris time.
- ``demo``: ``flask --app reseau demo``, the few hundred rows ``make run`` starts from.
- ``generate``: ``flask --app reseau generate``, large reproducible data sets (tests, bench).
- ``cli``: the commands, which Flask finds through the ``flask.commands`` entry points.

devdata imports ``reseau``; ``reseau`` never imports devdata.
"""
