"""Files in and out: output files written without following symbolic links, and state dicts
saved as pickle-free ``.npz`` (``tg.save``, ``tg.load``). Imports no other layer of the
package."""
