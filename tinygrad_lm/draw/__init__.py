"""Drawing: graphs as plain data (views), then as Graphviz DOT, SVG or a stepping web page.
It imports only ``core`` and ``io``, and nothing below it imports it."""
