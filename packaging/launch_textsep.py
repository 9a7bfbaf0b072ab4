"""PyInstaller entry script: runs the desktop app's main() (textsep_desktop/__main__.py).

A separate launcher keeps the frozen entry point a plain script (a package __main__ that uses relative
imports cannot be frozen as the top-level script) and calls freeze_support() first, so a frozen
Windows/macOS child process started by multiprocessing does not start a second GUI.
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from textsep_desktop.__main__ import main

    sys.exit(main())
