"""Drawing: graphs as plain data (views), then as Graphviz DOT, SVG or a stepping web page.
It reads the core and the front-ends and is imported by nothing below it."""
