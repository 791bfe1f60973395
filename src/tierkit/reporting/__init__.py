"""What people read: charts (:mod:`.charts`) and the HTML report (:mod:`.report`)."""
