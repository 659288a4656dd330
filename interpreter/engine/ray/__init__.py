"""parallel-map on Ray (`--executor ray`): executor.py is the run's side, worker.py a
worker and the program it rebuilds lazily, remote.py one object (the budget or a
cassette) held in an actor, values.py what travels. Nothing here is imported until a
map runs on Ray, and Ray itself only when one starts."""
