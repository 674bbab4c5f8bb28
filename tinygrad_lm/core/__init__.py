"""The graph core: the node contract, primitives (forward, VJP and JVP side by side), backward
and forward mode. It imports nothing else of the package; every other layer builds on it."""
