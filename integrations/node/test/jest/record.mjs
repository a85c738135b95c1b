// the control run's setup file: no restore (the specs must then fail)
